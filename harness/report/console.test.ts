import { describe, expect, it } from 'vitest';
import { HOSTILE, makeHostileFixture, makeResultsFixture } from '../../test/report/fixtures.ts';
import { compareWithBaseline } from './baseline.ts';
import { formatTable, printConsoleSummary, renderConsoleSummary, shouldUseColor } from './console.ts';

const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('formatTable', () => {
  it('pads every column to its widest cell', () => {
    const out = formatTable(['a', 'bb'], [['long cell', 'x'], ['y', 'z']]);
    const lines = out.split('\n');
    expect(lines[0]).toBe('a          bb');
    expect(lines[1]).toBe('---------  --');
    expect(lines[2]).toBe('long cell  x');
    expect(lines[3]).toBe('y          z');
  });
});

describe('renderConsoleSummary', () => {
  const results = makeResultsFixture({ calls: 5000 });

  it('lists every scenario x SLO with verdict, measured value with CI, n, engine and seed', () => {
    const out = renderConsoleSummary(results, { color: false, reportPath: 'reports/x/index.html' });
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^FAIL {2}slo-harness run 2025-01-01T03-00-00Z-nightly/);
    const row = lines.find((l) => l.startsWith('yaml-parse') && l.includes('p99 < 5.00 ms'))!;
    expect(row).toMatch(/FAIL +[\d.]+ ms \[95% CI [\d.]+ ms – [\d.]+ ms\] +5\.00 ms +5,000 +builtin +42 +30\.0 s/);
    expect(out).toContain('json-logic');
    expect(out).toContain('builtin (wanted jazzer)');
    expect(out).toContain(`replay: ${results.scenarios[0]!.findings[0]!.replay}`);
    expect(out.trimEnd().endsWith('Report: reports/x/index.html')).toBe(true);
  });

  it('aligns the verdict column across rows', () => {
    const out = renderConsoleSummary(results, { color: false });
    const table = out.split('\n').filter((l) => /(PASS|FAIL|INCONCLUSIVE) /.test(l) && !l.startsWith('FAIL  slo-harness'));
    const columns = new Set(table.map((l) => l.search(/PASS|FAIL|INCONCLUSIVE/)));
    expect(columns.size).toBe(1);
  });

  it('uses ANSI colours only when asked', () => {
    expect(renderConsoleSummary(results, { color: false })).not.toContain('\u001b[');
    expect(renderConsoleSummary(results, { color: true })).toContain('\u001b[31mFAIL');
  });

  it('never lets control characters from results reach the terminal', () => {
    const hostile = makeHostileFixture();
    hostile.scenarios[2]!.name = HOSTILE.terminal;
    const out = renderConsoleSummary(hostile, { color: false });
    expect(out).not.toMatch(CONTROL);
    expect(out).toContain('\\x1B]0;pwned');
  });

  it('shows the baseline comparison when present', () => {
    const base = structuredClone(results);
    base.scenarios[0]!.slos[0]!.interval.upperMs = 1;
    base.scenarios[0]!.slos[0]!.interval.lowerMs = 0.5;
    base.scenarios[0]!.slos[0]!.observedMs = 0.8;
    const out = renderConsoleSummary({ ...results, baseline: compareWithBaseline(results, base) }, { color: false });
    expect(out).toMatch(/yaml-parse +p99 .* regressed/);
    expect(out).toContain('unchanged (intervals overlap)');
    expect(out).toContain('New findings: 0; fixed: 0; still present: 2');
  });

  it('summarises --regression replays and service figures when present', () => {
    const out = renderConsoleSummary(results, { color: false });
    expect(out).toContain('yaml-parse: regression: 3 replayed, 1 still failing, 1 fixed, 1 not replayable');
    expect(out).toMatch(/still-failing aa11bb22cc33 median 31\.0 ms vs 20\.0 ms: corpora\/yaml-parse\/violations\/aa11bb22\.json/);
    expect(out).toContain('checkout-service: service p99 61.5 ms corrected (22.4 ms uncorrected), 399/400 req/s, 78 failed (41 timeouts, 30 5xx), 0 4xx');
  });
});

describe('colour decision', () => {
  it('colours a TTY, not a pipe, and honours NO_COLOR and FORCE_COLOR', () => {
    expect(shouldUseColor({ isTTY: true }, {})).toBe(true);
    expect(shouldUseColor({ isTTY: false }, {})).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldUseColor({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(shouldUseColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('prints without colour to a non-TTY stream', () => {
    let written = '';
    const stream = { isTTY: false, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WritableStream;
    printConsoleSummary(makeResultsFixture({ calls: 2000 }), { stream });
    expect(written).toContain('yaml-parse');
    expect(written).not.toContain('\u001b[');
  });
});

describe('breaking point line', () => {
  it('states the breaking point with its passing bound when found', () => {
    const results = makeResultsFixture();
    const withBp = results.scenarios.find((s) => s.breakingPoint);
    expect(withBp).toBeDefined();
    const out = renderConsoleSummary(results, { color: false });
    expect(out).toMatch(new RegExp(`${withBp!.name}: breaking point \\S+ = 8 ms \\(passes at 4 ms\\)`));
  });

  it('keeps the proven bounds and the estimate of a search that ran out of budget', () => {
    const results = makeResultsFixture();
    const s = results.scenarios.find((x) => x.breakingPoint)!;
    Object.assign(s.breakingPoint!, { status: 'budget-exhausted', bracket: { passing: 0.5, failing: 3.5 }, breakingPoint: 3.5, crossingEstimate: 2.897234 });
    const out = renderConsoleSummary(results, { color: false });
    expect(out).toContain('fails at 3.5 ms, passes at 0.5 ms, crossing estimated at 2.9 ms (search budget-exhausted)');
  });
});
