/** Command-line parsing: subcommands, flags, and the help text a newcomer reads first. */
import { parseArgs } from 'node:util';
import { parseDurationMs } from '../core/duration.ts';
import { UsageError } from '../scenario/load.ts';
import type { EngineName } from '../scenario/types.ts';

export const HELP = `slo-harness: fuzz a target, measure its latency with HDR histograms, and check its SLO.

Usage:
  slo-harness run <scenario files or folders...> [options]
  slo-harness replay <violation.json> [--repeats N]
  slo-harness report <results.json> [--out <dir>] [--baseline <previous results.json>]
  slo-harness --help | --version

run options:
  --budget <duration>   measured time per scenario, e.g. 30s, 2m, from 1us to 1 day; a bare number
                        is seconds here (in scenario files it is ms) (default: the scenario's
                        budget, else 10s)
  --seed <n>            seed for inputs and chaos; a run prints its seed so --seed replays it
  --out <dir>           where results.json is written (default: reports/<run id>)
  --json                print results.json to stdout (the summary table goes to stderr)
  --engine <name>       builtin | jazzer | auto (default: the scenario's engine, else builtin)
  --fail-on-inconclusive  exit 1 when a verdict is INCONCLUSIVE (too few samples to decide)
  --quiet               no progress line
  --regression          replay every saved violation (corpora/<scenario>/violations/) with
                        first calls in fresh warm workers; exit 1 if any still exceeds its
                        per-call budget (or still crashes), 0 when all are fixed. Alone it
                        only replays; with --budget the fuzz phase runs afterwards too
  --trace <backend>     stacks of the worst violations: auto | bpftrace | v8 | off (default auto:
                        bpftrace when it can run here, else the V8 inspector profiler)
  --trace-hz <n>        stack sampling frequency, 1-10000 (default 99)
  --baseline <file>     a previous run's results.json: the report shows each SLO's change
                        (regressed/improved only when the confidence intervals do not
                        overlap), new findings and fixed findings
  --load-timeout <duration>  deadline for importing each scenario file, e.g. 10s (a bare
                        number is seconds; default SLO_HARNESS_LOAD_TIMEOUT_MS, else 30s); a
                        file still importing then (a top-level loop or await) is exit 2

replay options:
  --repeats <n>         first calls of the input, each in its own fresh warm worker, so a
                        target's cache cannot hide it (default 5; at most 5 workers)

report options (re-renders index.html and junit.xml from a results.json alone):
  --out <dir>           where to write them (default: the results file's folder)
  --baseline <file>     compare with a previous run's results.json, as for run

Exit codes: 0 every SLO passed, 1 an SLO failed or a finding (hang, crash, slow input) was
recorded, 2 usage or scenario error, 130 interrupted (partial results were written).

Scenario files are TypeScript or JavaScript modules ending in .scenario.ts (or .js/.mjs)
whose default export is defineScenario({...}) from 'slo-harness'. Findings are saved to
corpora/<scenario>/violations/ with a one-line replay command.`;

export interface RunCommand {
  command: 'run';
  paths: string[];
  budgetMs: number | null;
  seed: number | null;
  out: string | null;
  json: boolean;
  engine: EngineName | null;
  failOnInconclusive: boolean;
  quiet: boolean;
  /** Replay saved violations as a regression suite (pipeline/regression.ts). */
  regression: boolean;
  /** Trace phase backend (pipeline/trace-phase.ts). */
  trace: 'off' | 'auto' | 'bpftrace' | 'v8';
  /** Stack sampling frequency, Hz. */
  traceHz: number;
  /** Previous results.json to compare with, or null. */
  baseline: string | null;
  /** Deadline for importing each scenario file (ms), or null for SLO_HARNESS_LOAD_TIMEOUT_MS / 30 s. */
  loadTimeoutMs: number | null;
}

export interface ReportCommand {
  command: 'report';
  file: string;
  out: string | null;
  baseline: string | null;
}

export interface ReplayCommand {
  command: 'replay';
  file: string;
  repeats: number;
}

export type CliCommand = RunCommand | ReplayCommand | ReportCommand | { command: 'help' } | { command: 'version' };

