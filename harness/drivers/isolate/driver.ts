/**
 * The isolate side of the target driver (../driver.ts), over the existing isolate host
 * (isolate.ts): each `measure` or `call` forks a fresh host whose worker thread loads the
 * scenario and runs the measured loop (fuzz mode) or calls one input (replay mode). The host's
 * events become the listener's calls and its end becomes a TargetExit; nothing here changes
 * what the host does.
 */
import type { ResolvedChaos } from '../../scenario/chaos-types.ts';
import type { ResolvedScenario } from '../../scenario/types.ts';
import { TargetStartError, type CallOutcome, type DriverListener, type RunningTarget, type TargetDriver, type TargetExit, type TargetReady } from '../driver.ts';
import { startIsolate, type IsolateExit } from './isolate.ts';
import type { FindingMessage, HostEvent, IsolateConfig, IsolateEvent, ReplayResultMessage, SnapshotMessage } from './protocol.ts';

/** A measured phase in an isolate: the fuzz loop for `durationMs` (or `calls` calls). */
export interface IsolateMeasure {
  durationMs: number;
  /** Stop after this many calls; null: the duration decides. */
  calls: number | null;
  /** Inputs replayed first (saved encoding). */
  seeds: Uint8Array[];
  /** Inputs that already hung or crashed a worker: skipped. */
  avoid?: Uint8Array[];
  /** 'explore' (builtin engine with coverage) or 'measure' (cost-guided, the SLO's histogram); absent: plain mutation. */
  phase?: 'explore' | 'measure';
  /** Chaos for this phase (a breaking-point step); absent: the scenario's own. */
  chaos?: ResolvedChaos;
  /** First worker generation (input streams): a host after a crashed one continues its numbering. */
  generation?: number;
  /** Re-runs that confirm a slow call. Default 2. */
  confirmRepeats?: number;
  /** Snapshot interval, ms. Default 250. */
  snapshotIntervalMs?: number;
  /** Write every input before its call (after a death whose input was not recovered). */
  recordEveryInput?: boolean;
}

export interface IsolateDriverOptions {
  scenario: ResolvedScenario;
  seed: number;
  /** Extra node flags for the host process (perf-map flags for tracers). */
  nodeFlags?: string[];
}

/**
 * The message of a scenario file whose module never finished loading in a worker, or null:
 * the explore phase (explore.ts) only keeps a note, so the pipeline asks here after it.
 */
export { loadTimeoutOf } from './isolate.ts';

/** What the isolate driver reports while a phase runs: its findings and snapshots are the host's own messages. */
export type IsolateListener = DriverListener<FindingMessage, SnapshotMessage>;
/** How an isolate ended; a crash carries the recovered 'crash' finding. */
export type IsolateTargetExit = TargetExit<FindingMessage>;
type DoneReason = Extract<IsolateEvent, { type: 'done' }>['reason'];
const FAILED_CALL_KINDS = new Set(['timeout', 'crash', 'exit', 'oom']);

/** A host process that ended with this code or signal, in words. */
export function describeHostExit(exit: Pick<TargetExit<unknown>, 'code' | 'signal'>): string {
  return `the isolate host exited with ${exit.signal ?? `code ${exit.code}`}`;
}

/** How the host ended, in the driver's terms. The order matters: a crash or fatal error explains an exit code. */
export function targetExitOf(exit: IsolateExit, done: DoneReason | null, killed: boolean): TargetExit<FindingMessage> {
  const base = { loadTimeout: exit.fatal?.loadTimeout ?? false, crash: exit.crash, outputTail: exit.outputTail, code: exit.code, signal: exit.signal };
  if (exit.crash) return { ...base, reason: 'crashed', message: exit.crash.finding.message };
  if (exit.fatal) return { ...base, reason: 'failed', message: exit.fatal.message };
  if (exit.killedForSilence) return { ...base, reason: 'unresponsive', message: 'the isolate host stopped responding and was killed' };
  if (done) return { ...base, reason: done === 'stopped' ? 'stopped' : 'finished', message: null };
  if (killed) return { ...base, reason: 'killed', message: 'the isolate host was killed' };
  return { ...base, reason: 'crashed', message: describeHostExit(exit) };
}

export class IsolateDriver implements TargetDriver<IsolateMeasure, FindingMessage, SnapshotMessage> {
  constructor(private readonly options: IsolateDriverOptions) {}

  measure(phase: IsolateMeasure, listener: IsolateListener): RunningTarget<FindingMessage> {
    return this.start(
      {
        scenario: this.options.scenario,
        seed: this.options.seed,
        mode: { kind: 'fuzz', durationMs: phase.durationMs, calls: phase.calls },
        seeds: phase.seeds,
        confirmRepeats: phase.confirmRepeats ?? 2,
        snapshotIntervalMs: phase.snapshotIntervalMs ?? 250,
        generation: phase.generation ?? 0,
        avoid: phase.avoid ?? [],
        ...(phase.phase ? { phase: phase.phase } : {}),
        ...(phase.chaos ? { chaos: phase.chaos } : {}),
        ...(phase.recordEveryInput ? { recordEveryInput: true } : {}),
      },
      listener,
    );
  }

  call(input: Uint8Array, repeats: number, listener: IsolateListener = {}): RunningTarget<FindingMessage> & { readonly outcome: Promise<CallOutcome<FindingMessage>> } {
    let result: ReplayResultMessage | null = null;
    let failure: FindingMessage | null = null;
    const running = this.start(
      { scenario: this.options.scenario, seed: this.options.seed, mode: { kind: 'replay', input, repeats }, seeds: [], confirmRepeats: 0, snapshotIntervalMs: 1000, generation: 0, avoid: [] },
      listener,
      (event) => {
        if (event.type === 'replay-result') result = event;
        else if (event.type === 'finding' && failure === null && FAILED_CALL_KINDS.has(event.kind)) failure = event;
      },
    );
    const outcome = running.exited.then((exit) => ({ latenciesMs: result?.latenciesMs ?? [], threw: result?.threw ?? null, failure, exit }));
    return { ...running, outcome };
  }

  private start(config: IsolateConfig, listener: IsolateListener, also?: (event: HostEvent) => void): RunningTarget<FindingMessage> {
    let generation = config.generation;
    let done: DoneReason | null = null;
    let killed = false;
    let markReady: (ready: TargetReady) => void = () => undefined;
    let failStart: (error: TargetStartError) => void = () => undefined;
    const ready = new Promise<TargetReady>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    ready.catch(() => undefined); // a caller that only awaits `exited` must not see an unhandled rejection
    const onEvent = (event: HostEvent): void => {
      also?.(event);
      if (event.type === 'ready') {
        const target = { engine: event.engine, pid: event.pid };
        listener.onReady?.(target);
        markReady(target);
      }
      else if (event.type === 'snapshot') listener.onSnapshot?.(event, generation);
      else if (event.type === 'finding') listener.onFinding?.(event);
      else if (event.type === 'interesting') listener.onKept?.(event.inputs);
      else if (event.type === 'done') done = event.reason;
      else if (event.type === 'restart') {
        generation = event.generation;
        listener.onRestart?.(event.generation, event.reason);
      }
    };
    const isolate = startIsolate(config, { onEvent, ...(this.options.nodeFlags ? { nodeFlags: this.options.nodeFlags } : {}) });
    const exited = isolate.exited.then((exit) => {
      const target = targetExitOf(exit, done, killed);
      failStart(new TargetStartError(target)); // no effect once ready
      return target;
    });
    return {
      ready,
      stop: () => isolate.stop(),
      kill: () => {
        killed = true;
        isolate.kill();
      },
      exited,
    };
  }
}
