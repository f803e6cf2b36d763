// The load pre-check's worker: imports scenario files one after another and reports each,
// so that the main thread only imports a file once it is known to finish importing.
// Worker threads do not inherit the parent's --import loaders: register tsx here.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
for (const [index, url] of /** @type {string[]} */ (workerData.urls).entries()) {
  try {
    await import(url);
    port.postMessage({ type: 'imported', index });
  } catch (error) {
    const err = /** @type {{ name?: unknown, message?: unknown, stack?: unknown }} */ (error ?? {});
    const failure = { name: String(err.name ?? 'Error'), message: String(err.message ?? error), stack: typeof err.stack === 'string' ? err.stack : undefined };
    port.postMessage({ type: 'failed', index, failure });
    break; // the run stops at this file: the rest need not be imported.
  }
}
