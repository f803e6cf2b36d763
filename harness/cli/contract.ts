/**
 * The command-line contract, defined once: every subcommand and every flag with its value,
 * the subcommands that take it, its default, its description and a valid example. The
 * parser's options (cli/args.ts), the `--help` text (cli/help.ts) and the README's
 * command-line reference (cli/readme-tables.ts, written by scripts/cli-docs.ts) are all
 * derived from this file; the nightly workflow's commands are checked against it
 * (test/report/workflow-check.ts). Adding a flag here is the only way to add one.
 */

import { ENGINE_NAMES } from '../scenario/base-types.ts';

export const CLI_BIN = 'slo-harness' as const;

export const CLI_SUBCOMMANDS = ['run', 'replay', 'report'] as const;
export type CliSubcommand = (typeof CLI_SUBCOMMANDS)[number];

export interface CliSubcommandSpec {
  /** What follows the subcommand, as the synopsis shows it. */
  operands: string;
  /** When the subcommand takes exactly one operand, what it is (for the usage error); else null. */
  exactlyOne: string | null;
  /** What it does and how it exits, one sentence for `--help` and the README. */
  summary: string;
}

export const CLI_COMMANDS = {
  run: {
    operands: '<scenario files or folders...>',
    exactlyOne: null,
    summary: 'runs every scenario; exit 0 all SLOs held, 1 an SLO failed or a finding was recorded, 2 usage or scenario error or files the disk refused, 130/143 interrupted (partial results were written)',
  },
  replay: {
    operands: '<violation.json>',
    exactlyOne: 'violation file (corpora/<scenario>/violations/<id>.json)',
    summary: 'calls the target with one saved input in fresh workers; exit 1 when it still violates',
  },
  report: {
    operands: '<results.json>',
    exactlyOne: 'results file (reports/<run>/results.json)',
    summary: 'validates a results file and re-renders index.html and junit.xml from it alone; exit 2 naming the file and field when the file is not a valid results.json',
  },
} as const satisfies Record<CliSubcommand, CliSubcommandSpec>;

/** How a flag's value is read (cli/args.ts has one parser per kind). */
export type CliValueKind = 'switch' | 'duration' | 'whole' | 'choice' | 'text' | 'list';

/** What one subcommand says differently about a flag it shares with another. */
export interface CliFlagWording {
  description?: string;
  defaultNote?: string;
}

interface CliFlagBase {
  /** The subcommands that accept it. */
  commands: readonly CliSubcommand[];
  /** What it does, plain text (no markdown): help and README both show it. */
  description: string;
  /** The value used when the flag is absent, read like a user's value; absent: no value. */
  default?: string;
  /** What happens when the flag is absent, when the default alone does not say it. */
  defaultNote?: string;
  /** Wording for one subcommand, when it differs from the first subcommand's. */
  on?: Partial<Record<CliSubcommand, CliFlagWording>>;
}

/** A flag without a value: present or not. */
export interface CliSwitchSpec extends CliFlagBase {
  kind: 'switch';
  value: null;
}

/** A flag with a value; `value` names it in synopses (`--budget <duration>`). */
export interface CliValueSpec extends CliFlagBase {
  kind: 'duration' | 'text' | 'list';
  value: string;
  /** A valid value, for the README, error messages and tests. */
  example: string;
}

export interface CliWholeSpec extends CliFlagBase {
  kind: 'whole';
  value: string;
  example: string;
  min: number;
  max: number;
}

export interface CliChoiceSpec extends CliFlagBase {
  kind: 'choice';
  value: string;
  example: string;
  choices: readonly string[];
}

export type CliFlagSpec = CliSwitchSpec | CliValueSpec | CliWholeSpec | CliChoiceSpec;

