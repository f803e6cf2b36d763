/**
 * The HTTP API driven only through the real toxiproxy-node-client (plus raw fetch where the
 * status code or error body itself is under test), against real loopback upstreams.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Toxiproxy, type ICreateToxicBody } from 'toxiproxy-node-client';
import { startEmbeddedToxiproxy } from './index.ts';
import type { EmbeddedToxiproxy, LatencyAttributes } from './types.ts';
import { connect, connectOutcome, echoRoundTrip, portOf, startEchoServer, type TestServer } from '../../../test/support/toxiproxy.ts';

let embedded: EmbeddedToxiproxy;
let client: Toxiproxy;
let echo: TestServer;

beforeAll(async () => {
  embedded = await startEmbeddedToxiproxy({ seed: 5 });
  client = new Toxiproxy(embedded.url);
  echo = await startEchoServer();
});

afterEach(async () => {
  for (const proxy of Object.values(await client.getAll())) await proxy.remove();
});

afterAll(async () => {
  await embedded.close();
  await echo.close();
});

const latency = (name: string, ms: number): ICreateToxicBody<LatencyAttributes> => ({
  name,
  type: 'latency',
  stream: 'downstream',
  toxicity: 1,
  attributes: { latency: ms, jitter: 0 },
});

async function rawStatus(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${embedded.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null };
}

describe('embedded Toxiproxy API', () => {
  it('reports a version that marks it as embedded', async () => {
    expect(JSON.parse(await client.getVersion())).toEqual({ version: expect.stringContaining('slo-harness') });
  });

  it('creates, lists, gets, updates and deletes proxies', async () => {
    const proxy = await client.createProxy({ name: 'db', listen: '127.0.0.1:0', upstream: echo.address });
    expect(proxy.enabled).toBe(true);
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(proxy.listen)).toBeGreaterThan(0);

    const socket = await connect(portOf(proxy.listen));
    expect((await echoRoundTrip(socket, Buffer.from('ping'))).data.toString()).toBe('ping');
    socket.destroy();

    expect(Object.keys(await client.getAll())).toEqual(['db']);
    expect((await client.get('db')).toJson()).toEqual(proxy.toJson());

    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(disabled.enabled).toBe(false);
    expect(await connectOutcome(portOf(proxy.listen))).toBe('ECONNREFUSED');
    const enabled = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    expect(enabled.enabled).toBe(true);
    expect(await connectOutcome(portOf(proxy.listen))).toBe('connected');

    const moved = await proxy.update({ enabled: true, listen: '127.0.0.1:0', upstream: proxy.upstream });
    expect(moved.listen).not.toBe(proxy.listen);
    expect(await connectOutcome(portOf(proxy.listen))).toBe('ECONNREFUSED');
    expect(await connectOutcome(portOf(moved.listen))).toBe('connected');

    await proxy.remove();
    await expect(client.get('db')).rejects.toThrow(/404/);
    expect(await connectOutcome(portOf(moved.listen))).toBe('ECONNREFUSED');
    expect(await connectOutcome(portOf(proxy.listen))).toBe('ECONNREFUSED');
  });

  it('answers errors with Toxiproxy status codes and bodies', async () => {
    const created = await rawStatus('POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: echo.address });
    expect(created.status).toBe(201);
    await expect(client.createProxy({ name: 'a', listen: '127.0.0.1:0', upstream: echo.address })).rejects.toThrow(/409/);
    expect(await rawStatus('POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream: echo.address })).toEqual({
      status: 409,
      json: { error: 'proxy already exists', status: 409 },
    });
    expect(await rawStatus('POST', '/proxies', { name: 'b' })).toEqual({
      status: 400,
      json: { error: 'missing required field: upstream', status: 400 },
    });
    expect((await rawStatus('GET', '/proxies/nope')).json).toEqual({ error: 'proxy not found', status: 404 });
    expect((await rawStatus('GET', '/proxies/a/toxics/nope')).json).toEqual({ error: 'toxic not found', status: 404 });
    expect((await rawStatus('POST', '/proxies/a/toxics', { type: 'down' })).json).toEqual({ error: 'invalid toxic type', status: 400 });
    const taken = (created.json as { listen: string }).listen;
    const conflict = await rawStatus('POST', '/proxies', { name: 'c', listen: taken, upstream: echo.address });
    expect(conflict.status).toBe(500);
    expect(conflict.json).toEqual({ error: `listen tcp ${taken}: bind: address already in use`, status: 500 });
    const browser = await fetch(`${embedded.url}/proxies`, { headers: { 'User-Agent': 'Mozilla/5.0' } });
    expect(browser.status).toBe(403);
  });

  it('adds, lists, gets, updates and removes toxics', async () => {
    const proxy = await client.createProxy({ name: 'svc', listen: '127.0.0.1:0', upstream: echo.address });
    const toxic = await proxy.addToxic(latency('slow', 50));
    expect(toxic.toJson()).toEqual({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50, jitter: 0 } });
    await expect(proxy.addToxic(latency('slow', 10))).rejects.toThrow(/409/);

    const fetched = await proxy.getToxic('slow');
    expect(fetched.attributes).toEqual({ latency: 50, jitter: 0 });
    expect((await client.get('svc')).toJson()).toMatchObject({ name: 'svc' });
    expect((await rawStatus('GET', '/proxies/svc')).json).toMatchObject({ toxics: [{ name: 'slow' }] });
    expect((await rawStatus('GET', '/proxies/svc/toxics')).json).toEqual([toxic.toJson()]);

    const updated = await fetched.update({ ...fetched.toJson(), toxicity: 0.25, attributes: { latency: 80, jitter: 5 } });
    expect(updated.toxicity).toBe(0.25);
    expect(updated.attributes).toEqual({ latency: 80, jitter: 5 });

    await updated.remove();
    await expect(proxy.getToxic('slow')).rejects.toThrow(/404/);
    expect((await rawStatus('GET', '/proxies/svc/toxics')).json).toEqual([]);
  });

  it('populates proxies, keeping unchanged ones', async () => {
    const first = await client.populate([
      { name: 'p1', listen: '127.0.0.1:0', upstream: echo.address },
      { name: 'p2', listen: '127.0.0.1:0', upstream: echo.address, enabled: false },
    ]);
    expect(Object.keys(first).sort()).toEqual(['p1', 'p2']);
    expect(first['p2']?.enabled).toBe(false);
    const listen = first['p1']?.listen ?? '';
    const again = await client.populate([{ name: 'p1', listen, upstream: echo.address }]);
    expect(again['p1']?.listen).toBe(listen);
    expect((await rawStatus('POST', '/populate', [{ name: 'x', listen: '127.0.0.1:0', upstream: echo.address }])).status).toBe(201);
  });

  it('/reset re-enables every proxy and removes every toxic', async () => {
    const proxy = await client.createProxy({ name: 'r', listen: '127.0.0.1:0', upstream: echo.address });
    await proxy.addToxic(latency('slow', 10));
    await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    expect(await connectOutcome(portOf(proxy.listen))).toBe('ECONNREFUSED');
    await client.reset();
    const after = await client.get('r');
    expect(after.enabled).toBe(true);
    expect((await rawStatus('GET', '/proxies/r/toxics')).json).toEqual([]);
    expect(await connectOutcome(portOf(after.listen))).toBe('connected');
  });

  it('close() leaves no listener behind', async () => {
    const own = await startEmbeddedToxiproxy();
    const ownClient = new Toxiproxy(own.url);
    const proxy = await ownClient.createProxy({ name: 'x', listen: '127.0.0.1:0', upstream: echo.address });
    const open = await connect(portOf(proxy.listen));
    const closedByServer = new Promise((resolve) => open.once('close', resolve));
    open.on('error', () => {});
    await own.close();
    await closedByServer;
    expect(await connectOutcome(portOf(proxy.listen))).toBe('ECONNREFUSED');
    expect(await connectOutcome(own.port)).toBe('ECONNREFUSED');
  });
});
