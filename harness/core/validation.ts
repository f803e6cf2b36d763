/**
 * Pieces shared by the validators of the harness's data files (results.json in report/,
 * violation records in engine/): they live here, below both, so a record's validation does not
 * depend on the reporting layer.
 */
import { z } from 'zod';

/** The growth fit of a finding (GrowthFit in results-schema.ts), as results.json and violation records store it. */
export const growthFit = z.looseObject({
  class: z.enum(['polynomial', 'exponential', 'linear', 'constant']),
  exponentOrBase: z.number(), r2: z.number(),
  points: z.array(z.looseObject({ n: z.number(), latencyMs: z.number() })),
  predictedCrossingSize: z.number().nullable(),
});

/** `scenarios[0].slos[1].verdict` from a zod issue path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc === '' ? String(key) : `${acc}.${String(key)}`), '');
}
