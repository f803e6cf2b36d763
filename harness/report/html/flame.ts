/**
 * Flame graphs (icicle layout: root on top) from aggregated folded stacks, as inline SVG.
 * Bounded output: frames narrower than MIN_WIDTH_PX or deeper than MAX_DEPTH are dropped
 * (their samples still count in their parents), and at most MAX_RECTS rectangles are drawn,
 * so a graph stays a few hundred KB at most whatever the stack set.
 */
import { fnv1aString } from '../../core/hash.ts';
import { escapeHtml, truncateText } from '../escape.ts';
import { formatShare } from '../format.ts';
import type { FindingStacks } from '../../core/results-schema.ts';
import { px } from './svg.ts';

export interface FlameNode {
  name: string;
  /** Samples in this frame and everything it called. */
  total: number;
  /** Samples with this frame on top. */
  self: number;
  children: Map<string, FlameNode>;
}

const WIDTH = 1000;
const ROW = 17;
const MIN_WIDTH_PX = 1; // 0.1% of samples, flamegraph.pl's default minimum width
const MAX_DEPTH = 48;
/** Rectangles per graph; the caller may lower it further through FlameOptions.maxRects. */
export const MAX_RECTS = 1000;
const CHAR_PX = 6.2;

/** Merges folded stacks (root-first, `;`-separated) into one tree under a synthetic root. */
export function buildFlameTree(folded: ReadonlyArray<{ stack: string; count: number }>): FlameNode {
  const root: FlameNode = { name: 'all', total: 0, self: 0, children: new Map() };
  for (const { stack, count } of folded) {
    if (!(count > 0)) continue;
    root.total += count;
    let node = root;
    for (const frame of stack.split(';')) {
      if (frame.length === 0) continue;
      let child = node.children.get(frame);
      if (!child) {
        child = { name: frame, total: 0, self: 0, children: new Map() };
        node.children.set(frame, child);
      }
      child.total += count;
      node = child;
    }
    node.self += count;
  }
  return root;
}

/** Deterministic warm colour from a frame name (classic flame-graph palette). */
function warmColour(name: string): string {
  const hash = fnv1aString(name.slice(0, 200));
  const h = hash % 55;
  const l = 52 + ((hash >>> 8) % 14);
  return `hsl(${h} 85% ${l}%)`;
}

/** Red when the frame is hotter in the violation than in the baseline, blue when colder. */
function diffColour(delta: number): string {
  const strength = Math.min(1, Math.abs(delta) / 0.25);
  const l = Math.round(92 - strength * 40);
  return delta >= 0 ? `hsl(0 80% ${l}%)` : `hsl(215 80% ${l}%)`;
}

export interface FlameOptions {
  title: string;
  /**
   * Per-frame violation-minus-baseline share. When given, each rectangle also carries its
   * diff colour (CSS variable --d) and a checkbox with id `toggleId` switches the graph to
   * it: one graph, two colourings, no script.
   */
  diff?: ReadonlyMap<string, number>;
  /** Generated id (never from data) for the diff toggle. */
  toggleId?: string;
  /** At most this many rectangles (bounded by MAX_RECTS). */
  maxRects?: number;
}

interface Placed {
  node: FlameNode;
  x: number;
  width: number;
  depth: number;
}

/** Breadth-first layout so that, when the rectangle cap is hit, shallow frames win. */
function layout(root: FlameNode, maxRects: number): { placed: Placed[]; depth: number; dropped: number } {
  const placed: Placed[] = [];
  const queue: Placed[] = [{ node: root, x: 0, width: WIDTH, depth: 0 }];
  let dropped = 0;
  let maxDepth = 0;
  for (let head = 0; head < queue.length; head++) {
    const item = queue[head] as Placed;
    if (placed.length >= maxRects) {
      dropped++;
      continue;
    }
    placed.push(item);
    maxDepth = Math.max(maxDepth, item.depth);
    if (item.depth + 1 > MAX_DEPTH) continue;
    let x = item.x;
    const children = [...item.node.children.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const child of children) {
      const width = (child.total / root.total) * WIDTH;
      if (width >= MIN_WIDTH_PX) queue.push({ node: child, x, width, depth: item.depth + 1 });
      else dropped++;
      x += width;
    }
  }
  return { placed, depth: maxDepth + 1, dropped };
}

