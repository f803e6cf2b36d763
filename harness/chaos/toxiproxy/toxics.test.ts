/**
 * Toxics on the data path, configured only through the real toxiproxy-node-client, measured
 * with raw TCP clients against real loopback upstreams. Assertions are lower bounds, orderings,
 * ratios and counts, never absolute durations.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody, type Proxy } from 'toxiproxy-node-client';
import { startEmbeddedToxiproxy } from './index.ts';
import type { EmbeddedToxiproxy, ToxicAttributes, ToxicStream, ToxicType } from './types.ts';
import {
  connect,
  echoRoundTrip,
  portOf,
  recordUntilClose,
  sleep,
  startEchoServer,
  startTcpServer,
  type TestServer,
} from '../../../test/support/toxiproxy.ts';

let embedded: EmbeddedToxiproxy;
let client: Toxiproxy;
let echo: TestServer;
let proxy: Proxy;

beforeAll(async () => {
  embedded = await startEmbeddedToxiproxy({ seed: 2024 });
  client = new Toxiproxy(embedded.url);
  echo = await startEchoServer();
});

afterEach(async () => {
  for (const existing of Object.values(await client.getAll())) await existing.remove();
});

afterAll(async () => {
  await embedded.close();
  await echo.close();
});

async function echoProxy(name = 'echo'): Promise<number> {
  proxy = await client.createProxy({ name, listen: '127.0.0.1:0', upstream: echo.address });
  return portOf(proxy.listen);
}

function toxic<A extends ToxicAttributes>(type: ToxicType, attributes: A, extra: { name?: string; stream?: ToxicStream; toxicity?: number } = {}): ICreateToxicBody<A> {
  return { name: extra.name ?? type, type, stream: extra.stream ?? 'downstream', toxicity: extra.toxicity ?? 1, attributes };
}

async function roundTrips(port: number, count: number): Promise<number[]> {
  const socket = await connect(port);
  const times: number[] = [];
  for (let i = 0; i < count; i++) times.push((await echoRoundTrip(socket, Buffer.from(`ping-${i}`))).ms);
  socket.destroy();
  return times;
}

describe('latency', () => {
  it('adds at least its latency, also to an open connection, and stops when removed', async () => {
    const port = await echoProxy();
    const socket = await connect(port);
    const measure = async (n: number): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await echoRoundTrip(socket, Buffer.from(`m${i}`))).ms);
      return out;
    };
    const before = await measure(5);
    const added = await proxy.addToxic(toxic('latency', { latency: 200, jitter: 0 }));
    const during = await measure(3);
    await added.remove();
    const after = await measure(5);
    socket.destroy();
    for (const ms of during) expect(ms).toBeGreaterThanOrEqual(200);
    expect(Math.max(...before)).toBeLessThan(Math.min(...during));
    expect(Math.max(...after)).toBeLessThan(Math.min(...during));
  });

  it('chains upstream and downstream latency', async () => {
    const port = await echoProxy();
    await proxy.addToxic(toxic('latency', { latency: 120, jitter: 0 }, { name: 'up', stream: 'upstream' }));
    await proxy.addToxic(toxic('latency', { latency: 120, jitter: 0 }, { name: 'down' }));
    for (const ms of await roundTrips(port, 2)) expect(ms).toBeGreaterThanOrEqual(240);
  });

  it('keeps byte order under heavy jitter', async () => {
    const port = await echoProxy();
    await proxy.addToxic(toxic('latency', { latency: 20, jitter: 19 }, { name: 'up', stream: 'upstream' }));
    await proxy.addToxic(toxic('latency', { latency: 20, jitter: 19 }, { name: 'down' }));
    const socket = await connect(port);
    const expected = Buffer.from(Array.from({ length: 300 }, (_, i) => `<${i}>`).join(''));
    const received: Buffer[] = [];
    let total = 0;
    const done = new Promise<void>((resolve) =>
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        total += chunk.length;
        if (total >= expected.length) resolve();
      }),
    );
    for (let i = 0; i < 300; i++) {
      socket.write(`<${i}>`);
      if (i % 10 === 0) await sleep(1); // spread writes over several chunks
    }
    await done;
    socket.destroy();
    expect(Buffer.concat(received).toString()).toBe(expected.toString());
  });

  it('releases held data at once when the toxic is removed', async () => {
    const port = await echoProxy();
    const slow = await proxy.addToxic(toxic('latency', { latency: 5_000, jitter: 0 }));
    const socket = await connect(port);
    const trip = echoRoundTrip(socket, Buffer.from('held'));
    await sleep(100);
    await slow.remove();
    const { ms, data } = await trip;
    socket.destroy();
    expect(data.toString()).toBe('held');
    expect(ms).toBeLessThan(5_000);
  });
});

describe('toxicity', () => {
  it('0 affects no connection, 1 affects every one, 0.5 a seeded share', async () => {
    const port = await echoProxy();
    const slowConnections = async (count: number): Promise<number> => {
      let slow = 0;
      for (let i = 0; i < count; i++) if (((await roundTrips(port, 1))[0] ?? 0) >= 150) slow++;
      return slow;
    };
    const added = await proxy.addToxic(toxic('latency', { latency: 150, jitter: 0 }, { toxicity: 0 }));
    expect(await slowConnections(8)).toBe(0);
    const always = await added.update({ ...added.toJson(), toxicity: 1 });
    expect(await slowConnections(8)).toBe(8);
    await always.update({ ...always.toJson(), toxicity: 0.5 });
    const half = await slowConnections(24);
    expect(half).toBeGreaterThan(3);
    expect(half).toBeLessThan(21);
  });
});

describe('bandwidth', () => {
  it('limits throughput in proportion to the rate', async () => {
    const port = await echoProxy();
    const payload = Buffer.alloc(60_000, 7);
    const transfer = async (): Promise<number> => {
      const socket = await connect(port);
      const { ms, data } = await echoRoundTrip(socket, payload);
      socket.destroy();
      expect(data.equals(payload)).toBe(true);
      return ms;
    };
    const unlimited = await transfer();
    const limiter = await proxy.addToxic(toxic('bandwidth', { rate: 60 })); // 60 KB/s: 1 s for 60 KB
    const slow = await transfer();
    await limiter.update({ ...limiter.toJson(), attributes: { rate: 240 } });
    const faster = await transfer();
    expect(slow).toBeGreaterThanOrEqual(950);
    expect(slow / unlimited).toBeGreaterThan(10);
    expect(slow / faster).toBeGreaterThan(2.5);
  });
});

describe('closing toxics', () => {
  it('timeout 0 holds the connection and drops data; removing it closes the connection', async () => {
    const port = await echoProxy();
    const hold = await proxy.addToxic(toxic('timeout', { timeout: 0 }));
    const socket = await connect(port);
    const record = recordUntilClose(socket);
    socket.write('anyone there?');
    await sleep(400);
    expect(socket.destroyed).toBe(false);
    await hold.remove();
    const result = await record;
    expect(result.data.length).toBe(0);
    expect(result.closeMs).toBeGreaterThanOrEqual(400);
  });

  it('timeout > 0 closes the connection after it, without data', async () => {
    const port = await echoProxy();
    await proxy.addToxic(toxic('timeout', { timeout: 300 }));
    const socket = await connect(port);
    const record = recordUntilClose(socket);
    socket.write('hello');
    const result = await record;
    expect(result.data.length).toBe(0);
    expect(result.closeMs).toBeGreaterThanOrEqual(290);
  });

  it('reset_peer resets the client connection after its timeout', async () => {
    const port = await echoProxy();
    await proxy.addToxic(toxic('reset_peer', { timeout: 100 }));
    const socket = await connect(port);
    const record = recordUntilClose(socket);
    socket.write('hello');
    const result = await record;
    expect(result.errorCode).toBe('ECONNRESET');
    expect(result.data.length).toBe(0);
    expect(result.closeMs).toBeGreaterThanOrEqual(100);
  });

  it('limit_data lets exactly N bytes through, then closes', async () => {
    const port = await echoProxy();
    await proxy.addToxic(toxic('limit_data', { bytes: 10 }));
    const socket = await connect(port);
    const record = recordUntilClose(socket);
    socket.write('0123456789abcdefghijklmnopqrstuvwxyz');
    const result = await record;
    expect(result.data.toString()).toBe('0123456789');
    expect(result.endMs).not.toBeNull();
    expect(result.errorCode).toBeNull();
  });

  it('slow_close delays the end of the stream', async () => {
    const greeter = await startTcpServer((socket) => socket.end('bye'));
    try {
      proxy = await client.createProxy({ name: 'greeter', listen: '127.0.0.1:0', upstream: greeter.address });
      const endAfter = async (): Promise<number> => (await recordUntilClose(await connect(portOf(proxy.listen)))).endMs ?? -1;
      const quick = await endAfter();
      await proxy.addToxic(toxic('slow_close', { delay: 300 }));
      const delayed = await endAfter();
      expect(delayed).toBeGreaterThanOrEqual(300);
      expect(quick).toBeLessThan(delayed);
    } finally {
      await greeter.close();
    }
  });

  it('slicer cuts data into many small chunks without changing it', async () => {
    const port = await echoProxy();
    await proxy.addToxic(toxic('slicer', { average_size: 20, size_variation: 5, delay: 2_000 }));
    const socket = await connect(port);
    let chunks = 0;
    socket.on('data', () => chunks++);
    const payload = Buffer.from('x'.repeat(600));
    const { data } = await echoRoundTrip(socket, payload);
    socket.destroy();
    expect(data.equals(payload)).toBe(true);
    expect(chunks).toBeGreaterThan(10);
  });
});

describe('disabled proxy', () => {
  it('closes open connections and refuses new ones', async () => {
    const port = await echoProxy();
    const socket = await connect(port);
    const record = recordUntilClose(socket);
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await record;
    await expect(connect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await client.reset();
    const again = await connect(port);
    expect((await echoRoundTrip(again, Buffer.from('back'))).data.toString()).toBe('back');
    again.destroy();
  });

  it('closes the client when the upstream refuses the connection', async () => {
    const gone = await startEchoServer();
    const address = gone.address;
    await gone.close();
    proxy = await client.createProxy({ name: 'dead', listen: '127.0.0.1:0', upstream: address });
    const socket = await connect(portOf(proxy.listen));
    socket.write('hello?');
    const result = await recordUntilClose(socket);
    expect(result.data.length).toBe(0);
  });
});
