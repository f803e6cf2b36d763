import { describe, expect, it } from 'vitest';
import { HOSTILE, makeFinding, makeHostileFixture, makeResultsFixture, syntheticStacks } from '../../../test/report/fixtures.ts';
import { compareWithBaseline } from '../baseline.ts';
import { intensityChart, timelineChart } from './charts.ts';
import { buildFlameTree, flameGraph, MAX_RECTS } from './flame.ts';
import { REPORT_CSP, renderHtmlReport } from './index.ts';
import { hexDumpLines, parseHex, PREVIEW_MAX_CHARS } from './input.ts';
import { percentileCurve, quantileAxisLabel, quantileAxisPosition, tailQuantiles } from './percentiles.ts';

/** Every element the renderer may emit. Anything else in the output is injected markup. */
const ALLOWED_TAGS = new Set([
  'html', 'head', 'meta', 'title', 'style', 'body', 'header', 'main', 'nav', 'section', 'article', 'h1', 'h2', 'h3', 'h4', 'p', 'a',
  'dl', 'dt', 'dd', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'span', 'div', 'pre', 'code', 'details', 'summary', 'figure',
  'figcaption', 'svg', 'g', 'line', 'path', 'rect', 'circle', 'text', 'input', 'label',
]);
const ALLOWED_ATTRS = new Set([
  'lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'id', 'href', 'viewBox', 'xmlns', 'role', 'aria-label', 'x', 'y',
  'x1', 'x2', 'y1', 'y2', 'width', 'height', 'd', 'cx', 'cy', 'r', 'fill', 'style', 'text-anchor', 'dy', 'dx', 'transform', 'type', 'for',
]);

/** Checks every tag: known element, known attributes, all values quoted, nothing else inside the tag. */
function assertOnlyOwnMarkup(html: string): void {
  const body = html.replace(/^<!DOCTYPE html>/, '').replace(/<style>[\s\S]*?<\/style>/, '<style></style>');
  for (const [tag] of body.matchAll(/<\/?[a-zA-Z][^>]*>/g)) {
    const name = /^<\/?([a-zA-Z0-9]+)/.exec(tag)![1]!;
    expect(ALLOWED_TAGS.has(name), `unexpected element in ${tag.slice(0, 80)}`).toBe(true);
    const attrs = [...tag.matchAll(/\s([\w:-]+)="[^"]*"/g)].map((m) => m[1]!);
    for (const a of attrs) expect(ALLOWED_ATTRS.has(a), `unexpected attribute ${a} in ${tag.slice(0, 80)}`).toBe(true);
    const rest = tag.replace(/\s[\w:-]+="[^"]*"/g, '').replace(/^<\/?[a-zA-Z0-9]+/, '');
    expect(rest === '>' || rest === '/>', `stray content in tag ${tag.slice(0, 80)}`).toBe(true);
  }
  for (const m of body.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#[\w-]+$/);
}

describe('renderHtmlReport', () => {
  const results = makeResultsFixture({ calls: 20_000 });
  const html = renderHtmlReport(results);

  it('is one self-contained document with a strict CSP and no script, fetch or external reference', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
    expect(REPORT_CSP).toContain("script-src 'none'");
    expect(REPORT_CSP).toContain("default-src 'none'");
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    // Loopback origins of the service under test appear as text; nothing else may look like a URL.
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg|127\.0\.0\.1[:/])/);
    assertOnlyOwnMarkup(html);
  });

  it('puts the summary first and has every section the data supports', () => {
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="scenario-0"'));
    for (const id of ['header', 'summary', 'overview', 'scenario-0', 'scenario-1', 'scenario-2', 'environment', 'scenario-0-finding-0', 'scenario-0-finding-1']) {
      expect(html).toContain(`id="${id}"`);
    }
    expect(html).toContain('Latency percentile distribution of yaml-parse');
    expect(html).toContain('Latency over time of yaml-parse');
    expect(html).toContain('p99 versus pareto.scaleMs');
    expect(html).toContain('Flame graph of the violation');
    expect(html).toContain('Latency versus input size (polynomial)');
    expect(html).not.toContain('id="baseline"');
  });

  it('says "not recorded in this run" for sections whose data is absent', () => {
    const jsonLogic = html.slice(html.indexOf('id="scenario-2"'), html.indexOf('id="environment"'));
    expect(jsonLogic).toContain('Latency timeline: not recorded in this run.');
    expect(jsonLogic).toContain('Breaking-point search: not recorded in this run.');
    expect(jsonLogic).toContain('Chaos: not recorded in this run.');
    const timeoutCard = html.slice(html.indexOf('id="scenario-0-finding-1"'), html.indexOf('id="scenario-1"'));
    expect(timeoutCard).toContain('Stack samples: not recorded in this run.');
    expect(timeoutCard).toContain('Growth with input size: not recorded in this run.');
  });

  it('renders the baseline section when the results carry one', () => {
    const withBaseline = renderHtmlReport({ ...results, baseline: compareWithBaseline(results, results, 'prev.json') });
    expect(withBaseline).toContain('id="baseline"');
    expect(withBaseline).toContain('unchanged (intervals overlap)');
  });

  it('is deterministic', () => {
    expect(renderHtmlReport(results)).toBe(html);
  });
});

