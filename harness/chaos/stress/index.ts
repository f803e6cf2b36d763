/** CPU stress: worker-thread burners (default) and stress-ng; every stressor dies with the run. */
export type { StressHandle } from './types.ts';
export { startCpuBurners, DEFAULT_PERIOD_MS, type CpuBurnerHandle, type CpuBurnerOptions } from './burners.ts';
export {
  startStressNg,
  stressNgAvailable,
  stressNgArgs,
  stressNgTimeoutSec,
  DEFAULT_STRESS_NG_TIMEOUT_SEC,
  DEFAULT_TIMEOUT_MARGIN_SEC,
  type StressNgHandle,
  type StressNgOptions,
} from './stress-ng.ts';
export { startScenarioStress, type ScenarioStress } from './scenario-stress.ts';
export { processGroupMembers, readProcTable, processIsRunning, type ProcEntry } from '../../core/proc-table.ts';
