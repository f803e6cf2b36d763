import type { FunctionScenarioSpec, InputSpec, ScenarioSpec, ServiceScenarioSpec } from './types.ts';

/**
 * Declares a scenario. An identity function that gives the file its types: the target's
 * input type follows from `input` (Buffer for bytes, string for string, the arbitrary's
 * value type for arbitraries). Validation happens when the harness loads the file.
 *
 * ```ts
 * export default defineScenario({
 *   name: 'yaml-parse',
 *   target: (text) => YAML.parse(text),
 *   input: { type: 'string', maxLength: 2048 },
 *   slo: { p99: '2ms' },
 * });
 * ```
 */
export function defineScenario<S extends InputSpec>(spec: FunctionScenarioSpec<S>): FunctionScenarioSpec<S>;
/** An HTTP service scenario: `service` instead of `target` (see ServiceScenarioSpec). */
export function defineScenario<S extends InputSpec>(spec: ServiceScenarioSpec<S>): ServiceScenarioSpec<S>;
export function defineScenario<S extends InputSpec>(spec: ScenarioSpec<S>): ScenarioSpec<S> {
  return spec;
}
