import { describe, expect, it } from 'vitest';
import { familyKey, groupIntoFamilies } from './families.ts';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

describe('familyKey', () => {
  it('gives inputs that differ only in how often a segment repeats the same key', () => {
    const a = `- ${'? '.repeat(170)}x`;
    const b = `- ${'? '.repeat(208)}x`;
    expect(familyKey(bytes(a))).toBe(familyKey(bytes(b)));
  });

  it('keeps different shapes apart', () => {
    expect(familyKey(bytes('{'.repeat(150)))).not.toBe(familyKey(bytes('['.repeat(150))));
    expect(familyKey(bytes(`a${'b'.repeat(20)}`))).not.toBe(familyKey(bytes(`c${'b'.repeat(20)}`)));
    // Too few copies to be a pumped run: the literal bytes count.
    expect(familyKey(bytes('abab'))).not.toBe(familyKey(bytes('ababab')));
  });

  it('prefers the period that covers the most bytes', () => {
    expect(familyKey(bytes('abababababab'))).toBe(familyKey(bytes('abababababababababab')));
    expect(familyKey(bytes('aaaa'))).toBe(familyKey(bytes('aaaaaaaaaa')));
  });

  it('is empty for an empty input and total for any bytes', () => {
    expect(familyKey(new Uint8Array(0))).toBe('');
    expect(familyKey(new Uint8Array([0, 255, 0, 255, 0, 255, 0, 255, 7]))).toMatch(/^R00ff\.L07$/);
  });
});

describe('groupIntoFamilies', () => {
  it('groups by key in first-seen order', () => {
    const inputs = ['{{{{{{', '[[[[[[[[', '{{{{{{{{{{', 'plain'];
    const families = groupIntoFamilies(inputs, (s) => bytes(s));
    expect(families.map((f) => f.members)).toEqual([['{{{{{{', '{{{{{{{{{{'], ['[[[[[[[['], ['plain']]);
  });
});
