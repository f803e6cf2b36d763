/**
 * The root-cause card of one finding: what broke (kind, latency vs budget), the minimal
 * input (text and hex), how latency grows with its size, the chaos in force, where the
 * time went (top frames, flame graph, diff against baseline) and the replay command.
 */
import { escapeHtml, truncateText } from '../escape.ts';
import { formatCount, formatMs, formatShare } from '../format.ts';
import type { Finding, FindingStacks, FrameShare, GrowthFit, ScenarioResult } from '../../core/results-schema.ts';
import { growthChart } from './charts.ts';
import { diffDeltas, flameDiffTable, flameGraph } from './flame.ts';
import { inputHex, inputPreview } from './input.ts';
import { chaosSummary, commandBlock, kvList, notRecorded, preBlock, type RenderBudget } from './parts.ts';

const KIND_TITLE: Record<string, string> = {
  slow: 'Slow call',
  timeout: 'Timeout (watchdog killed the call)',
  crash: 'Crash',
  exit: 'Process exit',
  oom: 'Out of memory',
  error: 'Error thrown',
};

function cardTitle(finding: Finding): string {
  const kind = Object.hasOwn(KIND_TITLE, finding.kind) ? (KIND_TITLE[finding.kind] as string) : finding.kind;
  const ratio = finding.budgetMs > 0 ? ` (${(finding.latencyMs / finding.budgetMs).toFixed(1)}× budget)` : '';
  return `${kind}: ${formatMs(finding.latencyMs)} vs budget ${formatMs(finding.budgetMs)}${ratio}`;
}

function growthBlock(growth: GrowthFit | undefined, budgetMs: number): string {
  if (!growth) return notRecorded('Growth with input size');
  const shape =
    growth.class === 'polynomial' ? `latency ~ n^${growth.exponentOrBase.toFixed(2)}`
      : growth.class === 'exponential' ? `latency ~ ${growth.exponentOrBase.toFixed(3)}^n`
        : growth.class === 'linear' ? 'latency ~ n' : 'latency independent of n';
  const crossing = growth.predictedCrossingSize === null ? 'not predicted' : `${formatCount(growth.predictedCrossingSize)} bytes`;
  return (
    kvList([
      ['Growth class', `${growth.class} (${shape})`],
      ['Fit R²', growth.r2.toFixed(3)],
      ['Budget crossed at size', crossing],
    ]) + (growth.points.length > 0 ? growthChart(growth, budgetMs) : '')
  );
}

