/**
 * Small HTML building blocks shared by the report's sections. Every argument that may hold
 * results data is escaped here; callers pass raw strings except where a parameter is
 * documented as already-rendered HTML.
 */
import { escapeHtml, truncateText } from '../escape.ts';
import { formatMs } from '../format.ts';
import type { ChaosInForce, Verdict } from '../../core/results-schema.ts';

/**
 * Size budget shared by all sections of one report: flame-graph rectangles dominate the
 * file size (~250 bytes each), so the report draws at most this many in total.
 */
export interface RenderBudget {
  flameRectsLeft: number;
}

export const REPORT_FLAME_RECT_BUDGET = 5000;

const VERDICT_CLASS: Record<Verdict, string> = { PASS: 'pass', FAIL: 'fail', INCONCLUSIVE: 'inc' };

/** CSS class for a verdict; unknown values (a damaged file) read as inconclusive. */
export function verdictClass(verdict: string): string {
  return Object.hasOwn(VERDICT_CLASS, verdict) ? VERDICT_CLASS[verdict as Verdict] : 'inc';
}

export function badge(verdict: string): string {
  return `<span class="badge ${verdictClass(verdict)}">${escapeHtml(verdict)}</span>`;
}

/** A definition list; labels and values are raw text (escaped here). */
export function kvList(rows: ReadonlyArray<readonly [string, string | number | null | undefined]>): string {
  const body = rows
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${v === null ? '<span class="muted">n/a</span>' : escapeHtml(v, { mark: true })}</dd>`)
    .join('');
  return `<dl class="kv">${body}</dl>`;
}

/** A table from raw text cells; `numeric` marks columns to right-align. */
export function textTable(headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, numeric: readonly number[] = []): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${escapeHtml(c, { mark: true })}</td>`).join('')}</tr>`)
    .join('');
  return `<table class="data"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A block of text from results (messages, stacks): escaped, newlines kept, bounded. */
export function preBlock(text: string, maxChars = 8000): string {
  const cut = truncateText(text, maxChars);
  const note = cut.truncated ? `<p class="note">Truncated to the first ${maxChars} of ${text.length} characters.</p>` : '';
  return `<pre>${escapeHtml(cut.text, { keepNewlines: true, mark: true })}</pre>${note}`;
}

/** A copyable command (click selects all of it). */
export function commandBlock(command: string): string {
  return `<code class="cmd">${escapeHtml(truncateText(command, 4000).text, { mark: true })}</code>`;
}

export function notRecorded(what: string): string {
  return `<p class="muted">${escapeHtml(what)}: not recorded in this run.</p>`;
}

/** One-line chaos summary for the overview table. */
export function chaosSummary(chaos: ChaosInForce | undefined): string {
  if (!chaos) return 'not recorded';
  const parts: string[] = [];
  if (chaos.pareto) parts.push(`Pareto latency scale ${formatMs(chaos.pareto.scaleMs)}, α ${chaos.pareto.alpha}`);
  if (chaos.toxics.length > 0) parts.push(`${chaos.toxics.length} toxic(s): ${chaos.toxics.map((t) => t.type).join(', ')}`);
  if (chaos.cpuStress) parts.push(`CPU: ${chaos.cpuStress.description}`);
  if (chaos.faultWindows.length > 0) parts.push(`${chaos.faultWindows.length} fault window(s)`);
  return parts.length > 0 ? parts.join('; ') : 'none';
}

/** The chaos in force as a block: Pareto parameters, toxics, CPU stress and fault windows. */
export function chaosBlock(chaos: ChaosInForce | undefined): string {
  if (!chaos) return notRecorded('Chaos');
  const out: string[] = [];
  out.push(
    kvList([
      ['Pareto latency', chaos.pareto ? `scale ${formatMs(chaos.pareto.scaleMs)}, alpha ${chaos.pareto.alpha}, cap ${chaos.pareto.capMs === null ? 'none' : formatMs(chaos.pareto.capMs)}` : 'none'],
      ['CPU stress', chaos.cpuStress ? `${chaos.cpuStress.description} (${chaos.cpuStress.backend}, ${chaos.cpuStress.workers} workers, duty ${Math.round(chaos.cpuStress.duty * 100)}%)` : 'none'],
    ]),
  );
  if (chaos.toxics.length > 0) {
    out.push(
      textTable(
        ['proxy', 'toxic', 'type', 'stream', 'toxicity', 'attributes'],
        chaos.toxics.map((t) => [t.proxy, t.name, t.type, t.stream, t.toxicity, Object.entries(t.attributes).map(([k, v]) => `${k}=${String(v)}`).join(', ')]),
        [4],
      ),
    );
  } else {
    out.push('<p class="muted">No toxics.</p>');
  }
  if (chaos.faultWindows.length > 0) {
    out.push(
      textTable(
        ['fault window', 'start', 'end'],
        chaos.faultWindows.slice(0, 50).map((w) => [w.label, formatMs(w.startMs), formatMs(w.endMs)]),
        [1, 2],
      ),
    );
  }
  return out.join('');
}