describe('hostile results', () => {
  const html = renderHtmlReport(makeHostileFixture());

  it('emits no markup of its own making: every hostile string is text', () => {
    assertOnlyOwnMarkup(html);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=window.__pwned=1&gt;');
    expect(html).toContain('&lt;/style&gt;');
    expect(html.match(/<\/style>/g)).toHaveLength(1);
  });

  it('makes NUL, invalid UTF-8, lone surrogates, terminal and bidi controls visible', () => {
    expect(html).toContain('before<span class="cc">\\x00</span>after');
    expect(html).toContain('<span class="cc">\\uFFFD</span>');
    expect(html).toContain('<span class="cc">\\uD800</span>');
    expect(html).toContain('<span class="cc">\\x1B</span>');
    expect(html).toContain('<span class="cc">\\u202E</span>');
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\ud800-\udfff\ufffd]/u);
  });

  it('bounds a 1 MB input preview and says it was truncated', () => {
    expect(html.length).toBeLessThan(400_000);
    expect(html).toContain(`Showing the first ${PREVIEW_MAX_CHARS.toLocaleString('en-US')} of`);
    expect(html).toContain(HOSTILE.script.replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });
});

describe('percentile curve', () => {
  it('labels the HDR axis by nines', () => {
    expect([0, 1, 2, 3, 4].map(quantileAxisLabel)).toEqual(['0%', '90%', '99%', '99.9%', '99.99%']);
    expect(quantileAxisPosition(0.99, 1000)).toBeCloseTo(2);
  });

  it('stops the tail where the sample count stops supporting it', () => {
    const qs = tailQuantiles(1000);
    expect(qs.at(-1)!).toBeLessThanOrEqual(1 - 1 / 1000);
    expect(tailQuantiles(1_000_000).length).toBeGreaterThan(qs.length);
  });

  it('reads percentiles written as percent or as fractions the same way, and falls back to the histogram', () => {
    const latency = makeResultsFixture({ calls: 4000 }).scenarios[0]!.latency;
    const percent = percentileCurve(latency);
    const fraction = percentileCurve({ ...latency, percentiles: latency.percentiles.map((p) => ({ ...p, percentile: p.percentile / 100 })) });
    expect(fraction.points).toEqual(percent.points);
    expect(percent.source).toBe('percentiles');
    const decoded = percentileCurve({ ...latency, percentiles: [] });
    expect(decoded.source).toBe('histogram');
    const p99 = decoded.points.reduce((best, p) => (Math.abs(p.q - 0.99) < Math.abs(best.q - 0.99) ? p : best));
    expect(p99.valueMs / latency.p99Ms).toBeGreaterThan(0.9);
    expect(p99.valueMs / latency.p99Ms).toBeLessThan(1.1);
    expect(percentileCurve({ ...latency, percentiles: [], histogram: 'not base64!' }).source).toBe('summary');
  });
});

