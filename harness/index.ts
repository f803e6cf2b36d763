/**
 * slo-harness public API: what scenario files and programmatic users import.
 * `import { defineScenario } from 'slo-harness'`.
 */
export { defineScenario } from './scenario/define.ts';
export type {
  ArbitraryInputSpec,
  BudgetSpec,
  BytesInputSpec,
  Duration,
  EngineName,
  InputOf,
  InputSpec,
  ResolvedScenario,
  ScenarioSpec,
  SloSpec,
  StringInputSpec,
  TargetContext,
  TargetFunction,
} from './scenario/types.ts';
export type * from './core/results-schema.ts';
