/**
 * The trivial HTTP server the load bench measures against: answers every request with 200 'ok'.
 * Run as a child process (so client and server do not share a thread); prints
 * `LISTENING <port>` on stdout once bound to 127.0.0.1 (port 0 = any free port, or argv[2]).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`LISTENING ${(server.address() as AddressInfo).port}\n`);
});
// Die with the parent: when its end of stdin closes, it is gone.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
