/**
 * Runs one scenario through the phase runner (pipeline/phases.ts) with the phases of its
 * target kind: a function in the isolate host (pipeline/function-target.ts) or an HTTP
 * service around real child processes (pipeline/run-service.ts).
 */
import type { ScenarioResult } from '../core/results-schema.ts';
import type { ResolvedScenario } from '../scenario/types.ts';
import { runFunctionScenario } from './function-target.ts';
import type { RunScenarioOptions } from './options.ts';
import { runServiceScenario } from './run-service.ts';

export function runScenario(scenario: ResolvedScenario, opts: RunScenarioOptions): Promise<ScenarioResult> {
  return scenario.kind === 'service' ? runServiceScenario(scenario, opts) : runFunctionScenario(scenario, opts);
}
