/** The benchmark's slow targets, by name, with the module file each lives in. */
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
