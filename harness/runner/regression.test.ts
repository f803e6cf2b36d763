import { describe, expect, it } from 'vitest';
import type { ProbeCall } from '../target/probe-protocol.ts';
import { judgeReplay } from './regression.ts';

const call = (ms: number, kind: ProbeCall['kind'] = 'ok', message: string | null = null): ProbeCall => ({ kind, ms, message, stack: null });

describe('judgeReplay', () => {
  it('judges latency findings on the median first call against the per-call budget', () => {
    expect(judgeReplay('slow', [call(80), call(90), call(10)], 50).status).toBe('still-failing');
    expect(judgeReplay('slow', [call(80), call(20), call(10)], 50).status).toBe('fixed');
    expect(judgeReplay('timeout', [call(2000, 'timeout'), call(2000, 'timeout'), call(5)], 50).status).toBe('still-failing');
  });

  it('keeps crashes failing while any first call still crashes, whatever the kind recorded', () => {
    expect(judgeReplay('exit', [call(1, 'exit', 'exit(3)'), call(1), call(1)], 50)).toMatchObject({ status: 'still-failing', detail: 'exit: exit(3)' });
    expect(judgeReplay('slow', [call(1, 'oom'), call(1), call(1)], 50).status).toBe('still-failing');
    expect(judgeReplay('crash', [call(1), call(1), call(1)], 50).status).toBe('fixed');
  });

  it('keeps an unexpected throw failing while it still throws', () => {
    expect(judgeReplay('error', [call(1, 'threw', 'TypeError: x'), call(1, 'threw'), call(1, 'threw')], 50).status).toBe('still-failing');
    expect(judgeReplay('error', [call(1), call(1), call(1)], 50).status).toBe('fixed');
    // A throw on a latency finding is the target's business, not this regression's.
    expect(judgeReplay('slow', [call(1, 'threw'), call(1, 'threw'), call(1, 'threw')], 50).status).toBe('fixed');
  });
});
