import { describe, expect, it } from 'vitest';
import { VIOLATION_SCHEMA, ViolationRecordError, parseViolationRecord, parseViolationText } from './violation-record.ts';

function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: VIOLATION_SCHEMA, version: 1, id: 'abc123', scenario: 's', scenarioFile: '../s.scenario.ts', scenarioIndex: 0,
    kind: 'slow', latencyMs: 120, budgetMs: 20, timeoutMs: 5000, seed: 1, engine: 'builtin', encoding: 'utf8',
    inputFile: 'abc123.input', inputSize: 8, message: null, stack: null, foundAt: '2026-01-01T00:00:00.000Z', replay: '',
    ...overrides,
  };
}

describe('parseViolationRecord', () => {
  it('returns a valid record unchanged, keys it does not know (a newer harness) included', () => {
    const growth = { class: 'linear', exponentOrBase: 1, r2: 0.99, points: [{ n: 10, latencyMs: 1, note: 'kept' }], predictedCrossingSize: null };
    const data = record({ growth, futureField: { x: 1 } });
    expect(parseViolationRecord(structuredClone(data), 'v.json')).toEqual(data);
  });

  it('checks the kind, encoding and growth fit as results.json checks a finding', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'sluggish' }, 'kind'],
      [{ encoding: 'latin1' }, 'encoding'],
      [{ growth: { class: 'cubic', exponentOrBase: 3, r2: 1, points: [], predictedCrossingSize: null } }, 'growth.class'],
      [{ growth: { class: 'linear', exponentOrBase: 1, r2: 1, points: [{ n: '10', latencyMs: 1 }], predictedCrossingSize: null } }, 'growth.points[0].n'],
    ];
    for (const [overrides, field] of cases) {
      expect(() => parseViolationRecord(record(overrides), 'v.json'), field).toThrow(`invalid violation file v.json: field ${field}: `);
    }
  });

  it('names the fix for a path-like input file and refuses text that is not JSON without echoing it', () => {
    expect(() => parseViolationRecord(record({ inputFile: '../../etc/passwd' }), 'v.json')).toThrow(/field inputFile: must be a plain file name[\s\S]*fix: inputFile must name/);
    expect(() => parseViolationText('{"secret": tru', 'v.json')).toThrow(ViolationRecordError);
    expect(() => parseViolationText('{"secret": tru', 'v.json')).not.toThrow(/secret/);
  });
});
