/**
 * Every child process the harness starts is tracked here, so that whatever way the
 * harness ends (normal exit, Ctrl-C, SIGTERM, an uncaught error) no child outlives it.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function killAll(signal: NodeJS.Signals): void {
  for (const child of live) {
    try {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only signal that cannot be ignored.
  process.on('exit', () => killAll('SIGKILL'));
}

/** Tracks a child until it exits; returns a function that stops tracking it. */
export function trackChild(child: ChildProcess): () => void {
  hookExit();
  live.add(child);
  const untrack = (): void => {
    live.delete(child);
  };
  child.once('exit', untrack);
  return untrack;
}

/** Asks every tracked child to stop (SIGTERM), then kills those still alive after `graceMs`. */
export async function terminateAllChildren(graceMs = 2000): Promise<void> {
  if (live.size === 0) return;
  killAll('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  killAll('SIGKILL');
}

export function trackedChildCount(): number {
  return live.size;
}
