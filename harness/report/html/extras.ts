/**
 * Report blocks for the optional sections other phases add to a scenario: HTTP service
 * figures (corrected vs uncorrected latency, errors), the exploration phase, confirmation
 * and minimisation of findings, `--regression` replays, and the injected dependency delay.
 * Each renders only when its section is present; every value from results is escaped.
 */
import { escapeHtml, truncateText } from '../escape.ts';
import { formatCount, formatDuration, formatMs, formatShare } from '../format.ts';
import type {
  ChaosInForce, ExplorationSummary, InjectedDelaySummary, MinimisationSummary, RegressionSummary, ServiceStacks, ServiceStats,
} from '../../core/results-schema.ts';
import { stacksBlock } from './finding.ts';
import { commandBlock, kvList, textTable, type RenderBudget } from './parts.ts';

function pct(part: number, whole: number): string {
  return whole > 0 ? formatShare(part / whole) : 'n/a';
}

/** Flame-graph rectangles a service's stacks may draw when the caller passes no report budget. */
const SERVICE_FLAME_RECTS = 1500;

/** A stable, HTML-safe id per service (its origin holds the run's port). */
function serviceAnchor(service: ServiceStats): string {
  let h = 5381;
  for (const ch of `${service.origin} ${service.command.join(' ')}`) h = ((h * 33) ^ ch.charCodeAt(0)) >>> 0;
  return `service-${h.toString(16)}`;
}

/** The service's own stacks over the load phase (`--trace`): violating requests vs the rest, then the whole phase. */
export function serviceStacksBlock(stacks: ServiceStacks, anchor: string, budget: RenderBudget): string {
  const header = kvList([
    ['Tracer', stacks.backend],
    ['Why this tracer', stacks.reason ?? undefined],
    ['Violating requests', `${formatCount(stacks.requests.violating)} over ${formatMs(stacks.thresholdMs)} (${stacks.thresholdFrom}), ${formatCount(stacks.requests.baseline)} within; requests overlap, so a sample taken while any violating request was in flight counts for the violation`],
    ['Notes', stacks.notes.length > 0 ? stacks.notes.join('; ') : undefined],
  ]);
  const violation = stacks.violation ? `<h4>While violating requests were in flight</h4>${stacksBlock(stacks.violation, `${anchor}-violation`, budget)}` : '';
  const phase = stacks.phase ? `<h4>Whole load phase</h4>${stacksBlock(stacks.phase, `${anchor}-phase`, budget)}` : '';
  return header + violation + phase;
}

/** Corrected vs uncorrected latency side by side: the gap is coordinated omission. */
export function serviceBlock(service: ServiceStats, budget: RenderBudget = { flameRectsLeft: SERVICE_FLAME_RECTS }): string {
  const e = service.errors;
  const errorTotal = e.timeout + e.connection + e.status5xx + e.status4xx + e.other;
  const latency = textTable(
    ['latency', 'p50', 'p99', 'max'],
    [
      ['corrected (from intended send time; the SLO uses this)', formatMs(service.corrected.p50Ms), formatMs(service.corrected.p99Ms), formatMs(service.corrected.maxMs)],
      ['uncorrected (from actual send, as closed-loop tools report)', formatMs(service.uncorrected.p50Ms), formatMs(service.uncorrected.p99Ms), formatMs(service.uncorrected.maxMs)],
    ],
    [1, 2, 3],
  );
  const gap = service.uncorrected.p99Ms > 0 ? service.corrected.p99Ms / service.uncorrected.p99Ms : null;
  const deps = service.dependencies.length === 0
    ? ''
    : textTable(['dependency', 'upstream', 'reached through'], service.dependencies.map((d) => [d.name, d.upstream, d.proxied]));
  return (
    kvList([
      ['Service', service.origin],
      ['Load', `${formatCount(service.rate)} req/s open-loop asked, ${formatCount(service.achievedRate)} req/s achieved, ${formatCount(service.connections)} connection(s)`],
      ['Requests', `${formatCount(service.planned)} planned, ${formatCount(service.sent)} sent, ${formatCount(service.completed)} completed`],
      ['Errors', `${formatCount(errorTotal)} (${pct(errorTotal, service.sent)} of sent): ${formatCount(e.timeout)} timeouts, ${formatCount(e.connection)} connection errors, ${formatCount(e.status5xx)} 5xx, ${formatCount(e.status4xx)} 4xx, ${formatCount(e.other)} other`],
      ['Sender lag', `p99 ${formatMs(service.lagP99Ms)}, max ${formatMs(service.maxLagMs)} (included in the corrected latency)`],
      ['Coordinated omission', gap === null ? 'n/a' : `corrected p99 is ${gap.toFixed(2)}× the uncorrected p99`],
      ['Proxy', `${service.proxy.mode === 'external' ? 'external Toxiproxy (TOXIPROXY_URL)' : 'embedded Toxiproxy-API server'} at ${service.proxy.url}`],
    ]) +
    latency +
    deps +
    `<div class="meta">Service command</div>${commandBlock(service.command.join(' '))}` +
    (service.stacks ? `<div class="meta">Where the service spent its time</div>${serviceStacksBlock(service.stacks, serviceAnchor(service), budget)}` : '')
  );
}

