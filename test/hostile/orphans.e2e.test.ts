/**
 * Hostile users and orphans: however the harness ends (SIGKILL at any moment, SIGINT,
 * SIGTERM, the end of a run), nothing it started survives it: not the isolate host, not a
 * target's own `sleep`, not a service or its dependency (their ports are free again), not
 * stress-ng, not bpftrace. Every process of a run carries SLO_HARNESS_RUN_TAG in its
 * environment; each case sets a fresh tag for the CLI (the harness keeps a tag it is given)
 * and looks for it in /proc after the harness has gone.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isJazzerLoadable } from '../../harness/native/ensure-loadable.ts';
import { bpftraceAvailable } from '../../harness/trace/bpftrace.ts';
import { CLI, REPO } from '../support/cli.ts';
import { leftoverProcesses, type Leftover } from '../support/leftovers.ts';

const FIXTURES = path.join(REPO, 'test/fixtures/hostile-procs');
/** What "dies with the run" means here: gone this long after the harness exited. */
const AFTER_EXIT_MS = 2000;

const stressNgInstalled = spawnSync('stress-ng', ['--version'], { stdio: 'ignore' }).status === 0;
/** bpftrace on PATH, run as root (or with the capabilities), and a probe run that works. */
const bpftrace = await bpftraceAvailable();
const jazzer = await isJazzerLoadable();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(probe: () => Promise<T | null | undefined | false>, limitMs: number, what: string | (() => string)): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(50);
  }
}

/** A project under test-output/ (so `import 'slo-harness'` resolves) with the given fixtures in scenarios/. */
async function project(files: string[]): Promise<{ dir: string; scenarios: string }> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'orphans-'));
  const scenarios = path.join(dir, 'scenarios');
  await mkdir(scenarios);
  for (const file of files) await cp(path.join(FIXTURES, file), path.join(scenarios, file));
  return { dir, scenarios };
}

