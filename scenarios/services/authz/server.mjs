/**
 * Sample HTTP authorization service: POST /authorize { subject, action, resource, context }
 * fetches the subject's attributes from the attributes service (through the harness's
 * chaos proxy in a scenario), then evaluates the action's json-logic-js policy.
 * Answers { allow: boolean, policy }; 400 for a malformed request, 502 when the
 * attributes service fails. GET /healthz does not touch the dependency.
 * Usage: node server.mjs --port <port> --attributes <host:port>   (127.0.0.1 only)
 */
import http from 'node:http';
import jsonLogic from 'json-logic-js';

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const attributesAddress = argValue('--attributes');
if (!attributesAddress) {
  process.stderr.write('usage: server.mjs --port <port> --attributes <host:port>\n');
  process.exit(2);
}
const [attrHost, attrPort] = [attributesAddress.slice(0, attributesAddress.lastIndexOf(':')), Number(attributesAddress.slice(attributesAddress.lastIndexOf(':') + 1))];
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

/** Policies by action: the shapes an authorization service stores. */
const POLICIES = {
  read: { or: [{ '==': [{ var: 'subject.role' }, 'admin'] }, { in: ['viewer-ok', { var: 'resource.tags' }] }, { '>=': [{ var: 'subject.clearance' }, { var: 'resource.level' }] }] },
  write: {
    and: [
      { in: [{ var: 'subject.role' }, ['admin', 'editor']] },
      { '==': [{ var: 'subject.region' }, { var: 'resource.region' }] },
      { '!': { some: [{ var: 'resource.tags' }, { in: [{ var: '' }, ['frozen', 'legal-hold']] }] } },
    ],
  },
  delete: {
    and: [
      { '==': [{ var: 'subject.role' }, 'admin'] },
      { in: ['oncall', { var: 'subject.groups' }] },
      { '<': [8, { var: 'context.hour' }, 18] },
    ],
  },
  audit: { some: [{ var: 'subject.groups' }, { in: [{ var: '' }, ['legal', 'finance', 'sre']] }] },
};

function fetchAttributes(subject) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: attrHost, port: attrPort, path: `/subjects/${encodeURIComponent(subject)}`, method: 'GET', agent, timeout: 5000 },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`attributes service answered ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('attributes service timed out')));
    req.on('error', reject);
    req.end();
  });
}

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) reject(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function authorize(req, res) {
  let request;
  try {
    request = JSON.parse(await readBody(req));
  } catch {
    return reply(res, 400, { error: 'malformed JSON' });
  }
  const policy = POLICIES[request?.action];
  if (typeof request?.subject !== 'string' || !policy) return reply(res, 400, { error: 'expected { subject: string, action: read|write|delete|audit }' });
  let subject;
  try {
    subject = await fetchAttributes(request.subject);
  } catch (error) {
    return reply(res, 502, { error: `attributes: ${error.message}` });
  }
  const data = { subject, resource: request.resource ?? {}, context: request.context ?? {} };
  try {
    return reply(res, 200, { allow: Boolean(jsonLogic.apply(policy, data)), policy: request.action });
  } catch (error) {
    return reply(res, 400, { error: `policy: ${error.message}` });
  }
}

const server = http.createServer((req, res) => {
  if (req.url === '/healthz') return void res.end('ok');
  if (req.method === 'POST' && req.url === '/authorize') {
    authorize(req, res).catch((error) => reply(res, 500, { error: String(error) }));
    return;
  }
  reply(res, 404, { error: 'not found' });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(argValue('--port') ?? 0), '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
