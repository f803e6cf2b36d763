import { describe, expect, it } from 'vitest';
import { makeResultsFixture } from '../../../test/report/fixtures.ts';
import { renderConsoleSummary } from '../console.ts';
import type { ResultsFile, ScenarioResult } from '../../core/results-schema.ts';
import { renderHtmlReport } from './index.ts';

function withScenario(patch: (s: ScenarioResult) => ScenarioResult): ResultsFile {
  const results = makeResultsFixture({ calls: 2000 });
  return { ...results, scenarios: results.scenarios.map(patch) };
}

describe('stall and paced figures in the console summary and the HTML report', () => {
  it('shows the stalled share when above 0, in both', () => {
    const results = withScenario((s) => ({ ...s, timeoutMs: 2000, stall: { stalledMs: 12_000, phaseWallMs: 27_300, share: 12_000 / 27_300 } }));
    const text = renderConsoleSummary(results, { color: false });
    expect(text).toMatch(/: stalled: 44% of the measured phase \(12\.0 s of 27\.3 s\) in calls that hung or were still running at its end/);
    expect(renderHtmlReport(results)).toContain('<dt>Stalled</dt><dd>44% of the measured phase');
  });

  it('says nothing when nothing stalled or the figures are not numbers (a hand-edited results.json)', () => {
    for (const stall of [{ stalledMs: 0, phaseWallMs: 1000, share: 0 }, { stalledMs: '1', phaseWallMs: 1000, share: '<b>' }]) {
      const results = withScenario((s) => ({ ...s, stall: stall as ScenarioResult['stall'] }));
      expect(renderConsoleSummary(results, { color: false })).not.toContain('stalled:');
      expect(renderHtmlReport(results)).not.toContain('<dt>Stalled</dt>');
    }
  });

  it('shows corrected and raw p99 of a paced target', () => {
    const results = withScenario((s) => ({ ...s, paced: { rate: 1000, corrected: { p50Ms: 300, p99Ms: 612, maxMs: 650 }, raw: { p50Ms: 2, p99Ms: 2.5, maxMs: 4 } } }));
    const text = renderConsoleSummary(results, { color: false });
    expect(text).toMatch(/paced at 1,000 calls\/s: p99 612\.0 ms corrected, from each call's intended start \(2\.50 ms raw, from each call's actual start\)/);
    expect(renderHtmlReport(results)).toContain('<dt>Paced</dt><dd>paced at 1,000 calls/s');
  });
});