interface Harness {
  tag: string;
  child: ChildProcess;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A test's own cleanup hook (cases run concurrently: each cleans up after itself only). */
type OnFinished = (cleanup: () => Promise<void>) => void;

/** A case that failed half-way must not leave its harness (or what it started) behind. */
async function killRun(harness: Harness): Promise<void> {
  harness.child.kill('SIGKILL');
  await harness.exited;
  for (const p of await leftoverProcesses(harness.tag)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** `node bin/slo-harness.js run <args>` with a fresh run tag of its own. */
function startHarness(onFinished: OnFinished, args: string[], cwd: string, env: Record<string, string> = {}): Harness {
  return startTagged(onFinished, [CLI, 'run', ...args], cwd, env);
}

/** `node <argv>` with a fresh run tag of its own. */
function startTagged(onFinished: OnFinished, argv: string[], cwd: string, env: Record<string, string> = {}): Harness {
  const tag = `orphans-${randomBytes(6).toString('hex')}`;
  const child = spawn(process.execPath, argv, {
    cwd,
    env: { ...process.env, ...env, NODE_OPTIONS: '', SLO_HARNESS_RUN_TAG: tag },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const harness = { tag, child, stderr: () => stderr, exited };
  onFinished(() => killRun(harness));
  return harness;
}

/** The harness's descendants (the harness itself excluded) whose command line matches. */
async function descendantsMatching(harness: Harness, pattern: RegExp): Promise<Leftover[]> {
  const all = await leftoverProcesses(harness.tag);
  return all.filter((p) => p.pid !== harness.child.pid && pattern.test(p.cmdline));
}

async function waitForDescendant(harness: Harness, pattern: RegExp, limitMs = 60_000): Promise<Leftover[]> {
  return until(async () => {
    const found = await descendantsMatching(harness, pattern);
    return found.length > 0 ? found : null;
  }, limitMs, () => `a process matching ${pattern} (stderr: ${harness.stderr()})`);
}

/**
 * The outcome every case asserts: within AFTER_EXIT_MS of the harness's exit, no process
 * of the run is left (the list is printed on failure).
 */
async function expectNothingLeft(harness: Harness): Promise<void> {
  await harness.exited;
  const deadline = Date.now() + AFTER_EXIT_MS;
  let left = await leftoverProcesses(harness.tag);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(50);
    left = await leftoverProcesses(harness.tag);
  }
  // Whatever a failed case left is killed here, so it does not weigh on the next one.
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  expect(left).toEqual([]);
}

function pidIn(file: string): Promise<number> {
  return readFile(file, 'utf8').then(Number);
}

/** True while the process exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** True when nothing listens on 127.0.0.1:port (we can listen there ourselves). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The ports the service fixture wrote `port-<n>` files for (the service and its dependency). */
async function servicePorts(scenarios: string): Promise<number[]> {
  return (await readdir(scenarios)).filter((f) => /^port-\d+$/.test(f)).map((f) => Number(f.slice(5)));
}

describe.concurrent('SIGKILL of the harness leaves nothing behind', () => {
  for (const where of ['harness', 'isolate'] as const) {
    it(`while a scenario module is loading in the ${where} process (it has started a sleep)`, async ({ onTestFinished }) => {
      const { dir, scenarios } = await project(['loading-sleep.scenario.ts']);
      const harness = startHarness(onTestFinished, ['scenarios/', '--quiet'], dir, { HOSTILE_LOAD_WHERE: where });
      const marker = path.join(scenarios, 'marker-loading');
      const sleeper = await until(async () => existsSync(marker) && (await pidIn(marker)), 60_000, 'the loading marker');
      expect(alive(sleeper)).toBe(true);
      if (where === 'isolate') expect(await descendantsMatching(harness, /isolate-host/)).not.toEqual([]);
      harness.child.kill('SIGKILL');
      expect((await harness.exited).signal).toBe('SIGKILL');
      await expectNothingLeft(harness);
      expect(alive(sleeper)).toBe(false);
    });
  }

  it('while fuzzing a target that has started a long sleep of its own', async ({ onTestFinished }) => {
    const { dir, scenarios } = await project(['spawns-sleep.scenario.ts']);
    const harness = startHarness(onTestFinished, ['scenarios/', '--quiet'], dir);
    const marker = path.join(scenarios, 'marker-sleep');
    const sleeper = await until(async () => existsSync(marker) && (await pidIn(marker)), 60_000, 'the sleep marker');
    expect(alive(sleeper)).toBe(true);
    harness.child.kill('SIGKILL');
    expect((await harness.exited).signal).toBe('SIGKILL');
    await expectNothingLeft(harness);
    expect(alive(sleeper)).toBe(false);
  });

  it.skipIf(!jazzer.loadable)(
    `while Jazzer.js explores a target that has started a sleep${jazzer.loadable ? '' : ` (skipped: Jazzer.js cannot load here: ${jazzer.reason})`}`,
    async ({ onTestFinished }) => {
      const { dir, scenarios } = await project(['spawns-sleep.scenario.ts']);
      const harness = startHarness(onTestFinished, ['scenarios/', '--quiet', '--engine', 'jazzer'], dir);
      const marker = path.join(scenarios, 'marker-sleep');
      const sleeper = await until(async () => existsSync(marker) && (await pidIn(marker)), 90_000, 'the sleep marker');
      // The first call happens in the Jazzer.js child (the measured phase has not started).
      expect(await descendantsMatching(harness, /jazzer/)).not.toEqual([]);
      harness.child.kill('SIGKILL');
      expect((await harness.exited).signal).toBe('SIGKILL');
      await expectNothingLeft(harness);
      expect(alive(sleeper)).toBe(false);
    },
  );

  it('during a function scenario under CPU stress from worker burners', async ({ onTestFinished }) => {
    const { dir } = await project(['cpu-burner.scenario.ts']);
    // Under 2.5 s of budget there is no exploration: the burners start, then the measured
    // isolate; once its host runs, the stressed phase is under way.
    const harness = startHarness(onTestFinished, ['scenarios/', '--budget', '2400ms', '--quiet'], dir);
    await waitForDescendant(harness, /isolate-host/);
    harness.child.kill('SIGKILL');
    expect((await harness.exited).signal).toBe('SIGKILL');
    await expectNothingLeft(harness);
  });

  it.skipIf(!stressNgInstalled)(
    `during a function scenario under CPU stress from stress-ng${stressNgInstalled ? '' : ' (skipped: stress-ng is not installed here; apt-get install stress-ng)'}`,
    async ({ onTestFinished }) => {
      const { dir } = await project(['cpu-stress-ng.scenario.ts']);
      const harness = startHarness(onTestFinished, ['scenarios/', '--budget', '2400ms', '--quiet'], dir);
      const stressors = await waitForDescendant(harness, /(^|\/)stress-ng /);
      harness.child.kill('SIGKILL');
      expect((await harness.exited).signal).toBe('SIGKILL');
      await expectNothingLeft(harness);
      // Far sooner than stress-ng's own --timeout (budget + 30 s).
      for (const p of stressors) expect(alive(p.pid)).toBe(false);
    },
  );

  it('during an HTTP service scenario: the service and its dependency are gone and their ports free', async ({ onTestFinished }) => {
    const { dir, scenarios } = await project(['service.scenario.ts', 'server.mjs']);
    const harness = startHarness(onTestFinished, ['scenarios/', '--quiet'], dir);
    const ports = await until(async () => {
      const found = await servicePorts(scenarios);
      return found.length >= 2 ? found : null;
    }, 60_000, 'the service and its dependency listening');
    for (const port of ports) expect(await portIsFree(port)).toBe(false);
    harness.child.kill('SIGKILL');
    expect((await harness.exited).signal).toBe('SIGKILL');
    await expectNothingLeft(harness);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });

  it.skipIf(!bpftrace.ok)(
    `during the trace phase with bpftrace${bpftrace.ok ? '' : ` (skipped: ${bpftrace.reason})`}`,
    async ({ onTestFinished }) => {
      // The trace tests' request parser: its slow findings are traced by bpftrace after the fuzz phase.
      const { dir } = await project([]);
      const trace = path.join(REPO, 'test/fixtures/trace');
      await cp(path.join(trace, 'parse-header.scenario.ts'), path.join(dir, 'parse-header.scenario.ts'));
      await cp(path.join(trace, 'parse-header-corpus'), path.join(dir, 'parse-header-corpus'), { recursive: true });
      const harness = startHarness(onTestFinished, ['parse-header.scenario.ts', '--seed', '5', '--budget', '2s', '--quiet', '--trace', 'bpftrace'], dir);
      // The sampling session (not the availability probe run, which has no -B).
      await waitForDescendant(harness, /bpftrace -B line/, 90_000);
      harness.child.kill('SIGKILL');
      expect((await harness.exited).signal).toBe('SIGKILL');
      await expectNothingLeft(harness);
    },
  );
});

describe('SIGKILL of a program using the programmatic entry point (run in a child process)', () => {
  it('takes the run\'s child process, its isolate and the target\'s sleep with it', async ({ onTestFinished }) => {
    const { dir, scenarios } = await project(['spawns-sleep.scenario.ts']);
    const program = startTagged(onTestFinished, ['--import', 'tsx', path.join(FIXTURES, 'run-in-child.ts'), 'scenarios/spawns-sleep.scenario.ts'], dir);
    const marker = path.join(scenarios, 'marker-sleep');
    const sleeper = await until(async () => existsSync(marker) && (await pidIn(marker)), 60_000, 'the sleep marker');
    expect(await descendantsMatching(program, /run-file-child/)).not.toEqual([]);
    program.child.kill('SIGKILL');
    expect((await program.exited).signal).toBe('SIGKILL');
    await expectNothingLeft(program);
    expect(alive(sleeper)).toBe(false);
  });
});

describe.concurrent('SIGINT and SIGTERM leave nothing behind and exit 130/143', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} while fuzzing a target that has started a sleep`, async ({ onTestFinished }) => {
      const { dir, scenarios } = await project(['spawns-sleep.scenario.ts']);
      const harness = startHarness(onTestFinished, ['scenarios/', '--quiet'], dir);
      const marker = path.join(scenarios, 'marker-sleep');
      const sleeper = await until(async () => existsSync(marker) && (await pidIn(marker)), 60_000, 'the sleep marker');
      harness.child.kill(signal);
      expect((await harness.exited).code).toBe(code);
      await expectNothingLeft(harness);
      expect(alive(sleeper)).toBe(false);
    });
  }

  it('SIGTERM during an HTTP service scenario: exit 143, ports free', async ({ onTestFinished }) => {
    const { dir, scenarios } = await project(['service.scenario.ts', 'server.mjs']);
    const harness = startHarness(onTestFinished, ['scenarios/', '--quiet'], dir);
    const ports = await until(async () => {
      const found = await servicePorts(scenarios);
      return found.length >= 2 ? found : null;
    }, 60_000, 'the service and its dependency listening');
    harness.child.kill('SIGTERM');
    expect((await harness.exited).code).toBe(143);
    await expectNothingLeft(harness);
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });

  it('SIGINT while a scenario module is loading in the harness process', async ({ onTestFinished }) => {
    const { dir, scenarios } = await project(['loading-sleep.scenario.ts']);
    const harness = startHarness(onTestFinished, ['scenarios/', '--quiet'], dir, { HOSTILE_LOAD_WHERE: 'harness' });
    const marker = path.join(scenarios, 'marker-loading');
    const sleeper = await until(async () => existsSync(marker) && (await pidIn(marker)), 60_000, 'the loading marker');
    harness.child.kill('SIGINT');
    const exit = await harness.exited;
    // Interrupted: exit status 130, or death by SIGINT (what a shell reports as 130).
    expect(exit.code === 130 || exit.signal === 'SIGINT').toBe(true);
    await expectNothingLeft(harness);
    expect(alive(sleeper)).toBe(false);
  });

  it('a second SIGINT kills at once and still leaves nothing', async ({ onTestFinished }) => {
    const { dir } = await project(['service.scenario.ts', 'server.mjs']);
    const harness = startHarness(onTestFinished, ['scenarios/', '--quiet'], dir);
    await waitForDescendant(harness, /server\.mjs/);
    harness.child.kill('SIGINT');
    harness.child.kill('SIGINT');
    expect((await harness.exited).code).toBe(130);
    await expectNothingLeft(harness);
  });
});

describe('a normal end leaves nothing behind', () => {
  it('a run that ends on its budget kills the sleep its target started', async ({ onTestFinished }) => {
    const { dir, scenarios } = await project(['spawns-sleep.scenario.ts']);
    const harness = startHarness(onTestFinished, ['scenarios/', '--quiet', '--budget', '1s'], dir);
    const exit = await harness.exited;
    expect(exit.code).toBe(0);
    const sleeper = await pidIn(path.join(scenarios, 'marker-sleep'));
    await expectNothingLeft(harness);
    expect(alive(sleeper)).toBe(false);
  });
});

describe('parent-death guard', () => {
  const GUARDED = path.join(FIXTURES, 'guarded-parent.ts');
  const groups: number[] = [];
  // A failed case must not leave its sleeps to the next one.
  afterEach(() => {
    for (const pgid of groups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // gone, as it should be
      }
    }
  });

  function startGuarded(mode: 'wait' | 'crash' | 'natural'): { child: ChildProcess; info: Promise<{ pgid: number; guard: number }> } {
    const child = spawn(process.execPath, ['--import', 'tsx', GUARDED, mode], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    child.stderr?.resume();
    const info = new Promise<{ pgid: number; guard: number }>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (!out.includes('\n')) return;
        const reported = JSON.parse(out.slice(0, out.indexOf('\n'))) as { pgid: number; guard: number };
        groups.push(reported.pgid);
        resolve(reported);
      });
      child.once('exit', () => reject(new Error('the guarded parent exited before reporting')));
    });
    return { child, info };
  }

  const groupAlive = (pgid: number): boolean => {
    try {
      process.kill(-pgid, 0);
    } catch {
      return false;
    }
    const ps = spawnSync('ps', ['-o', 'stat=', '-g', String(pgid)], { encoding: 'utf8' }).stdout;
    return ps.split('\n').some((s) => s.trim() !== '' && !s.trim().startsWith('Z'));
  };

  it('kills a registered group within 2 s of its parent being SIGKILLed, then exits itself', async () => {
    const { child, info } = startGuarded('wait');
    const { pgid, guard } = await info;
    expect(groupAlive(pgid)).toBe(true);
    expect(alive(guard)).toBe(true);
    child.kill('SIGKILL');
    await until(async () => !groupAlive(pgid) || null, AFTER_EXIT_MS + 1000, 'the group to be gone');
    await until(async () => !alive(guard) || null, AFTER_EXIT_MS, 'the guard to exit');
  });

  it('kills a registered group when its parent dies of an uncaught exception', async () => {
    const { child, info } = startGuarded('crash');
    const { pgid } = await info;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin?.write('go\n');
    expect(await exited).toBe(1);
    await until(async () => !groupAlive(pgid) || null, AFTER_EXIT_MS, 'the group to be gone');
  });

  it('does not keep its parent alive: a parent whose work is done exits by itself, and the guard with it', async () => {
    const { child, info } = startGuarded('natural');
    const { guard } = await info;
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    await until(async () => !alive(guard) || null, AFTER_EXIT_MS, 'the guard to exit');
  });
});
