/**
 * The isolate driver on real isolates (a real host process, real worker threads) and small
 * fixture targets. No absolute times: the assertions are on counts, kinds and how each
 * isolate ended.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../scenario/load.ts';
import type { ResolvedScenario } from '../../scenario/types.ts';
import { TargetStartError } from '../driver.ts';
import { describeHostExit, IsolateDriver, targetExitOf } from './driver.ts';
import type { IsolateExit } from './isolate.ts';
import type { FindingMessage, SnapshotMessage } from './protocol.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../test/fixtures');
const text = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));

async function scenarioAt(file: string): Promise<ResolvedScenario> {
  const [scenario] = await loadScenarioFile(path.join(FIXTURES, file));
  if (!scenario) throw new Error(`no scenario in ${file}`);
  return scenario;
}

describe('isolate driver: start, measure, stop', () => {
  it('starts the target, says when it is ready, and finishes a measured phase by its call count', async () => {
    const driver = new IsolateDriver({ scenario: await scenarioAt('scenarios/pass.scenario.ts'), seed: 1 });
    const snapshots: SnapshotMessage[] = [];
    const told: string[] = [];
    const running = driver.measure(
      { durationMs: 60_000, calls: 300, seeds: [] },
      {
        onReady: (r) => told.push(`ready ${r.engine}`),
        onSnapshot: (s) => {
          told.push('snapshot');
          snapshots.push(s);
        },
      },
    );
    const ready = await running.ready;
    expect(ready.pid).toBeGreaterThan(0);
    expect(ready.engine).not.toBe('replay');
    const exit = await running.exited;
    expect(exit.reason).toBe('finished');
    expect(exit.crash).toBeNull();
    expect(exit.code).toBe(0);
    // The listener hears of readiness once, with the same engine, before the loop's last snapshot.
    expect(told.filter((t) => t.startsWith('ready'))).toEqual([`ready ${ready.engine}`]);
    expect(told.indexOf(`ready ${ready.engine}`)).toBeLessThan(told.lastIndexOf('snapshot'));
    const last = snapshots.at(-1);
    expect(last?.final).toBe(true);
    expect(last?.calls).toBe(300);
  }, 60_000);

  it('stops a phase that would run for minutes when asked', async () => {
    const driver = new IsolateDriver({ scenario: await scenarioAt('scenarios/pass.scenario.ts'), seed: 2 });
    const snapshots: SnapshotMessage[] = [];
    const running = driver.measure({ durationMs: 300_000, calls: null, seeds: [] }, { onSnapshot: (s) => snapshots.push(s) });
    await running.ready;
    running.stop();
    const exit = await running.exited;
    expect(exit.reason).toBe('stopped');
    expect(snapshots.at(-1)?.final).toBe(true);
  }, 60_000);

  it('a target killed before it was ready: ready rejects, the exit says killed', async () => {
    const driver = new IsolateDriver({ scenario: await scenarioAt('scenarios/pass.scenario.ts'), seed: 3 });
    const running = driver.measure({ durationMs: 60_000, calls: null, seeds: [] }, {});
    running.kill();
    await expect(running.ready).rejects.toBeInstanceOf(TargetStartError);
    expect((await running.exited).reason).toBe('killed');
  }, 60_000);
});

describe('isolate driver: calls', () => {
  it('calls one input the asked number of times and reports each latency', async () => {
    const driver = new IsolateDriver({ scenario: await scenarioAt('scenarios/pass.scenario.ts'), seed: 4 });
    const { outcome } = driver.call(text('hello'), 3);
    const { latenciesMs, threw, failure, exit } = await outcome;
    expect(latenciesMs).toHaveLength(3);
    expect(threw).toBeNull();
    expect(failure).toBeNull();
    expect(exit.reason).toBe('finished');
  }, 60_000);

  it('reports what the target threw', async () => {
    const driver = new IsolateDriver({ scenario: await scenarioAt('scenarios/crash.scenario.ts'), seed: 5 });
    const { threw, failure } = await driver.call(text('THROW'), 1).outcome;
    expect(threw?.message).toContain('TypeError');
    expect(failure).toBeNull();
  }, 60_000);
});

describe('isolate driver: crash handling', () => {
  it('a target that exits its worker is a finding; the host goes on and finishes', async () => {
    const driver = new IsolateDriver({ scenario: await scenarioAt('scenarios/crash.scenario.ts'), seed: 6 });
    const findings: FindingMessage[] = [];
    const { failure, latenciesMs, exit } = await driver.call(text('EXIT'), 1, { onFinding: (f) => findings.push(f) }).outcome;
    expect(failure?.kind).toBe('exit');
    expect(Buffer.from(failure?.input ?? []).toString()).toBe('EXIT');
    expect(findings).toContain(failure);
    expect(latenciesMs).toEqual([]);
    expect(exit.reason).toBe('finished');
  }, 60_000);

  it('a target that kills its whole process: crashed, with the input that did it', async () => {
    const driver = new IsolateDriver({ scenario: await scenarioAt('hostile-targets/self-kill.scenario.ts'), seed: 7 });
    const findings: FindingMessage[] = [];
    const { failure, exit } = await driver.call(text('KILL'), 1, { onFinding: (f) => findings.push(f) }).outcome;
    expect(exit.reason).toBe('crashed');
    expect(exit.crash?.finding.kind).toBe('crash');
    expect(exit.crash?.inputKnown).toBe(true);
    expect(Buffer.from(exit.crash?.finding.input ?? []).toString()).toBe('KILL');
    // The recovered finding reached the listener like any other, and is the call's failure.
    expect(findings).toEqual([exit.crash?.finding]);
    expect(failure).toBe(exit.crash?.finding);
  }, 60_000);
});

describe('isolate driver: how a host ended', () => {
  const host = (over: Partial<IsolateExit>): IsolateExit => ({ code: 0, signal: null, outputTail: '', killedForSilence: false, crash: null, fatal: null, ...over });

  it('keeps the exit code of a host that finished its work and then failed', () => {
    const exit = targetExitOf(host({ code: 3 }), 'budget', false);
    expect(exit.reason).toBe('finished');
    expect(exit.code).toBe(3);
    expect(describeHostExit(exit)).toBe('the isolate host exited with code 3');
  });

  it('a host killed for its silence is unresponsive, with the signal that ended it', () => {
    const exit = targetExitOf(host({ code: null, signal: 'SIGKILL', killedForSilence: true }), null, false);
    expect(exit.reason).toBe('unresponsive');
    expect(exit.signal).toBe('SIGKILL');
  });

  it('a host that died without a word and left no crash to recover: crashed, said by its signal', () => {
    const exit = targetExitOf(host({ code: null, signal: 'SIGSEGV' }), null, false);
    expect(exit.reason).toBe('crashed');
    expect(exit.message).toBe('the isolate host exited with SIGSEGV');
  });

  it('a fatal error explains the exit code: failed, a load timeout kept apart', () => {
    const exit = targetExitOf(host({ code: 1, fatal: { message: 'module never loaded', loadTimeout: true } }), null, false);
    expect(exit).toMatchObject({ reason: 'failed', message: 'module never loaded', loadTimeout: true, code: 1 });
  });
});
