/**
 * Minimal server-side SVG charting: scales, ticks, axes and a frame. Pure string building;
 * every text that may come from results goes through escapeHtml (SVG in HTML parses its
 * text content like HTML, so the same escape applies). Coordinates are rounded to 0.1 px
 * to keep files small.
 */
import { escapeHtml } from '../escape.ts';

export interface Scale {
  /** Data value -> pixel. */
  (value: number): number;
  domain: [number, number];
  range: [number, number];
  log: boolean;
}

/** A linear or log10 scale; a log scale clamps non-positive values to the domain's low end. */
export function makeScale(domain: [number, number], range: [number, number], log = false): Scale {
  let [d0, d1] = domain;
  if (log) {
    d0 = Math.max(d0, Number.MIN_VALUE);
    d1 = Math.max(d1, d0 * 10);
  } else if (d1 === d0) {
    d1 = d0 + 1;
  }
  const t = log ? Math.log10 : (v: number): number => v;
  const t0 = t(d0);
  const span = t(d1) - t0;
  const scale = ((value: number): number => {
    const v = log ? Math.max(value, d0) : value;
    return range[0] + ((t(v) - t0) / span) * (range[1] - range[0]);
  }) as Scale;
  scale.domain = [d0, d1];
  scale.range = range;
  scale.log = log;
  return scale;
}

/** About `count` round tick values covering a linear domain (1, 2, 5 x 10^k steps). */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? magnitude * 10;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Powers of ten in a log domain, with 2x and 5x subdivisions when it spans few decades. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(Math.max(min, Number.MIN_VALUE)));
  const hi = Math.ceil(Math.log10(Math.max(max, Number.MIN_VALUE)));
  const multipliers = hi - lo <= 2 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    for (const m of multipliers) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/** A number for an SVG attribute, 0.1 px precision. */
export function px(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return String(Math.round(value * 10) / 10);
}

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const DEFAULT_BOX: ChartBox = { width: 720, height: 280, left: 70, right: 20, top: 16, bottom: 44 };

/** Inner plotting area in pixels. */
export function plotArea(box: ChartBox): { x0: number; x1: number; y0: number; y1: number } {
  return { x0: box.left, x1: box.width - box.right, y0: box.height - box.bottom, y1: box.top };
}

/** Opens an SVG chart; `title` is escaped and also serves as the accessible name. */
export function svgOpen(box: ChartBox, title: string, cssClass = 'chart'): string {
  const t = escapeHtml(title);
  return `<svg class="${cssClass}" viewBox="0 0 ${box.width} ${box.height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${t}"><title>${t}</title>`;
}

export interface AxisOptions {
  ticks: number[];
  format: (value: number) => string;
  label: string;
}

/** Bottom axis with grid lines. */
export function xAxis(box: ChartBox, x: Scale, options: AxisOptions): string {
  const { y0, y1 } = plotArea(box);
  const parts = [`<g class="axis x">`, `<line x1="${px(x.range[0])}" x2="${px(x.range[1])}" y1="${px(y0)}" y2="${px(y0)}"/>`];
  for (const tick of options.ticks) {
    const xp = px(x(tick));
    parts.push(`<line class="grid" x1="${xp}" x2="${xp}" y1="${px(y0)}" y2="${px(y1)}"/>`);
    parts.push(`<text x="${xp}" y="${px(y0 + 16)}" text-anchor="middle">${escapeHtml(options.format(tick))}</text>`);
  }
  parts.push(`<text class="label" x="${px((x.range[0] + x.range[1]) / 2)}" y="${px(box.height - 6)}" text-anchor="middle">${escapeHtml(options.label)}</text>`);
  parts.push('</g>');
  return parts.join('');
}

/** Left axis with grid lines. */
export function yAxis(box: ChartBox, y: Scale, options: AxisOptions): string {
  const { x0, x1 } = plotArea(box);
  const parts = [`<g class="axis y">`, `<line x1="${px(x0)}" x2="${px(x0)}" y1="${px(y.range[0])}" y2="${px(y.range[1])}"/>`];
  for (const tick of options.ticks) {
    const yp = px(y(tick));
    parts.push(`<line class="grid" x1="${px(x0)}" x2="${px(x1)}" y1="${yp}" y2="${yp}"/>`);
    parts.push(`<text x="${px(x0 - 6)}" y="${yp}" dy="0.32em" text-anchor="end">${escapeHtml(options.format(tick))}</text>`);
  }
  const cy = (y.range[0] + y.range[1]) / 2;
  parts.push(`<text class="label" x="14" y="${px(cy)}" text-anchor="middle" transform="rotate(-90 14 ${px(cy)})">${escapeHtml(options.label)}</text>`);
  parts.push('</g>');
  return parts.join('');
}

/** A polyline path through points (already in pixels), skipping non-finite ones. */
export function linePath(points: Array<[number, number]>, cssClass: string): string {
  const finite = points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  if (finite.length === 0) return '';
  const d = finite.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${px(a)} ${px(b)}`).join('');
  return `<path class="${cssClass}" d="${d}"/>`;
}

/**
 * A horizontal reference line across the plot with a label (escaped). `slot` shifts the
 * label left by a fixed step so that labels of nearby lines do not overprint each other.
 */
export function horizontalRule(box: ChartBox, yPixel: number, label: string, cssClass: string, slot = 0): string {
  const { x0, x1 } = plotArea(box);
  const lx = Math.max(x0 + 100, x1 - 4 - slot * 150);
  return `<g class="${cssClass}"><line x1="${px(x0)}" x2="${px(x1)}" y1="${px(yPixel)}" y2="${px(yPixel)}"/><text x="${px(lx)}" y="${px(yPixel - 4)}" text-anchor="end">${escapeHtml(label)}</text></g>`;
}

/** A vertical error bar (whisker) from y pixel a to b at x. */
export function whisker(xPixel: number, yLow: number, yHigh: number, cssClass = 'whisker'): string {
  const x = px(xPixel);
  return `<path class="${cssClass}" d="M${x} ${px(yLow)}V${px(yHigh)}M${px(xPixel - 4)} ${px(yLow)}h8M${px(xPixel - 4)} ${px(yHigh)}h8"/>`;
}

/** A small filled circle (a measured point). */
export function dot(xPixel: number, yPixel: number, cssClass = 'dot', title?: string): string {
  const body = title === undefined ? '' : `<title>${escapeHtml(title)}</title>`;
  return `<circle class="${cssClass}" cx="${px(xPixel)}" cy="${px(yPixel)}" r="3">${body}</circle>`;
}

/** The domain [min, max] of a list of numbers, ignoring non-finite values; null when empty. */
export function extent(values: readonly number[]): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? [min, max] : null;
}
