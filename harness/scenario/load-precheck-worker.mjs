// The load pre-check's worker: imports scenario files one after another and reports each,
// so that the main thread only imports a file once it is known to finish importing. Then it
// watches the main thread's own import of each file: a module that spins only on the main
// thread cannot be stopped from there, so on the deadline this thread prints the error and
// ends the process with exit 2 (through the inspector, which interrupts running JavaScript).
// Worker threads do not inherit the parent's --import loaders: register tsx here.
import { writeSync } from 'node:fs';
import { Session } from 'node:inspector';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

// The protocol runs on a private port, taken out of workerData before any scenario code runs:
// a module cannot fake "imported" (parentPort and workerData are open to it).
const port = /** @type {import('node:worker_threads').MessagePort} */ (workerData.port);
const urls = /** @type {string[]} */ (workerData.urls);
delete workerData.port;
register();

/** @type {NodeJS.Timeout | null} */
let watch = null;
port.on('message', (/** @type {{ type: 'watch', timeoutMs: number, message: string } | { type: 'unwatch' }} */ request) => {
  if (watch) clearTimeout(watch);
  watch = request.type === 'watch' ? setTimeout(() => endProcess(request.message), request.timeoutMs) : null;
});
// While importing, nothing but the imports may keep this thread alive: a never-settling
// top-level await then ends it (exit code 13), which the host reports at once.
port.unref();

/** @param {string} message */
function endProcess(message) {
  writeSync(2, message);
  try {
    const session = new Session();
    session.connectToMainThread();
    session.post('Runtime.evaluate', { expression: 'process.exit(2)' });
  } catch {
    process.kill(process.pid, 'SIGKILL'); // no inspector in this Node build: still end the hang
  }
}

for (const [index, url] of urls.entries()) {
  try {
    await import(url);
    port.postMessage({ type: 'imported', index });
  } catch (error) {
    const err = /** @type {{ name?: unknown, message?: unknown, stack?: unknown }} */ (error ?? {});
    const failure = { name: String(err.name ?? 'Error'), message: String(err.message ?? error), stack: typeof err.stack === 'string' ? err.stack : undefined };
    port.postMessage({ type: 'failed', index, failure });
  }
}
// Every file is checked: stay alive to watch the main thread's imports until terminated.
port.ref();