describe('flame graph', () => {
  it('aggregates folded stacks into totals and self counts', () => {
    const root = buildFlameTree([{ stack: 'a;b;c', count: 3 }, { stack: 'a;b', count: 2 }, { stack: 'a;d', count: 5 }]);
    expect(root.total).toBe(10);
    const a = root.children.get('a')!;
    expect(a.total).toBe(10);
    expect(a.children.get('b')!.total).toBe(5);
    expect(a.children.get('b')!.self).toBe(2);
    expect(a.children.get('d')!.self).toBe(5);
  });

  it('draws at most maxRects rectangles whatever the stack set', () => {
    const stacks = syntheticStacks(3, 3000);
    const small = flameGraph(stacks.folded, { title: 't', maxRects: 50 });
    expect(small.rects).toBeLessThanOrEqual(50);
    expect(small.html.match(/<rect /g)).toHaveLength(small.rects);
    expect(flameGraph(stacks.folded, { title: 't' }).rects).toBeLessThanOrEqual(MAX_RECTS);
  });

  it('adds diff colours and a script-free toggle when a diff is given', () => {
    const stacks = syntheticStacks(4, 50);
    const out = flameGraph(stacks.folded, { title: 't', diff: new Map([['RegExp.exec [native]', 0.3]]), toggleId: 'f-diff' }).html;
    expect(out).toContain('<input type="checkbox" class="diff-toggle" id="f-diff">');
    expect(out).toMatch(/style="--d:hsl\(0 80% \d+%\)"/);
  });
});

describe('charts', () => {
  const results = makeResultsFixture({ calls: 3000 });

  it('shades each fault window on the timeline', () => {
    const s = results.scenarios[0]!;
    const svg = timelineChart(s, s.timeline!);
    expect(svg.match(/<g class="fault">/g)).toHaveLength(2);
    expect(svg).toMatch(/<path class="series" d="M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){29}"/);
  });

  it('draws the bracket, the breaking point, the estimate and one whisker per step', () => {
    const bp = results.scenarios[1]!.breakingPoint!;
    const svg = intensityChart(bp);
    expect(svg).toContain('<rect class="bracket"');
    expect(svg).toContain('breaking point 8 ms');
    expect(svg).toContain('estimated crossing 7.1 ms');
    expect(svg.match(/<path class="whisker/g)).toHaveLength(bp.curve.length);
  });
});

describe('input rendering', () => {
  it('parses spaced or compact hex and bounds it', () => {
    expect(Array.from(parseHex('de ad BE ef')!.bytes)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(parseHex('deadbeef')!.bytes).toHaveLength(4);
    expect(parseHex('<script>')).toBeNull();
    const big = parseHex('00'.repeat(10_000))!;
    expect(big.bytes).toHaveLength(256);
    expect(big.truncated).toBe(true);
  });

  it('dumps 16 bytes per line with offsets and printable ASCII', () => {
    const lines = hexDumpLines(new Uint8Array([0x3c, 0x61, 0x00, ...new Array(14).fill(0x41)]));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('00000000  3c 61 00 41 41 41 41 41 41 41 41 41 41 41 41 41  |<a.AAAAAAAAAAAAA|');
    expect(lines[1]!.startsWith('00000010  41')).toBe(true);
  });

  it('renders a finding whose hex preview is not hex as escaped text', () => {
    const results = makeResultsFixture({ calls: 2000 });
    results.scenarios[0]!.findings = [makeFinding({ input: { encoding: 'bytes', size: 3, preview: 'abc', hexPreview: '<b>zz', file: 'f' } })];
    const html = renderHtmlReport(results);
    expect(html).toContain('not plain hex');
    expect(html).toContain('&lt;b&gt;zz');
  });
});
