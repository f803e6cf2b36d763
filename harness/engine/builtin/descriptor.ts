/**
 * The builtin input engine (engine.ts): cost- and coverage-guided, in process, always
 * available; every other engine falls back to it.
 */
import type { InputEngine } from '../input-engine.ts';

export const BUILTIN_ENGINE: InputEngine<'builtin'> = {
  name: 'builtin',
  label: 'builtin',
  description: 'the builtin cost+coverage engine (V8 block coverage while exploring), always available',
  startupMs: 0,
  availability: null,
};
