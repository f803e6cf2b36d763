/**
 * CPU stress for a scenario's measured phase (or one breaking-point step): starts the
 * stressor the scenario asks for and describes it for results.json. Burner threads die
 * with the harness; stress-ng is in the process registry, whose parent-death guard kills it
 * even when the harness is killed with SIGKILL (and it has its own deadline, `budgetMs` plus
 * a margin, as a last net).
 */
import type { CpuStressInfo } from '../../core/results-schema.ts';
import type { ResolvedCpuChaos } from '../../scenario/chaos-types.ts';
import { startCpuBurners } from './burners.ts';
import { startStressNg, stressNgAvailable } from './stress-ng.ts';
import type { StressHandle } from './types.ts';

export interface ScenarioStress {
  handle: StressHandle | null;
  info: CpuStressInfo;
  /** Why the tool asked for was not used (stress-ng missing), or null. */
  fallback: string | null;
  stop(): Promise<void>;
}

/** Starts the stressor; at duty 0 nothing runs, but the (zero) stress is still described. */
export async function startScenarioStress(cpu: ResolvedCpuChaos, budgetMs: number): Promise<ScenarioStress> {
  let fallback: string | null = null;
  let handle: StressHandle | null = null;
  let backend: string = cpu.tool === 'stress-ng' ? 'stress-ng' : 'worker';
  if (cpu.duty > 0) {
    if (cpu.tool === 'stress-ng' && !(await stressNgAvailable())) {
      fallback = 'stress-ng is not installed: worker burners stand in';
      backend = 'worker';
    }
    handle =
      backend === 'stress-ng'
        ? await startStressNg({ cpu: cpu.threads, load: Math.round(cpu.duty * 100), budgetMs })
        : await startCpuBurners({ threads: cpu.threads, duty: cpu.duty });
  }
  const info: CpuStressInfo = {
    backend,
    workers: cpu.threads,
    duty: cpu.duty,
    description: handle ? handle.describe() : `no CPU stress (duty 0)`,
  };
  return { handle, info, fallback, stop: async () => handle?.stop() };
}
