import { afterEach, describe, expect, it } from 'vitest';
import { startCpuBurners, type CpuBurnerHandle } from './burners.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU time of this process (all threads) per wall-clock time over a window. */
async function cpuRatio(windowMs: number): Promise<number> {
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await sleep(windowMs);
  const cpu = process.cpuUsage(cpuBefore);
  return (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
}

const handles: CpuBurnerHandle[] = [];
async function start(threads: number, duty: number): Promise<CpuBurnerHandle> {
  const handle = await startCpuBurners({ threads, duty });
  handles.push(handle);
  return handle;
}

afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop()));
});

describe('startCpuBurners', () => {
  it('a duty of 0.8 burns clearly more CPU than 0.2, and stop ends the threads', async () => {
    const idle = await cpuRatio(500);
    const light = await start(1, 0.2);
    const lightRatio = await cpuRatio(1500);
    await light.stop();
    expect(light.aliveThreads()).toBe(0);

    const heavy = await start(1, 0.8);
    const heavyRatio = await cpuRatio(1500);
    await heavy.stop();
    expect(heavy.aliveThreads()).toBe(0);
    const afterStop = await cpuRatio(500);

    // Orderings only: the machine is shared, absolute CPU shares are not reliable.
    expect(lightRatio).toBeGreaterThan(idle);
    expect(heavyRatio).toBeGreaterThan(lightRatio * 1.5);
    expect(afterStop).toBeLessThan(heavyRatio / 2);
  });

  it('setDuty changes the burn of running threads', async () => {
    const burner = await start(1, 0.1);
    const before = await cpuRatio(1000);
    burner.setDuty(0.9);
    expect(burner.describe()).toBe('1 burner thread at 90% duty (100 ms period)');
    const after = await cpuRatio(1000);
    expect(after).toBeGreaterThan(before * 1.5);
  });

  it('starts the requested number of threads and stop is idempotent', async () => {
    const burner = await start(2, 0);
    expect(burner.aliveThreads()).toBe(2);
    expect(burner.kind).toBe('burner');
    await Promise.all([burner.stop(), burner.stop()]);
    expect(burner.aliveThreads()).toBe(0);
  });

  it('validates its options', async () => {
    await expect(startCpuBurners({ threads: 0, duty: 0.5 })).rejects.toThrow(/threads/);
    await expect(startCpuBurners({ threads: 1, duty: 1.5 })).rejects.toThrow(/duty/);
    await expect(startCpuBurners({ threads: 1, duty: 0.5, periodMs: 0 })).rejects.toThrow(/periodMs/);
  });
});
