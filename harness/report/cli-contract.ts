/**
 * The CLI surface that files outside the CLI depend on (the nightly workflow, the README,
 * replay commands in reports). Tests check the parser and HELP (harness/cli/args.test.ts),
 * the README and the workflow (test/report/workflow.test.ts) against this list, so none of
 * them can drift alone.
 */

export const CLI_BIN = 'slo-harness' as const;

export const CLI_SUBCOMMANDS = ['run', 'replay', 'report'] as const;
export type CliSubcommand = (typeof CLI_SUBCOMMANDS)[number];

export interface CliFlagSpec {
  /** Whether the flag takes a value. */
  value: boolean;
  /** The subcommands that accept it. */
  commands: readonly CliSubcommand[];
  /** A valid value, for tests that exercise the parser. */
  example?: string;
  description: string;
}

/** Long flags (with their leading dashes). */
export const CLI_FLAGS = {
  '--budget': { value: true, commands: ['run'], example: '5s', description: 'measured-phase duration per scenario, e.g. 30s, 5m (a bare number is seconds)' },
  '--seed': { value: true, commands: ['run'], example: '42', description: 'run seed (replays inputs and chaos)' },
  '--out': { value: true, commands: ['run', 'report'], example: 'reports/x', description: 'report directory (results.json, index.html, junit.xml)' },
  '--json': { value: false, commands: ['run'], description: 'print results.json to stdout instead of the table' },
  '--engine': { value: true, commands: ['run'], example: 'builtin', description: 'builtin | jazzer | auto' },
  '--fail-on-inconclusive': { value: false, commands: ['run'], description: 'exit 1 when a verdict is INCONCLUSIVE' },
  '--quiet': { value: false, commands: ['run'], description: 'no progress line' },
  '--regression': { value: false, commands: ['run'], description: 'replay the saved violations (corpora) as a regression suite' },
  '--trace': { value: true, commands: ['run'], example: 'auto', description: 'stack tracer: auto | bpftrace | v8 | off' },
  '--trace-hz': { value: true, commands: ['run'], example: '99', description: 'stack sampling frequency' },
  '--baseline': { value: true, commands: ['run', 'report'], example: 'prev/results.json', description: 'previous results.json to compare against' },
  '--load-timeout': { value: true, commands: ['run'], example: '10s', description: 'deadline for importing each scenario file (default 30s)' },
  '--repeats': { value: true, commands: ['replay'], example: '3', description: 'calls of the target with the replayed input' },
} as const satisfies Record<string, CliFlagSpec>;
export type CliFlag = keyof typeof CLI_FLAGS;

export const CLI_FLAG_NAMES = Object.keys(CLI_FLAGS) as CliFlag[];

export const CLI_ENGINES = ['builtin', 'jazzer', 'auto'] as const;

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
