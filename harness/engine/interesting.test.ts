import { describe, expect, it } from 'vitest';
import { WriteError } from '../core/atomic-file.ts';
import { lostWrites, resetLostWrites } from '../core/write-failures.ts';
import { InterestingSink } from './interesting.ts';

function store(): { saved: Uint8Array[]; saveInteresting(b: Uint8Array): Promise<string> } {
  const saved: Uint8Array[] = [];
  return { saved, saveInteresting: async (b) => (saved.push(b), 'x') };
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('InterestingSink', () => {
  it('saves only inputs that are new to the corpus and to this run', async () => {
    const s = store();
    const sink = new InterestingSink(s, [bytes('seed')]);
    sink.add([bytes('seed'), bytes('a'), bytes('a'), bytes('b')]);
    await sink.flush();
    expect(s.saved.map((b) => Buffer.from(b).toString())).toEqual(['a', 'b']);
    expect(sink.keptInputs().length).toBe(2);
    expect(sink.savedCount()).toBe(2);
  });

  it('saves at most the per-run bound, but keeps more for the measured phase', async () => {
    const s = store();
    const sink = new InterestingSink(s, [], 3);
    sink.add(Array.from({ length: 10 }, (_, i) => bytes(`input-${i}`)));
    await sink.flush();
    expect(s.saved.length).toBe(3);
    expect(sink.keptInputs().length).toBe(10);
  });

  it('a failing save does not fail the run, and is recorded as a lost corpus entry', async () => {
    resetLostWrites();
    const full = new WriteError('/corpus/interesting/x', Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
    const sink = new InterestingSink({ saveInteresting: () => Promise.reject(full) }, []);
    sink.add([bytes('x')]);
    await expect(sink.flush()).resolves.toBeUndefined();
    expect(lostWrites()).toEqual([expect.objectContaining({ kind: 'corpus entry', path: '/corpus/interesting/x', code: 'ENOSPC' })]);
    resetLostWrites();
  });
});

describe('InterestingSink.exclude', () => {
  it('never saves an input that is a finding', async () => {
    const s = store();
    const sink = new InterestingSink(s, []);
    sink.exclude(bytes('slow'));
    sink.add([bytes('slow'), bytes('fine')]);
    await sink.flush();
    expect(s.saved.map((b) => Buffer.from(b).toString())).toEqual(['fine']);
  });
});