function frameTable(title: string, frames: readonly FrameShare[]): string {
  if (frames.length === 0) return '';
  const rows = frames
    .slice(0, 10)
    .map((f) => `<tr><td class="frame">${escapeHtml(truncateText(f.frame, 300).text, { mark: true })}</td><td class="num">${escapeHtml(formatCount(f.count))}</td><td class="num">${escapeHtml(formatShare(f.share))}</td></tr>`)
    .join('');
  return `<table class="data"><thead><tr><th>${escapeHtml(title)}</th><th>samples</th><th>share</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Exported for the service block (extras.ts): a service's load-phase stacks render the same way. */
export function stacksBlock(stacks: FindingStacks | undefined, anchor: string, budget: RenderBudget): string {
  if (!stacks) return notRecorded('Stack samples');
  const cpu = stacks.onCpuRatio === null ? 'not measured by this backend' : `${formatShare(stacks.onCpuRatio)} on CPU, ${formatShare(1 - stacks.onCpuRatio)} off CPU`;
  const off = stacks.offCpu;
  const header = kvList([
    ['Tracer', stacks.backend],
    ['Why this tracer', stacks.reason ?? undefined],
    ['Samples', stacks.samples === undefined ? undefined : `${formatCount(stacks.samples)}${stacks.windowMs === undefined ? '' : ` over ${formatMs(stacks.windowMs)} of violation windows`}`],
    ['On/off CPU', cpu],
    ['Off-CPU time', off === undefined ? undefined : `${formatMs(off.totalMs)}: ${formatMs(off.preemptedMs)} runnable but preempted (CPU contention), ${formatMs(off.blockedMs)} blocked (I/O, timers, locks, injected delay)`],
  ]);
  const tables =
    `<div class="grid2"><div>${frameTable('top frames (self)', stacks.topSelf)}</div><div>${frameTable('top frames (total)', stacks.topTotal)}</div></div>` +
    (off === undefined ? '' : frameTable('off-CPU frames (self, µs)', off.topSelf));
  let flame = '<p class="note">Flame graph omitted: the report\'s flame-graph size budget is spent (the folded stacks are in results.json).</p>';
  if (budget.flameRectsLeft > 0) {
    const diff = diffDeltas(stacks);
    const graph = flameGraph(stacks.folded, {
      title: 'Flame graph of the violation',
      maxRects: budget.flameRectsLeft,
      ...(diff ? { diff, toggleId: `${anchor}-diff` } : {}),
    });
    budget.flameRectsLeft -= graph.rects;
    flame = graph.html;
  }
  return header + tables + flame + foldedOtherNote(stacks) + flameDiffTable(stacks);
}

/** Says what the stored stacks leave out (results.json keeps only the heaviest; stack-cap.ts). */
function foldedOtherNote(stacks: FindingStacks): string {
  const other = stacks.foldedOther;
  if (!other || other.stacks === 0) return '';
  const kept = stacks.folded.reduce((n, s) => n + s.count, 0);
  const share = kept + other.count > 0 ? other.count / (kept + other.count) : 0;
  return `<p class="note">${escapeHtml(`The graph shows the ${formatCount(stacks.folded.length)} heaviest stacks; ${formatCount(other.stacks)} lighter stacks (${formatCount(other.count)} samples, ${formatShare(share)}) are counted but not stored.`)}</p>`;
}

/** Compact chaos line for a card (the scenario section has the full tables) and the fault windows active at the finding. */
function chaosInForce(scenario: ScenarioResult, finding: Finding): string {
  if (!scenario.chaos) return notRecorded('Chaos');
  const windows = scenario.chaos.faultWindows;
  const at = finding.offsetMs;
  const active = at === undefined
    ? 'first occurrence time not recorded'
    : `at first occurrence (${formatMs(at)}): ${windows.filter((w) => at >= w.startMs && at <= w.endMs).map((w) => w.label).join(', ') || 'no fault window active'}`;
  return kvList([['Chaos', chaosSummary(scenario.chaos)], ['Fault windows', windows.length === 0 ? 'none' : active]]);
}

/** Other violations that differ from this one only in repetition counts (see search/families.ts). */
function variantsText(ids: readonly string[]): string {
  const shown = ids.slice(0, 10).join(', ');
  return `${formatCount(ids.length)} more violation(s) of this shape, not minimised again: ${shown}${ids.length > 10 ? ', …' : ''}`;
}

/** The card; `anchor` is a generated id (never from data). */
export function findingCard(finding: Finding, scenario: ScenarioResult, anchor: string, budget: RenderBudget): string {
  const parts: string[] = [];
  parts.push(`<article class="card finding" id="${anchor}">`);
  parts.push(`<h4 class="card-title">${escapeHtml(cardTitle(finding))}</h4>`);
  parts.push(
    kvList([
      ['Finding id', finding.id],
      ['Kind', finding.kind],
      ['Occurrences', formatCount(finding.occurrences)],
      ['Injected delay', finding.injectedMs === undefined ? undefined : `${formatMs(finding.injectedMs)} of the ${formatMs(finding.latencyMs)} came from injected dependency delay`],
      ['Confirmed on first calls', finding.firstCallLatenciesMs === undefined ? undefined : finding.firstCallLatenciesMs.map((v) => formatMs(v)).join(', ')],
      ['Minimised from finding', finding.originalId],
      ['Same-shape variants', finding.variants === undefined ? undefined : variantsText(finding.variants)],
      ['First seen', finding.firstSeenAt],
      ['Input file', finding.input.file],
      ['Metadata file', finding.metaFile],
    ]),
  );
  if (finding.message !== null) parts.push('<h4>Message</h4>', preBlock(finding.message, 2000));
  parts.push('<h4>Minimised input</h4>', inputPreview(finding), inputHex(finding));
  parts.push('<h4>Growth with input size</h4>', growthBlock(finding.growth, finding.budgetMs));
  parts.push('<h4>Chaos in force</h4>', chaosInForce(scenario, finding));
  parts.push('<h4>Where the time went</h4>', stacksBlock(finding.stacks, anchor, budget));
  if (finding.stack !== null) parts.push('<details><summary>Error stack</summary>', preBlock(finding.stack, 8000), '</details>');
  parts.push('<h4>Replay</h4>', commandBlock(finding.replay));
  parts.push('</article>');
  return parts.join('');
}

/** Findings past the card limit: a compact table so nothing is silently hidden. */
export function findingsOverflowTable(findings: readonly Finding[]): string {
  const rows = findings
    .map((f) => `<tr><td>${escapeHtml(f.id.slice(0, 16))}</td><td>${escapeHtml(f.kind)}</td><td class="num">${escapeHtml(formatMs(f.latencyMs))}</td><td>${escapeHtml(truncateText(f.input.preview, 60).text, { mark: true })}</td><td><code>${escapeHtml(truncateText(f.replay, 400).text, { mark: true })}</code></td></tr>`)
    .join('');
  return `<table class="data"><thead><tr><th>id</th><th>kind</th><th>latency</th><th>input</th><th>replay</th></tr></thead><tbody>${rows}</tbody></table>`;
}
