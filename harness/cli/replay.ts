/**
 * `slo-harness replay <violation.json>`: reproduces one finding in seconds. The saved input
 * runs once in each of N fresh warm workers of the probe isolate (drivers/isolate/probe.ts), so
 * every call is a first call: targets that memoise (LRU caches) would answer a repeat in
 * one warm worker from their cache and hide the violation. Same watchdog as a run: a call
 * over the scenario's timeout is killed and counted as a timeout. Latencies exclude time
 * the thread waited for a CPU (see ProbeCall.ms), so a busy machine does not fake a finding.
 */
import path from 'node:path';
import { readViolation } from '../engine/corpus.ts';
import { ContainmentError, resolveInside } from '../core/contain.ts';
import { encodingFor } from '../engine/feeders.ts';
import { previewInput } from '../engine/input-preview.ts';
import { CorpusStore } from '../engine/corpus.ts';
import { judgeReplay } from '../pipeline/regression.ts';
import { formatMs } from '../core/duration.ts';
import { medianLow } from '../core/stats.ts';
import { loadScenarioFile, UsageError } from '../scenario/load.ts';
import { startProbe } from '../drivers/isolate/probe.ts';
import type { ProbeCall } from '../drivers/isolate/probe-protocol.ts';

export interface ReplayOutcome {
  reproduced: boolean;
  summary: string;
  latenciesMs: number[];
  /** How each first call ended. */
  calls: ProbeCall[];
}

/** Fresh workers at most: each costs a target load, and 5 first calls decide a median well. */
const MAX_WORKERS = 5;

export async function replayViolation(metaFile: string, repeats: number): Promise<ReplayOutcome> {
  const absMeta = path.resolve(metaFile);
  let violation;
  try {
    violation = await readViolation(absMeta);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { record, input } = violation;
  const scenarioFile = await trustedScenarioFile(absMeta, record.scenarioFile);
  const scenarios = await loadScenarioFile(scenarioFile);
  const scenario = scenarios.find((s) => s.name === record.scenario);
  if (!scenario) throw new UsageError(`${metaFile}: scenario ${JSON.stringify(record.scenario)} is no longer in ${scenarioFile}`);
  // A service finding needs the whole service stack (processes, proxies, load), not an isolate.
  if (scenario.kind === 'service') throw new UsageError(`${metaFile}: findings of HTTP service scenarios replay by re-running the scenario: ${record.replay}`);

  const seeds = await new CorpusStore(scenario.input.corpusDir).loadSeeds(encodingFor(scenario.input.type));
  const probe = await startProbe(scenario, { workers: Math.min(MAX_WORKERS, repeats), seed: record.seed, warmup: seeds.slice(0, 8) });
  let calls: ProbeCall[];
  try {
    calls = (await probe.measure(input)).calls;
  } finally {
    await probe.close();
  }
  const latencies = calls.map((c) => c.ms);
  const median = latencies.length === 0 ? 0 : medianLow(latencies);
  const budget = scenario.slo.perCallMs;
  const lines = [`replaying ${record.kind} finding ${record.id} of scenario ${record.scenario} (${input.length} bytes): ${previewInput(input, record.encoding, 120)}`];
  lines.push(`first calls in ${calls.length} fresh workers: ${calls.map(describeCall).join(', ')} (median ${formatMs(median)}, per-call budget ${formatMs(budget)})`);
  const broken = calls.find((c) => c.kind !== 'ok');
  const judged = judgeReplay(record.kind, calls, budget);
  if (judged.status === 'still-failing' && broken && broken.kind !== 'threw') {
    lines.push(`reproduced: ${broken.kind} after ${formatMs(broken.ms)}: ${broken.message ?? ''}`);
  } else if (judged.status === 'still-failing' && record.kind === 'error' && broken) {
    lines.push(`reproduced: the target threw ${broken.message ?? ''}`);
  } else {
    lines.push(judged.status === 'still-failing' ? 'reproduced: median first-call latency exceeds the budget' : 'not reproduced: the input no longer violates the budget');
  }
  return { reproduced: judged.status === 'still-failing', summary: lines.join('\n'), latenciesMs: latencies, calls };
}

/** "12.3ms", with the wall time when waiting for a CPU added to it, and how it ended when not normally. */
function describeCall(call: ProbeCall): string {
  const queued = call.queuedMs !== undefined && call.queuedMs >= 0.05 * call.ms && call.wallMs !== undefined ? ` (wall ${formatMs(call.wallMs)})` : '';
  return `${formatMs(call.ms)}${queued}${call.kind === 'ok' ? '' : ` (${call.kind})`}`;
}

/**
 * The project root of a record at `<root>/corpora/<scenario>/violations/<id>.json`, or null
 * when the record is not laid out so (then no scenario folder can vouch for its scenario).
 */
export function projectRootOf(metaFile: string): string | null {
  const violations = path.dirname(metaFile);
  const corpora = path.dirname(path.dirname(violations));
  if (path.basename(violations) !== 'violations' || path.basename(corpora) !== 'corpora') return null;
  return path.dirname(corpora);
}

/**
 * Replay imports the scenario file, i.e. runs its code: a record (a data file that may have
 * arrived with a repository) may only name a scenario file whose real path lies in the
 * project's `scenarios/` folder. Anything else is refused (exit 2), never imported.
 */
async function trustedScenarioFile(metaFile: string, named: string): Promise<string> {
  const howTo = 'replay the findings with `slo-harness run <scenario file> --regression`, naming the scenario file yourself';
  const root = projectRootOf(metaFile);
  if (!root) {
    throw new UsageError(`${metaFile}: a record is replayed only from <project>/corpora/<scenario>/violations/, where the project's scenarios/ folder vouches for the scenario it names\n  fix: ${howTo}`);
  }
  const scenariosDir = path.join(root, 'scenarios');
  try {
    return await resolveInside(scenariosDir, path.resolve(path.dirname(metaFile), named), { dataFile: metaFile, field: 'scenarioFile' });
  } catch (error) {
    if (!(error instanceof ContainmentError)) throw error;
    throw new UsageError(
      `${metaFile}: field scenarioFile: the record names a scenario file outside the project's scenarios folder ${scenariosDir} (or one that does not exist); it is not run\n  fix: ${howTo}`,
    );
  }
}
