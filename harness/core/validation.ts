/**
 * Pieces shared by the validators of the harness's data files (results.json in report/,
 * violation records in engine/): they live here, below both, so a record's validation does not
 * depend on the reporting layer.
 */

/** `scenarios[0].slos[1].verdict` from a zod issue path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`), '');
}
