/**
 * Child-process side of `runScenarioFileInChild` (harness/run.ts): runs one scenario file
 * under plain Node + tsx, away from the caller's module loader (vitest transforms modules
 * in ways the isolate launcher does not support), and sends the results back over IPC.
 * Stops cleanly, leaving no isolate behind, when the parent goes away or signals it.
 */
import { runScenarioFile, type RunFileReply, type RunFileRequest } from './run.ts';

const controller = new AbortController();
const stop = (): void => controller.abort();
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.on('disconnect', stop);

process.once('message', (request: RunFileRequest) => {
  runScenarioFile(request.file, { ...request.options, signal: controller.signal })
    .then(
      (results): RunFileReply => ({ ok: true, results }),
      (error: unknown): RunFileReply => ({ ok: false, name: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) }),
    )
    .then((reply) => {
      if (process.connected) process.send?.(reply, () => process.disconnect());
    });
});
