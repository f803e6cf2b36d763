import { describe, expect, it } from 'vitest';
import { libFuzzerDictionary, parseJazzerReport } from './report.ts';

describe('parseJazzerReport', () => {
  it('takes the highest call count and every finding, skipping torn lines', () => {
    const text = [
      JSON.stringify({ type: 'stats', calls: 0 }),
      JSON.stringify({ type: 'stats', calls: 120 }),
      JSON.stringify({ type: 'finding', kind: 'slow', inputBase64: 'QQ==', latencyMs: 60, confirmMs: [61, 62], message: 'm', stack: null, signature: 's' }),
      '{"type":"stats","cal', // a child killed mid-write
    ].join('\n');
    const report = parseJazzerReport(text);
    expect(report.calls).toBe(120);
    expect(report.findings.map((f) => f.kind)).toEqual(['slow']);
  });
});

describe('libFuzzerDictionary', () => {
  it('quotes tokens and escapes quotes, backslashes and non-printable bytes', () => {
    expect(libFuzzerDictionary(['a b', '"', '\\', '\n', ''])).toBe('"a b"\n"\\""\n"\\\\"\n"\\x0a"\n');
  });
});