export function explorationBlock(x: ExplorationSummary): string {
  return kvList([
    ['Engine', x.engine],
    ['Duration', formatDuration(x.durationMs)],
    ['Calls', `${formatCount(x.calls)} (${formatCount(x.callsPerSecond)}/s, instrumented: not part of the measured latency)`],
    ['Inputs kept', formatCount(x.kept)],
    ['Saved to the corpus', `${formatCount(x.interestingSaved)} new interesting input(s)`],
    ['Note', x.note ?? undefined],
  ]);
}

export function minimisationBlock(m: MinimisationSummary): string {
  return kvList([
    ['Confirmed on first calls', `${formatCount(m.confirmed)} (median over ${formatCount(m.probeWorkers)} fresh worker(s) over budget)`],
    ['Not reproduced', `${formatCount(m.unconfirmed)} (dropped from findings, kept as interesting inputs)`],
    ['Minimised', formatCount(m.minimised)],
    ['Same shape as a confirmed finding', m.variants === undefined ? undefined : `${formatCount(m.variants)} (listed as its variants, not minimised again)`],
    ['Kept as found', formatCount(m.keptRaw)],
    ['Not examined (time cap or interrupt)', m.unexamined === undefined ? undefined : `${formatCount(m.unexamined.length)} slow candidate(s), not listed as findings; inputs kept in violations/`],
    ['Time spent', formatDuration(m.timeSpentMs)],
    ['Probe error', m.error ?? undefined],
  ]);
}

const REGRESSION_ROWS = 200;

/** Saved violations replayed by `--regression`: which still fail, which are fixed. */
export function regressionBlock(r: RegressionSummary): string {
  const rows = r.entries.slice(0, REGRESSION_ROWS).map((e) => [
    e.status, e.id.slice(0, 16), e.kind, formatMs(e.medianMs), formatMs(e.budgetMs), e.latenciesMs.map((v) => formatMs(v)).join(', '), e.detail, e.metaFile,
  ]);
  const more = r.entries.length > REGRESSION_ROWS ? `<p class="note">${escapeHtml(r.entries.length - REGRESSION_ROWS)} more entries in results.json.</p>` : '';
  return (
    `<p>${escapeHtml(`${formatCount(r.replayed)} saved violation(s) replayed: ${formatCount(r.stillFailing)} still failing, ${formatCount(r.fixed)} fixed, ${formatCount(r.errors)} could not be replayed.`)}</p>` +
    (rows.length > 0 ? textTable(['status', 'id', 'kind', 'median', 'budget', 'first calls', 'detail', 'file'], rows, [3, 4]) : '') +
    more
  );
}

/** Injected delay per target call, by percentiles (a heavy-tailed delay has no useful mean). */
function injectedBlock(injected: InjectedDelaySummary): string {
  const p = injected.perCall;
  return (
    textTable(
      ['injected delay per call', 'n', 'p50', 'p90', 'p99', 'p99.9', 'max'],
      [['total over the call\'s dependency calls', formatCount(p.count), formatMs(p.p50Ms), formatMs(p.p90Ms), formatMs(p.p99Ms), formatMs(p.p999Ms), formatMs(p.maxMs)]],
      [1, 2, 3, 4, 5, 6],
    ) +
    kvList([
      ['Dependency calls', `${formatCount(injected.dependencyCalls)}: ${formatCount(injected.dependencyErrors)} injected errors, ${formatCount(injected.dependencyTimeouts)} timeouts`],
      ['Target calls that threw', formatCount(injected.failedCalls)],
    ])
  );
}

/** Function-target dependencies, injected-delay percentiles and the chaos note, when recorded. */
export function chaosExtras(chaos: ChaosInForce): string {
  const out: string[] = [];
  if (chaos.note !== undefined) out.push(`<p class="note">${escapeHtml(truncateText(chaos.note, 2000).text, { mark: true })}</p>`);
  if (chaos.dependencies && chaos.dependencies.length > 0) {
    out.push(
      textTable(
        ['dependency', 'Pareto latency', 'error rate', 'timeout'],
        chaos.dependencies.map((d) => [
          d.name,
          d.pareto ? `scale ${formatMs(d.pareto.scaleMs)}, α ${d.pareto.alpha}, cap ${d.pareto.capMs === null ? 'none' : formatMs(d.pareto.capMs)}` : 'none',
          formatShare(d.errorRate),
          d.timeoutMs === null ? 'none' : formatMs(d.timeoutMs),
        ]),
      ),
    );
  }
  if (chaos.injected) out.push(injectedBlock(chaos.injected));
  return out.join('');
}