/** The flame graph as an SVG figure; hover titles give each frame's samples and share. */
export function flameGraph(folded: ReadonlyArray<{ stack: string; count: number }>, options: FlameOptions): { html: string; rects: number } {
  const root = buildFlameTree(folded);
  if (root.total === 0) return { html: '<p class="muted">No stack samples.</p>', rects: 0 };
  const { placed, depth, dropped } = layout(root, Math.max(1, Math.min(MAX_RECTS, options.maxRects ?? MAX_RECTS)));
  const height = depth * ROW + 2;
  const parts = [`<svg class="flame" viewBox="0 0 ${WIDTH} ${height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(options.title)}"><title>${escapeHtml(options.title)}</title>`];
  for (const { node, x, width, depth: d } of placed) {
    const name = truncateText(node.name, 300).text;
    const delta = options.diff?.get(node.name);
    const diffNote = delta === undefined ? '' : `, ${delta >= 0 ? '+' : '−'}${formatShare(Math.abs(delta))} vs baseline`;
    const diffStyle = options.diff ? ` style="--d:${diffColour(delta ?? 0)}"` : '';
    const label = width >= 30 ? truncateText(node.name, Math.floor((width - 6) / CHAR_PX)).text : '';
    parts.push(
      `<g><title>${escapeHtml(name)} — ${node.total} samples (${formatShare(node.total / root.total)}), self ${node.self}${escapeHtml(diffNote)}</title>` +
        `<rect x="${px(x)}" y="${d * ROW}" width="${px(Math.max(width - 0.4, 0.3))}" height="${ROW - 1}" fill="${warmColour(node.name)}"${diffStyle}/>` +
        (label ? `<text x="${px(x + 3)}" y="${d * ROW + 12}">${escapeHtml(label)}</text>` : '') +
        '</g>',
    );
  }
  parts.push('</svg>');
  const note = dropped > 0 ? ` ${dropped} narrow, deep or over-limit frames not drawn (the folded stacks in results.json have them all).` : '';
  const toggle = options.diff && options.toggleId
    ? `<input type="checkbox" class="diff-toggle" id="${options.toggleId}"><label for="${options.toggleId}">colour by change against baseline (red: hotter in the violation, blue: colder)</label>`
    : '';
  const figure = `<figure class="flame-fig">${parts.join('')}<figcaption>${escapeHtml(root.total)} samples; width is the share of samples, root on top.${escapeHtml(note)}</figcaption></figure>`;
  return { html: `<div class="flame-wrap">${toggle}${figure}</div>`, rects: placed.length };
}

/** Diff map for the flame graph: frame -> violation share minus baseline share. */
export function diffDeltas(stacks: FindingStacks): Map<string, number> | undefined {
  if (!stacks.diff || stacks.diff.length === 0) return undefined;
  return new Map(stacks.diff.map((d) => [d.frame, d.violationShare - d.baselineShare]));
}

/** The frames whose share moved most between baseline and violation. */
export function flameDiffTable(stacks: FindingStacks): string {
  if (!stacks.diff || stacks.diff.length === 0) return '<p class="muted">Baseline stacks: not recorded in this run.</p>';
  const top = [...stacks.diff]
    .sort((a, b) => Math.abs(b.violationShare - b.baselineShare) - Math.abs(a.violationShare - a.baselineShare))
    .slice(0, 15);
  const rows = top.map((d) => {
    const delta = d.violationShare - d.baselineShare;
    const cls = delta >= 0 ? 'worse' : 'better';
    const bar = Math.round(Math.min(1, Math.abs(delta)) * 100);
    return `<tr><td class="frame">${escapeHtml(truncateText(d.frame, 200).text, { mark: true })}</td><td class="num">${formatShare(d.violationShare)}</td><td class="num">${formatShare(d.baselineShare)}</td><td class="num ${cls}">${delta >= 0 ? '+' : '−'}${formatShare(Math.abs(delta))}</td><td><svg class="bar" viewBox="0 0 100 8" xmlns="http://www.w3.org/2000/svg"><rect class="${cls}" x="0" y="0" width="${bar}" height="8"/></svg></td></tr>`;
  });
  return `<table class="data diff"><thead><tr><th>frame (largest changes vs baseline)</th><th>violation</th><th>baseline</th><th>change</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
