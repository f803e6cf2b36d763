/**
 * Real loopback servers and raw TCP clients for the embedded proxy's tests (not a test file).
 * Every server tracks its sockets so `close()` leaves no listener or connection behind.
 */
import net from 'node:net';

export interface TestServer {
  port: number;
  address: string;
  close(): Promise<void>;
}

/** A TCP server whose per-connection behaviour is `onConnection`. */
export async function startTcpServer(onConnection: (socket: net.Socket) => void): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    address: `127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Echoes every byte back. */
export function startEchoServer(): Promise<TestServer> {
  return startTcpServer((socket) => socket.pipe(socket));
}

export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** The error code a connection attempt fails with, or 'connected'. */
export async function connectOutcome(port: number): Promise<string> {
  try {
    const socket = await connect(port);
    socket.destroy();
    return 'connected';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  }
}

/** Writes `payload` and resolves with the ms until the same number of bytes came back. */
export function echoRoundTrip(socket: net.Socket, payload: Buffer): Promise<{ ms: number; data: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const start = performance.now();
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) {
        cleanup();
        resolve({ ms: performance.now() - start, data: Buffer.concat(chunks) });
      }
    };
    const onFail = (err?: Error): void => {
      cleanup();
      reject(err ?? new Error('connection closed before the echo'));
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onFail);
      socket.off('close', onFail);
    };
    socket.on('data', onData);
    socket.once('error', onFail);
    socket.once('close', onFail);
    socket.write(payload);
  });
}

export interface ConnectionRecord {
  data: Buffer;
  chunks: number;
  /** ms from the start of recording to the socket's 'end' (FIN), if any. */
  endMs: number | null;
  /** ms from the start of recording to 'close'. */
  closeMs: number;
  errorCode: string | null;
}

/** Records everything a socket receives until it closes. */
export function recordUntilClose(socket: net.Socket): Promise<ConnectionRecord> {
  const start = performance.now();
  const chunks: Buffer[] = [];
  let endMs: number | null = null;
  let errorCode: string | null = null;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('end', () => (endMs = performance.now() - start));
  socket.on('error', (err: NodeJS.ErrnoException) => (errorCode = err.code ?? 'error'));
  return new Promise((resolve) => {
    socket.once('close', () =>
      resolve({ data: Buffer.concat(chunks), chunks: chunks.length, endMs, closeMs: performance.now() - start, errorCode }),
    );
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

/** Nearest-rank quantile, q in (0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

/** Proxy port from a `listen` address such as "127.0.0.1:40123". */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}
