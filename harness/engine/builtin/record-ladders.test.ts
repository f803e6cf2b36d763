import { describe, expect, it } from 'vitest';
import { recordLadderPatterns } from './record-ladders.ts';

const records = (literals: string[]): string[] => recordLadderPatterns(literals).map((p) => Buffer.from(p.open).toString('latin1'));

describe('recordLadderPatterns', () => {
  it('builds named records first, then bare ones, from the delimiters and separators among the literals', () => {
    expect(records(['\n', ':', 'latin1'])).toEqual(['a:\n', 'a\n']);
    expect(records(['&', '=', ';'])).toEqual(['a=;', 'a=&', 'a;', 'a&']);
  });

  it('proposes nothing without a delimiter, and at most the limit', () => {
    expect(records([':', '=', 'name'])).toEqual([]);
    expect(recordLadderPatterns(['\r\n', '\n', ';', ',', '&', '|', ':', '=', '\t'], 5)).toHaveLength(5);
  });
});
