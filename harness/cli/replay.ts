/**
 * `slo-harness replay <violation.json>`: reproduces one finding in seconds by calling
 * the target with the saved input inside a fresh isolate (same watchdog as a run).
 */
import path from 'node:path';
import { readViolation } from '../engine/corpus.ts';
import { previewInput } from '../engine/input-preview.ts';
import { initHistograms } from '../measure/histogram.ts';
import { formatMs } from '../scenario/duration.ts';
import { loadScenarioFile, UsageError } from '../scenario/load.ts';
import { startIsolate } from '../target/isolate.ts';
import type { FindingMessage, HostEvent, ReplayResultMessage } from '../target/protocol.ts';

export interface ReplayOutcome {
  reproduced: boolean;
  summary: string;
  latenciesMs: number[];
  finding: FindingMessage | null;
}

export async function replayViolation(metaFile: string, repeats: number): Promise<ReplayOutcome> {
  await initHistograms();
  let violation;
  try {
    violation = await readViolation(path.resolve(metaFile));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { record, input } = violation;
  const scenarioFile = path.resolve(path.dirname(path.resolve(metaFile)), record.scenarioFile);
  const scenarios = await loadScenarioFile(scenarioFile);
  const scenario = scenarios.find((s) => s.name === record.scenario);
  if (!scenario) throw new UsageError(`${metaFile}: scenario ${JSON.stringify(record.scenario)} is no longer in ${scenarioFile}`);

  let result: ReplayResultMessage | null = null;
  let finding: FindingMessage | null = null;
  let fatal: string | null = null;
  const onEvent = (event: HostEvent): void => {
    if (event.type === 'replay-result') result = event;
    else if (event.type === 'finding' && !finding) finding = event;
    else if (event.type === 'fatal') fatal = event.message;
  };
  const isolate = startIsolate(
    { scenario, seed: record.seed, mode: { kind: 'replay', input, repeats }, seeds: [], confirmRepeats: 0, snapshotIntervalMs: 1000, generation: 0, avoid: [] },
    { onEvent },
  );
  await isolate.exited;
  if (fatal) throw new Error(`replay failed: ${fatal}`);

  const budget = record.budgetMs;
  const lines = [`replaying ${record.kind} finding ${record.id} of scenario ${record.scenario} (${input.length} bytes): ${previewInput(input, record.encoding, 120)}`];
  const found = finding as FindingMessage | null;
  const replayed = result as ReplayResultMessage | null;
  if (found) {
    lines.push(`reproduced: ${found.kind} after ${formatMs(found.latencyMs)}: ${found.message ?? ''}`);
    return { reproduced: true, summary: lines.join('\n'), latenciesMs: [found.latencyMs], finding: found };
  }
  const latencies = replayed?.latenciesMs ?? [];
  const sorted = [...latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  lines.push(`latencies: ${latencies.map(formatMs).join(', ')} (median ${formatMs(median)}, budget ${formatMs(budget)})`);
  if (replayed?.threw && record.kind === 'error') {
    lines.push(`reproduced: the target threw ${replayed.threw.message}`);
    return { reproduced: true, summary: lines.join('\n'), latenciesMs: latencies, finding: null };
  }
  const reproduced = record.kind !== 'error' && median > budget;
  lines.push(reproduced ? 'reproduced: median latency exceeds the budget' : 'not reproduced: the input no longer violates the budget');
  return { reproduced, summary: lines.join('\n'), latenciesMs: latencies, finding: null };
}
