/** Helpers for end-to-end tests: a throw-away project folder and the real CLI in a child process. */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(REPO, 'bin/slo-harness.js');
const FIXTURES = path.join(REPO, 'test/fixtures');

/**
 * Copies fixture scenarios (and their corpora) into a fresh folder under test-output/,
 * inside the repository so that `import 'slo-harness'` resolves to this package.
 */
export async function makeProject(scenarioFiles: string[]): Promise<string> {
  await mkdir(path.join(REPO, 'test-output'), { recursive: true });
  const dir = await mkdtemp(path.join(REPO, 'test-output', 'e2e-'));
  await mkdir(path.join(dir, 'scenarios'));
  for (const file of scenarioFiles) {
    const target = file.replace(/\.txt$/, '');
    await cp(path.join(FIXTURES, 'scenarios', file), path.join(dir, 'scenarios', target));
  }
  await cp(path.join(FIXTURES, 'corpora'), path.join(dir, 'corpora'), { recursive: true });
  return dir;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface RunningCli {
  pid: number;
  /** Resolves once stderr contains the text. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  done: Promise<CliRun>;
}

export function startCli(args: string[], cwd: string): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    for (const w of waiters.splice(0)) w();
  });
  const done = new Promise<CliRun>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1 })),
  );
  return {
    pid: child.pid ?? -1,
    kill: (signal) => child.kill(signal),
    done,
    waitFor(text, timeoutMs = 60_000) {
      const matches = (): boolean => (typeof text === 'string' ? stderr.includes(text) : text.test(stderr));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; stderr: ${stderr}`)), timeoutMs);
        const check = (): void => {
          if (matches()) {
            clearTimeout(timer);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

export function runCli(args: string[], cwd: string): Promise<CliRun> {
  return startCli(args, cwd).done;
}

/** Processes (other than zombies) whose working directory is `dir`: children left behind. */
export async function processesIn(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A zombie has exited already (its parent has not reaped it yet): not a leftover.
      const state = /\) (\S)/.exec(await readFile(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (state === 'Z') continue;
      if ((await readlink(`/proc/${entry}/cwd`)) === dir) pids.push(Number(entry));
    } catch {
      // Exited meanwhile, or not ours to read.
    }
  }
  return pids;
}
