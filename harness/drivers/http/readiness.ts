/**
 * Waiting for a started process to serve HTTP: GET the readiness path until it answers
 * with a status below 500, the process exits (an error naming its output), or the timeout.
 */
import { request } from 'undici';
import type { ManagedProcess } from './process.ts';

export class ServiceStartError extends Error {
  override name = 'ServiceStartError';
}

const POLL_MS = 50;

async function probeOnce(url: string): Promise<boolean> {
  try {
    const response = await request(url, { method: 'GET', headersTimeout: 1000, bodyTimeout: 1000 });
    await response.body.dump();
    return response.statusCode < 500;
  } catch {
    return false;
  }
}

export async function waitForReady(proc: ManagedProcess, url: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new ServiceStartError(`${proc.label}: interrupted while waiting for readiness`);
    if (!proc.running()) {
      const exit = await proc.exited;
      throw new ServiceStartError(
        `${proc.label} exited before it was ready (${exit.signal ?? `code ${exit.code}`}); output: ${proc.outputTail().slice(-1500) || '(none)'}`,
      );
    }
    if (await probeOnce(url)) return;
    if (performance.now() > deadline) {
      throw new ServiceStartError(`${proc.label} did not answer GET ${url} within ${timeoutMs} ms; output: ${proc.outputTail().slice(-1500) || '(none)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
