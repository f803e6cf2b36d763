/** A running CPU stressor. Every stressor dies with the run: see harness/core/process-registry.ts. */
export interface StressHandle {
  kind: 'burner' | 'stress-ng';
  /** One line for logs and reports, e.g. `2 burner threads at 80% duty (100 ms period)`. */
  describe(): string;
  /** Stops the stressor and resolves once nothing of it is left running. Idempotent. */
  stop(): Promise<void>;
}
