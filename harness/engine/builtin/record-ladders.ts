/**
 * Record ladders: many short records of a line- or field-oriented format. Pure.
 *
 * A parser that handles each record in time proportional to the records before it (a linear
 * lookup among the headers parsed so far, an array copied on every append) is quadratic in the
 * number of records, and the short record is the cheapest way to have many: `a:\n` repeated
 * 3,300 times passed 10 ms in the header parser of the engine bench, where its lines had to
 * carry a name, a separator and a line break. The delimiters and separators come from the
 * target's own string literals (`text.split('\n')`, `line.indexOf(':')`), so a target without
 * them gets no record ladders.
 */
import type { PumpPattern } from '../../search/pattern.ts';

/** Literals that end a record: lines, fields, query parameters. */
export const RECORD_DELIMITERS: readonly string[] = ['\r\n', '\n', ';', ',', '&', '|'];
/** Literals that split a record into name and value. */
export const FIELD_SEPARATORS: readonly string[] = [':', '=', '\t'];
/** A name most formats accept: one lowercase letter. */
const NAME = 'a';
const MAX_LADDERS = 8;
const EMPTY = new Uint8Array(0);

/** Pump patterns `record^n` for the delimiters (and separators) among `literals`, at most `limit`. */
export function recordLadderPatterns(literals: readonly string[], limit = MAX_LADDERS): PumpPattern[] {
  const present = new Set(literals);
  const delimiters = RECORD_DELIMITERS.filter((d) => present.has(d));
  const separators = FIELD_SEPARATORS.filter((s) => present.has(s));
  // Named records first: a parser that needs a separator skips bare lines after a constant check.
  const records = [...delimiters.flatMap((d) => separators.map((s) => NAME + s + d)), ...delimiters.map((d) => NAME + d)];
  return records.slice(0, limit).map((record) => ({
    prefix: EMPTY,
    open: Buffer.from(record, 'latin1'),
    middle: EMPTY,
    close: EMPTY,
    suffix: EMPTY,
    count: 1,
  }));
}
