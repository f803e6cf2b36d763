/**
 * The load pre-check: scenario files are imported first in a worker thread under a deadline,
 * and only a file that finished importing there is imported on the main thread. A module that
 * never finishes importing (a top-level infinite loop, a never-settling top-level await) would
 * otherwise hang the harness for ever, or end it with Node's silent exit 13; a worker can be
 * terminated, the main thread cannot. A module that spins only in workers
 * (`if (!isMainThread) for (;;) {}`) hangs this worker too, which is what the deadline is for:
 * the harness runs targets in worker isolates, so it would hang there next.
 *
 * One worker imports every file in turn (tsx's set-up is paid once), and the main thread
 * imports file k while the worker checks file k + 1.
 */
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { ImportFailure } from './load-error.ts';

const WORKER_FILE = new URL('./load-precheck-worker.mjs', import.meta.url);

/** Node's exit code for a module whose top-level await never settled. */
const UNSETTLED_TOP_LEVEL_AWAIT = 13;

export type PrecheckOutcome =
  | { kind: 'imported' }
  /** The import threw (a syntax error...): it finished, so the main thread may import it to report the error. */
  | { kind: 'failed'; failure: ImportFailure }
  /** The worker died of an uncaught exception (thrown from a timer the module set, say). */
  | { kind: 'crashed'; failure: ImportFailure }
  /** Still importing when the deadline passed (the worker was terminated). */
  | { kind: 'timeout'; timeoutMs: number }
  /** The worker ended while importing: a never-settling await (code 13) or a top-level process.exit. */
  | { kind: 'exited'; code: number };

type WorkerMessage = { type: 'imported'; index: number } | { type: 'failed'; index: number; failure: ImportFailure };

export class ImportPrecheck {
  private readonly worker: Worker;
  /** The private protocol port (scenario code in the worker cannot reach its other end). */
  private readonly port: MessagePort;
  private readonly outcomes: Array<Promise<PrecheckOutcome>>;
  private readonly settle: Array<(outcome: PrecheckOutcome) => void> = [];
  /** The file being imported: the deadline runs for it. */
  private current = 0;
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    files: readonly string[],
    private readonly timeoutMs: number,
  ) {
    this.outcomes = files.map(() => new Promise<PrecheckOutcome>((resolve) => this.settle.push(resolve)));
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.worker = new Worker(WORKER_FILE, {
      workerData: { urls: files.map((f) => pathToFileURL(f).href), port: channel.port2 },
      transferList: [channel.port2],
      stdout: true,
      stderr: true,
    });
    // What the modules print while being checked is printed again by the main-thread import.
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.port.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error: Error) => this.finishAll({ kind: 'crashed', failure: { name: error.name, message: error.message, stack: error.stack } }));
    this.worker.on('exit', (code) => this.finishAll({ kind: 'exited', code }));
    this.armDeadline();
  }

  /** How the import of file `index` ended in the worker. */
  outcome(index: number): Promise<PrecheckOutcome> {
    return this.outcomes[index] as Promise<PrecheckOutcome>;
  }

  /**
   * Guards the main thread's import of a checked file: if it has not finished within the
   * deadline (a module that spins only on the main thread), the worker prints `message` and
   * ends the process with exit 2. Returns the function that stands the guard down.
   */
  watchMainImport(message: string): () => void {
    this.port.postMessage({ type: 'watch', timeoutMs: this.timeoutMs, message });
    return () => this.port.postMessage({ type: 'unwatch' });
  }

  /** Stops the worker (whatever it is doing). */
  async close(): Promise<void> {
    this.ended = true;
    this.clearDeadline();
    this.port.close();
    await this.worker.terminate();
  }

  private onMessage(message: WorkerMessage): void {
    this.clearDeadline();
    this.settle[message.index]?.(message.type === 'imported' ? { kind: 'imported' } : { kind: 'failed', failure: message.failure });
    this.current = message.index + 1;
    if (this.current < this.settle.length) this.armDeadline();
  }

  /** The deadline of the current file; the first file's includes the worker's start. */
  private armDeadline(): void {
    this.timer = setTimeout(() => {
      this.finishAll({ kind: 'timeout', timeoutMs: this.timeoutMs });
      void this.worker.terminate();
    }, this.timeoutMs);
  }

  private clearDeadline(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** The current file (and the unchecked ones after it) end with this outcome. */
  private finishAll(outcome: PrecheckOutcome): void {
    if (this.ended) return;
    this.ended = true;
    this.clearDeadline();
    for (let i = this.current; i < this.settle.length; i++) this.settle[i]?.(outcome);
  }
}

/** Whether an `exited` outcome was Node's unsettled top-level await. */
export function isUnsettledAwait(code: number): boolean {
  return code === UNSETTLED_TOP_LEVEL_AWAIT;
}