function parseSeed(value: string | undefined): number | null {
  if (value === undefined) return null;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new UsageError(`--seed: expected a whole number from 0 to 4294967295, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * A duration flag. On the command line a bare number is seconds (`--budget 30` is 30 s),
 * unlike scenario files where it is milliseconds; the bounds (1 us to 1 day) are duration.ts's.
 */
function parseDurationFlag(flag: string, value: string | undefined, example: string): number | null {
  if (value === undefined) return null;
  const bare = /^\d+(\.\d+)?$/.test(value);
  const parsed = parseDurationMs(bare ? `${value}s` : value);
  if (parsed.ok) return parsed.ms;
  const problem = bare ? parsed.error.replace(JSON.stringify(`${value}s`), `${value} (a bare number is seconds)`) : parsed.error;
  throw new UsageError(`${flag}: ${problem}\n  fix: give a duration from 1us to 1 day, e.g. ${flag} ${example}`);
}

function parseEngine(value: string | undefined): EngineName | null {
  if (value === undefined) return null;
  if (value === 'builtin' || value === 'jazzer' || value === 'auto') return value;
  throw new UsageError(`--engine: expected builtin, jazzer or auto, got ${JSON.stringify(value)}`);
}

function parseTraceMode(value: string | undefined): RunCommand['trace'] {
  if (value === undefined) return 'auto';
  if (value === 'off' || value === 'auto' || value === 'bpftrace' || value === 'v8') return value;
  throw new UsageError(`--trace: expected auto, bpftrace, v8 or off, got ${JSON.stringify(value)}`);
}

function parseTraceHz(value: string | undefined): number {
  if (value === undefined) return 99;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000) throw new UsageError(`--trace-hz: expected a whole number from 1 to 10000, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function parseCli(argv: string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-v') return { command: 'version' };
  try {
    if (command === 'run') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: {
          budget: { type: 'string' },
          seed: { type: 'string' },
          out: { type: 'string' },
          json: { type: 'boolean', default: false },
          engine: { type: 'string' },
          'fail-on-inconclusive': { type: 'boolean', default: false },
          quiet: { type: 'boolean', default: false },
          regression: { type: 'boolean', default: false },
          trace: { type: 'string' },
          'trace-hz': { type: 'string' },
          baseline: { type: 'string' },
          'load-timeout': { type: 'string' },
          help: { type: 'boolean', short: 'h', default: false },
        },
      });
      if (values.help) return { command: 'help' };
      return {
        command: 'run',
        paths: positionals,
        budgetMs: parseDurationFlag('--budget', values.budget, '30s'),
        seed: parseSeed(values.seed),
        out: values.out ?? null,
        json: values.json ?? false,
        engine: parseEngine(values.engine),
        failOnInconclusive: values['fail-on-inconclusive'] ?? false,
        quiet: values.quiet ?? false,
        regression: values.regression ?? false,
        trace: parseTraceMode(values.trace),
        traceHz: parseTraceHz(values['trace-hz']),
        baseline: values.baseline ?? null,
        loadTimeoutMs: parseDurationFlag('--load-timeout', values['load-timeout'], '10s'),
      };
    }
    if (command === 'replay') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { repeats: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      });
      if (values.help) return { command: 'help' };
      if (positionals.length !== 1) throw new UsageError('replay takes exactly one violation file (corpora/<scenario>/violations/<id>.json)');
      const repeats = values.repeats === undefined ? 5 : Number(values.repeats);
      if (!Number.isInteger(repeats) || repeats < 1 || repeats > 10_000) throw new UsageError(`--repeats: expected a whole number from 1 to 10000, got ${values.repeats}`);
      return { command: 'replay', file: positionals[0] as string, repeats };
    }
    if (command === 'report') {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { out: { type: 'string' }, baseline: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
      });
      if (values.help) return { command: 'help' };
      if (positionals.length !== 1) throw new UsageError('report takes exactly one results file (reports/<run>/results.json)');
      return { command: 'report', file: positionals[0] as string, out: values.out ?? null, baseline: values.baseline ?? null };
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // node:util parseArgs errors (unknown flag, missing value) are usage errors too.
    throw new UsageError((error as Error).message);
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: run, replay, report; see --help)`);
}
