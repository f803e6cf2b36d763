/**
 * Coverage from V8's own precise block coverage, read through node:inspector on the
 * current thread (Profiler.startPreciseCoverage({ callCount, detailed })).
 *
 * Why this mechanism: the target runs inside a worker thread, loaded as ESM/TS through
 * tsx's loader hooks. V8 instruments whatever it compiles, whatever loader produced the
 * source, so this works for ESM, CJS, TS and eval'd code alike, needs no babel pass, no
 * loader chaining and no native addon; a same-thread inspector session answers
 * synchronously, so the engine can read it between two calls. Jazzer's instrumentor
 * would give cheaper counters, but it needs its ESM loader registered (on the process's
 * loader thread) before the target is imported, chained after tsx, plus its `Fuzzer`
 * global backed by the native addon; that belongs to the Jazzer engine, not to an
 * engine that must work when the addon does not load.
 *
 * Cost, measured here (Node 20.20, 2-core VM): enabling it slowed a small parser loop by
 * ~6%; each takePreciseCoverage costs ~1.5-2 ms (it serialises every script's ranges
 * through the protocol), so a call observed in isolation costs two takes (~3.5 ms). The
 * builtin engine therefore samples calls (see builtin/coverage-sampling.ts), it does not
 * observe every call. The counts are also a deterministic cost (executed blocks), the
 * PerfFuzz signal; regex matching runs inside irregexp and shows no blocks, which is why
 * the engine keeps measured latency as a second cost.
 */
import { Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { FeatureIndex, type CoverageProbe, type CoverageSample, type ScriptCoverageLike, type ScriptFilter } from './features.ts';

export interface V8BlockCoverageOptions {
  /** Which scripts are the target's (default: not node internals, not node_modules, not the harness). */
  include?: ScriptFilter;
}

export type V8CoverageStart = { probe: CoverageProbe; reason: string } | { probe: null; reason: string };

const HARNESS_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Default script filter: the target's own files, not node, its dependencies or the harness. */
export function isTargetScript(url: string): boolean {
  if (!url.startsWith('file:')) return false;
  if (url.includes('/node_modules/')) return false;
  let path: string;
  try {
    path = fileURLToPath(url);
  } catch {
    return false;
  }
  return !path.startsWith(HARNESS_DIR);
}

/**
 * Starts block coverage on this thread. Returns a null probe with the reason when the
 * inspector is missing or answers asynchronously (the engine then runs on cost alone).
 */
export function startV8BlockCoverage(opts: V8BlockCoverageOptions = {}): V8CoverageStart {
  let session: Session;
  try {
    session = new Session();
    session.connect();
  } catch (error) {
    return { probe: null, reason: `node:inspector unavailable: ${String(error)}` };
  }
  try {
    postSync(session, 'Profiler.enable', {});
    postSync(session, 'Profiler.startPreciseCoverage', { callCount: true, detailed: true, allowTriggeredUpdates: false });
  } catch (error) {
    session.disconnect();
    return { probe: null, reason: `precise coverage unavailable: ${String(error)}` };
  }
  const index = new FeatureIndex(opts.include ?? isTargetScript);
  const take = (): ScriptCoverageLike[] =>
    (postSync(session, 'Profiler.takePreciseCoverage', {}) as { result: ScriptCoverageLike[] }).result;
  let stopped = false;
  const probe: CoverageProbe = {
    name: 'v8-block-coverage',
    reset: () => void take(),
    collect: (): CoverageSample => index.toSample(take()),
    stop: () => {
      if (stopped) return;
      stopped = true;
      try {
        postSync(session, 'Profiler.stopPreciseCoverage', {});
      } finally {
        session.disconnect();
      }
    },
  };
  return { probe, reason: 'V8 precise block coverage via node:inspector' };
}

/** A same-thread session answers inside post(); anything else would break the measured loop. */
function postSync(session: Session, method: string, params: object): unknown {
  let answered = false;
  let result: unknown;
  let failure: Error | null = null;
  session.post(method, params, (error: Error | null, value?: object) => {
    answered = true;
    failure = error;
    result = value;
  });
  if (!answered) throw new Error(`inspector answered ${method} asynchronously`);
  if (failure) throw failure;
  return result;
}
