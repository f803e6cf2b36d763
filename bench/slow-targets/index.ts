/** The benchmark's slow targets, by name, with the module file each lives in. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SlowTarget } from './types.ts';

export const SLOW_TARGET_NAMES = [
  'regex-nested-quantifier',
  'regex-alternation',
  'header-parser',
  'policy-evaluator',
  'glob-matcher',
  'markdown-links',
] as const;

export type SlowTargetName = (typeof SLOW_TARGET_NAMES)[number];

export function slowTargetFile(name: string): string {
  if (!(SLOW_TARGET_NAMES as readonly string[]).includes(name)) throw new Error(`unknown slow target "${name}"`);
  return fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
}

export async function loadSlowTarget(name: string): Promise<SlowTarget> {
  const mod = (await import(slowTargetFile(name))) as SlowTarget;
  return { fuzz: mod.fuzz, meta: mod.meta };
}

/**
 * The target's code as an engine may read it (literals are mined from it): the module without
 * its `meta` block, whose descriptions and worst-case examples a real target would not carry.
 */
export function slowTargetCode(name: string): string {
  const source = readFileSync(slowTargetFile(name), 'utf8');
  const meta = source.indexOf('export const meta');
  if (meta < 0) throw new Error(`slow target "${name}" has no meta block`);
  return source.slice(0, meta);
}
