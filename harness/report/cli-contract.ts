/**
 * The CLI surface that files outside the CLI depend on (the nightly workflow, the README,
 * replay commands in reports). The workflow test checks the workflow against this list,
 * and the CLI's own test should check the parser against it, so neither can drift alone.
 */

export const CLI_BIN = 'slo-harness' as const;

export const CLI_SUBCOMMANDS = ['run', 'replay', 'report', 'merge'] as const;
export type CliSubcommand = (typeof CLI_SUBCOMMANDS)[number];

/** Long flags (with their leading dashes) and whether each takes a value. */
export const CLI_FLAGS = {
  '--budget': { value: true, description: 'measured-phase duration per scenario, e.g. 30s, 5m' },
  '--seed': { value: true, description: 'run seed (replays inputs and chaos)' },
  '--out': { value: true, description: 'report directory (results.json, index.html, junit.xml)' },
  '--json': { value: false, description: 'print results.json to stdout instead of the table' },
  '--engine': { value: true, description: 'builtin | jazzer | auto' },
  '--regression': { value: false, description: 'replay the committed corpora (slow inputs) as a regression suite' },
  '--baseline': { value: true, description: 'previous results.json to compare against' },
} as const;
export type CliFlag = keyof typeof CLI_FLAGS;

export const CLI_FLAG_NAMES = Object.keys(CLI_FLAGS) as CliFlag[];

export const CLI_ENGINES = ['builtin', 'jazzer', 'auto'] as const;

export function isCliSubcommand(word: string): word is CliSubcommand {
  return (CLI_SUBCOMMANDS as readonly string[]).includes(word);
}

export function isCliFlag(word: string): word is CliFlag {
  return Object.hasOwn(CLI_FLAGS, word);
}
