/**
 * Subject-attributes service: the dependency of the sample authorization service.
 * GET /subjects/<id> answers the subject's role, groups, region and clearance, derived
 * deterministically from the id (a stand-in for a directory or database lookup).
 * Usage: node server.mjs --port <port>     (listens on 127.0.0.1 only)
 */
import http from 'node:http';

const ROLES = ['admin', 'editor', 'viewer', 'auditor'];
const GROUPS = ['sre', 'payments', 'eu-staff', 'contractors', 'oncall', 'finance', 'legal'];
const REGIONS = ['eu-west', 'us-east', 'ap-south'];

function argValue(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** FNV-1a: the same id always gets the same attributes. */
function hash(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function attributesOf(id) {
  const h = hash(id);
  const groups = GROUPS.filter((_, i) => (h >>> i) & 1);
  return { id, role: ROLES[h % ROLES.length], groups, region: REGIONS[(h >>> 8) % REGIONS.length], clearance: (h >>> 12) % 5 };
}

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url === '/healthz') return void res.end('ok');
  if (req.method === 'GET' && url.startsWith('/subjects/')) {
    const id = decodeURIComponent(url.slice('/subjects/'.length));
    const body = JSON.stringify(attributesOf(id));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    return void res.end(body);
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 30_000;
server.listen(Number(argValue('--port') ?? 0), '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)).closeAllConnections());