/** Long flags (with their leading dashes), in the order help and the README list them. */
export const CLI_FLAGS = {
  '--budget': {
    kind: 'duration', value: 'duration', commands: ['run'], example: '30s',
    description: 'measured time per scenario with its unit, e.g. 30s or 2m, from 1us to 1 day (a bare number is a usage error)',
    defaultNote: "the scenario's budget, else 10s",
  },
  '--seed': {
    kind: 'whole', value: 'n', commands: ['run'], example: '42', min: 0, max: 0xffffffff,
    description: 'seed for inputs and chaos; a run prints its seed so --seed replays it',
    defaultNote: 'a random seed',
  },
  '--out': {
    kind: 'text', value: 'dir', commands: ['run', 'report'], example: 'reports/launch',
    description: 'where results.json, index.html and junit.xml are written',
    defaultNote: 'reports/<run id>',
    on: { report: { description: 'where to write index.html and junit.xml', defaultNote: "the results file's folder" } },
  },
  '--json': {
    kind: 'switch', value: null, commands: ['run'],
    description: 'print results.json to stdout (the summary table goes to stderr)',
  },
  '--engine': {
    kind: 'choice', value: 'name', commands: ['run'], example: 'builtin', choices: ENGINE_NAMES,
    description: 'fuzzing engine',
    defaultNote: "the scenario's engine, else builtin",
  },
  '--fail-on-inconclusive': {
    kind: 'switch', value: null, commands: ['run'],
    description: 'exit 1 when a verdict is INCONCLUSIVE (too few samples to decide)',
  },
  '--quiet': { kind: 'switch', value: null, commands: ['run'], description: 'no progress line' },
  '--regression': {
    kind: 'switch', value: null, commands: ['run'],
    description: 'replay every saved violation (corpora/<scenario>/violations/) with first calls in fresh warm workers; exit 1 if any still exceeds its per-call budget (or still crashes), 0 when all are fixed. Alone it only replays; with --budget the fuzz phase runs afterwards too',
  },
  '--trace': {
    kind: 'choice', value: 'backend', commands: ['run'], example: 'auto', choices: ['auto', 'bpftrace', 'v8', 'off'], default: 'auto',
    description: 'stacks of the worst violations',
    defaultNote: 'bpftrace when it can run here, else the V8 inspector profiler',
  },
  '--trace-hz': {
    kind: 'whole', value: 'n', commands: ['run'], example: '99', min: 1, max: 10_000, default: '99',
    description: 'stack sampling frequency in Hz',
  },
  '--baseline': {
    kind: 'text', value: 'file', commands: ['run', 'report'], example: 'prev/results.json',
    description: "a previous run's results.json: the report shows each SLO's change (regressed/improved only when the confidence intervals do not overlap), new findings and fixed findings",
    on: { report: { description: "compare with a previous run's results.json, as for run" } },
  },
  '--load-timeout': {
    kind: 'duration', value: 'duration', commands: ['run'], example: '10s',
    description: 'deadline for importing each scenario file, e.g. 10s; a file still importing then (a top-level loop or a never-settling await) is exit 2 naming it',
    defaultNote: 'SLO_HARNESS_LOAD_TIMEOUT_MS (milliseconds), else 30s',
  },
  '--reporter': {
    kind: 'list', value: 'names', commands: ['run', 'report'], example: 'console,junit',
    description: 'the reports to produce, among console, json, junit and html: a comma-separated list, and the flag may be repeated',
    defaultNote: 'all of them',
  },
  '--repeats': {
    kind: 'whole', value: 'n', commands: ['replay'], example: '3', min: 1, max: 10_000, default: '5',
    description: "first calls of the input, each in its own fresh warm worker, so a target's cache cannot hide it; at most 5 workers",
  },
} as const satisfies Record<`--${string}`, CliFlagSpec>;
export type CliFlag = keyof typeof CLI_FLAGS;

export const CLI_FLAG_NAMES = Object.keys(CLI_FLAGS) as CliFlag[];

export const CLI_ENGINES = CLI_FLAGS['--engine'].choices;

/** `--help`/`-h`: accepted by every subcommand and alone; not part of the flag table. */
export const HELP_FLAG = { name: '--help', short: 'h' } as const;

export function isCliSubcommand(word: string): word is CliSubcommand {
  return (CLI_SUBCOMMANDS as readonly string[]).includes(word);
}

export function isCliFlag(word: string): word is CliFlag {
  return Object.hasOwn(CLI_FLAGS, word);
}

/** Whether `flag` is accepted by `subcommand`. */
export function flagAppliesTo(flag: CliFlag, subcommand: CliSubcommand): boolean {
  return (CLI_FLAGS[flag].commands as readonly CliSubcommand[]).includes(subcommand);
}

/** The flags of one subcommand, in table order. */
export function flagsOf(subcommand: CliSubcommand): CliFlag[] {
  return CLI_FLAG_NAMES.filter((flag) => flagAppliesTo(flag, subcommand));
}

/** The flag's description and default note as `subcommand` words them. */
export function flagWording(flag: CliFlag, subcommand: CliSubcommand): { description: string; defaultNote: string | null } {
  const spec: CliFlagSpec = CLI_FLAGS[flag];
  const own = spec.on?.[subcommand];
  return { description: own?.description ?? spec.description, defaultNote: own?.defaultNote ?? spec.defaultNote ?? null };
}
