/**
 * The Toxiproxy HTTP API on node:http: routing, JSON bodies, status codes and error bodies as
 * Toxiproxy 2.x sends them (201 on create/populate, 204 on delete/reset, {"error","status"}).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequestBody, toApiError } from './api-error.ts';
import type { ProxyRegistry } from './proxy-registry.ts';
import { parseToxicCreate, parseToxicUpdate } from '../../scenario/toxic-spec.ts';

/** Marks the embedded server; a harness can tell it from a real Toxiproxy by this string. */
export const EMBEDDED_VERSION = '2.12.0-slo-harness-embedded';

const MAX_BODY_BYTES = 1 << 20;

interface Reply {
  status: number;
  body?: unknown;
}

type Handler = (params: string[], body: () => Promise<unknown>) => Promise<Reply> | Reply;

interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, Handler>>;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (body: unknown): Reply => ({ status: 201, body });
const noContent: Reply = { status: 204 };

function routes(registry: ProxyRegistry): Route[] {
  const updateProxy: Handler = async ([name], body) => ok(await registry.update(name ?? '', await body()));
  const updateToxic: Handler = async ([proxyName, toxicName], body) => {
    const proxy = registry.get(proxyName ?? '');
    const updated = parseToxicUpdate(proxy.getToxic(toxicName ?? ''), await body());
    proxy.updateToxic(updated);
    return ok(updated);
  };
  return [
    { pattern: /^\/version$/, methods: { GET: () => ok({ version: EMBEDDED_VERSION }) } },
    {
      pattern: /^\/reset$/,
      methods: {
        POST: async () => {
          await registry.reset();
          return noContent;
        },
      },
    },
    {
      pattern: /^\/proxies$/,
      methods: {
        GET: () => ok(registry.list()),
        POST: async (_, body) => created(await registry.create(await body())),
      },
    },
    {
      pattern: /^\/populate$/,
      methods: { POST: async (_, body) => created({ proxies: await registry.populate(await body()) }) },
    },
    {
      pattern: /^\/proxies\/([^/]+)$/,
      methods: {
        GET: ([name]) => ok(registry.get(name ?? '').toJSON()),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: async ([name]) => {
          await registry.remove(name ?? '');
          return noContent;
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics$/,
      methods: {
        GET: ([name]) => ok(registry.get(name ?? '').listToxics()),
        POST: async ([name], body) => {
          const proxy = registry.get(name ?? '');
          const toxic = parseToxicCreate(await body());
          proxy.addToxic(toxic);
          return ok(toxic);
        },
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      methods: {
        GET: ([proxyName, toxicName]) => ok(registry.get(proxyName ?? '').getToxic(toxicName ?? '')),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: ([proxyName, toxicName]) => {
          registry.get(proxyName ?? '').removeToxic(toxicName ?? '');
          return noContent;
        },
      },
    },
  ];
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError('request body too large', 413);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw badRequestBody('EOF');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequestBody((err as Error).message);
  }
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    response.writeHead(reply.status).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}

function decodeParams(match: RegExpExecArray): string[] {
  return match.slice(1).map((part) => decodeURIComponent(part));
}

/** Builds the request listener for node:http's createServer. */
export function createApiHandler(registry: ProxyRegistry): (request: IncomingMessage, response: ServerResponse) => void {
  const table = routes(registry);
  return (request, response) => {
    void handle(table, request, response);
  };
}

async function handle(table: Route[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  // Like Toxiproxy: browsers are refused so a web page cannot drive the API (CSRF).
  if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
    response.writeHead(403, { 'Content-Type': 'text/plain' }).end('User agent not allowed\n');
    return;
  }
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const method = request.method ?? 'GET';
  try {
    for (const route of table) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const handler = route.methods[method];
      if (!handler) {
        send(response, { status: 405, body: new ApiError('method not allowed', 405).toJSON() });
        return;
      }
      send(response, await handler(decodeParams(match), () => readJsonBody(request)));
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
  } catch (err) {
    const apiError = toApiError(err);
    send(response, { status: apiError.status, body: apiError.toJSON() });
  }
}
