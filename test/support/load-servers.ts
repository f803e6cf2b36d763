/**
 * Real loopback HTTP servers for the load tests and the bench: a fast one, one that stalls every
 * response for a while once, and one that never answers. In-process; each closes its sockets on close.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  origin: string;
  port: number;
  /** Requests the server has received. */
  received(): number;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(handler: Handler): Promise<LoopbackServer> {
  let received = 0;
  const server: Server = createServer((req, res) => {
    received += 1;
    // Drain the request body before answering so keep-alive connections stay usable.
    req.resume();
    req.on('end', () => handler(req, res));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers with 200 'ok' at once; `?status=NNN` picks the status, `?delayMs=N` delays the answer
 * (a timer, so other connections are still served meanwhile).
 */
export function startFastServer(): Promise<LoopbackServer> {
  return listen((req, res) => {
    const status = /[?&]status=(\d{3})/.exec(req.url ?? '');
    const delay = /[?&]delayMs=(\d+)/.exec(req.url ?? '');
    const answer = (): void => {
      res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'text/plain' });
      res.end('ok');
    };
    if (delay) setTimeout(answer, Number(delay[1]));
    else answer();
  });
}

export interface StallPlan {
  /** When the stall starts, after the first request arrived. */
  stallAfterMs: number;
  stallMs: number;
}

/**
 * Answers at once, except that every response due inside the stall window is held until the
 * window ends (a GC pause or a lock held by the service, as seen from outside).
 */
export function startStallingServer(plan: StallPlan): Promise<LoopbackServer> {
  let firstArrivalMs: number | undefined;
  return listen((_req, res) => {
    const nowMs = performance.now();
    firstArrivalMs ??= nowMs;
    const stallStart = firstArrivalMs + plan.stallAfterMs;
    const stallEnd = stallStart + plan.stallMs;
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    };
    if (nowMs >= stallStart && nowMs < stallEnd) setTimeout(answer, stallEnd - nowMs);
    else answer();
  });
}

/** Accepts requests and never answers them. */
export function startHangingServer(): Promise<LoopbackServer> {
  return listen(() => undefined);
}

/** A loopback port with nothing listening (bound then released). */
export async function unusedPort(): Promise<number> {
  const server = await listen(() => undefined);
  await server.close();
  return server.port;
}
