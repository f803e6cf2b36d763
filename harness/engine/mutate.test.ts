import { describe, expect, it } from 'vitest';
import { DEFAULT_MUTATORS, GENTLE_MUTATORS, mutate, type MutationContext } from './mutate.ts';
import { createRng } from '../core/rng.ts';

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');
const ctxFor = (seed: number, maxLength = 256, dictionary: string[] = []): MutationContext => ({
  rng: createRng(seed),
  maxLength,
  dictionary: dictionary.map(bytes),
  corpus: [bytes('corpus-entry')],
});

describe('mutate', () => {
  it('is reproducible from the seed', () => {
    const run = (seed: number): string[] => {
      const ctx = ctxFor(seed);
      let x = bytes('hello world');
      const out: string[] = [];
      for (let i = 0; i < 200; i++) out.push(Buffer.from((x = mutate(x, ctx))).toString('hex'));
      return out;
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('never exceeds maxLength', () => {
    const ctx = ctxFor(1, 40, ['token']);
    let x = bytes('abababababab');
    for (let i = 0; i < 2000; i++) {
      x = mutate(x, ctx);
      expect(x.length).toBeLessThanOrEqual(40);
    }
  });

  it('splices dictionary tokens and keyword-bracket wraps', () => {
    const ctx = ctxFor(2, 256, ['not', 'true']);
    let withToken = 0;
    let wrapped = 0;
    for (let i = 0; i < 2000; i++) {
      const s = Buffer.from(mutate(bytes('true'), ctx)).toString('latin1');
      if (s.includes('not')) withToken++;
      if (/not\(.*true.*\)/.test(s)) wrapped++;
    }
    expect(withToken).toBeGreaterThan(100);
    expect(wrapped).toBeGreaterThan(5);
  });

  it('gentle mutators change the length by at most one byte per round', () => {
    const ctx = ctxFor(3);
    for (let i = 0; i < 2000; i++) {
      const input = bytes('abababababababab!');
      const out = mutate(input, ctx, GENTLE_MUTATORS);
      expect(Math.abs(out.length - input.length)).toBeLessThanOrEqual(4); // 1-4 stacked rounds
    }
    expect(GENTLE_MUTATORS.length).toBeLessThan(DEFAULT_MUTATORS.length);
  });

  it('handles the empty input', () => {
    const ctx = ctxFor(4);
    let nonEmpty = 0;
    for (let i = 0; i < 200; i++) if (mutate(new Uint8Array(0), ctx).length > 0) nonEmpty++;
    expect(nonEmpty).toBeGreaterThan(100);
  });
});
