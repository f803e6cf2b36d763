import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { avoidingKnownInputs, createArbitraryFeeder, createByteFeeder, createMutationSource, decodeInput } from './feeders.ts';

const take = (next: () => { bytes: Uint8Array }, n: number): string[] =>
  Array.from({ length: n }, () => Buffer.from(next().bytes).toString('hex'));

describe('input feeders', () => {
  const seeds = [Buffer.from('key: value'), Buffer.from('- a\n- b')];

  it('replays seeds first, then a mutation stream that depends only on the seed', () => {
    const make = (seed: number) => createByteFeeder(createMutationSource({ seed, maxLength: 64, dictionary: ['&a '], seeds }), 'string');
    const a = make(42);
    const b = make(42);
    const c = make(43);
    const first = a.next();
    expect(first.value).toBe('key: value');
    expect(a.next().value).toBe('- a\n- b');
    b.next();
    b.next();
    const streamA = take(() => a.next(), 500);
    const streamB = take(() => b.next(), 500);
    expect(streamA).toEqual(streamB);
    c.next();
    c.next();
    expect(take(() => c.next(), 500)).not.toEqual(streamA);
    expect(new Set(streamA).size).toBeGreaterThan(100);
  });

  it('never exceeds maxLength', () => {
    const f = createByteFeeder(createMutationSource({ seed: 1, maxLength: 16, dictionary: ['0123456789abcdef'], seeds }), 'bytes');
    for (let i = 0; i < 5000; i++) expect(f.next().bytes.length).toBeLessThanOrEqual(16);
  });

  it('samples arbitraries reproducibly and saves values in a replayable form', () => {
    const arb = fc.record({ user: fc.string(), age: fc.nat(120) });
    const a = createArbitraryFeeder(arb, 9, [], 65536);
    const b = createArbitraryFeeder(arb, 9, [], 65536);
    const va = Array.from({ length: 50 }, () => a.next());
    const vb = Array.from({ length: 50 }, () => b.next());
    expect(va.map((x) => x.value)).toEqual(vb.map((x) => x.value));
    for (const x of va) expect(decodeInput(x.bytes, 'v8')).toEqual(x.value);
  });

  it('skips inputs that hung or crashed an earlier worker', () => {
    const bad = Buffer.from('key: value');
    const f = avoidingKnownInputs(createByteFeeder(createMutationSource({ seed: 3, maxLength: 64, dictionary: [], seeds }), 'string'), [bad]);
    expect(f.next().value).toBe('- a\n- b');
  });
});
