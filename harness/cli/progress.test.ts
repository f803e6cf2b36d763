import { describe, expect, it } from 'vitest';
import { breakingPointStepLine } from './progress.ts';

describe('breakingPointStepLine', () => {
  const point = { intensity: 2.75, p50Ms: 5.1, p99Ms: 46.495, p99Lower: 42.688, p99Upper: 67.583, samples: 3000, errors: 0, outcome: 'inconclusive' as const, remeasured: true };

  it('shows the intensity, the P99 with its interval, the sample count and the outcome', () => {
    expect(breakingPointStepLine({ scenario: 'authz-service', knob: 'dependency.attributes.latency', point })).toBe(
      'authz-service: breaking point dependency.attributes.latency 2.75 -> p99 46.5ms [42.7ms, 67.6ms] n=3,000 inconclusive (re-measured)',
    );
  });

  it('says when the interval has no upper bound and counts errors', () => {
    const line = breakingPointStepLine({ scenario: 's', knob: 'rate', point: { ...point, intensity: 1000 / 3, p99Upper: Infinity, errors: 12, outcome: 'fail', remeasured: false } });
    expect(line).toBe('s: breaking point rate 333.3 -> p99 46.5ms [42.7ms, unbounded] n=3,000, 12 errors fail');
  });
});
