/**
 * The CLI contract (harness/report/cli-contract.ts) against the parser, HELP and the README:
 * every subcommand and flag the workflow or the README may use exists, with the same
 * meaning of "takes a value", and nothing in HELP is missing from the contract.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_FLAG_NAMES, CLI_FLAGS, CLI_SUBCOMMANDS, flagAppliesTo, type CliFlag, type CliSubcommand } from '../report/cli-contract.ts';
import { UsageError } from '../scenario/load.ts';
import { HELP, parseCli } from './args.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The smallest valid positional arguments of each subcommand. */
const POSITIONALS: Record<CliSubcommand, string[]> = { run: ['scenarios/'], replay: ['v.json'], report: ['results.json'] };

function withFlag(command: CliSubcommand, flag: CliFlag): string[] {
  const spec = CLI_FLAGS[flag];
  return [command, ...POSITIONALS[command], flag, ...(spec.value ? [(spec as { example: string }).example] : [])];
}

/** Long flags named in a text (`--word` or `--word-word`). */
function flagsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*[a-z]/g)].map((m) => m[0]));
}

describe('CLI contract', () => {
  it('lists every subcommand in HELP, and the parser accepts each', () => {
    for (const command of CLI_SUBCOMMANDS) {
      expect(HELP).toMatch(new RegExp(`^  slo-harness ${command} `, 'm'));
      expect(parseCli([command, ...POSITIONALS[command]]).command).toBe(command);
    }
    expect(() => parseCli(['merge', 'a'])).toThrow(UsageError);
  });

  it('has exactly the flags HELP documents', () => {
    const documented = [...flagsIn(HELP)].filter((f) => f !== '--help' && f !== '--version');
    expect(documented.sort()).toEqual([...CLI_FLAG_NAMES].sort());
  });

  it('accepts each flag on the subcommands the contract lists, with a value exactly when it takes one', () => {
    for (const flag of CLI_FLAG_NAMES) {
      for (const command of CLI_SUBCOMMANDS) {
        const argv = withFlag(command, flag);
        if (flagAppliesTo(flag, command)) {
          expect(() => parseCli(argv), argv.join(' ')).not.toThrow();
          if (CLI_FLAGS[flag].value) expect(() => parseCli([command, ...POSITIONALS[command], flag]), `${flag} without a value`).toThrow(UsageError);
        } else {
          expect(() => parseCli(argv), argv.join(' ')).toThrow(UsageError);
        }
      }
    }
  });

  it('parses run --baseline and report options into the command', () => {
    expect(parseCli(['run', 'scenarios/', '--baseline', 'prev/results.json'])).toMatchObject({ command: 'run', baseline: 'prev/results.json' });
    expect(parseCli(['run', 'scenarios/'])).toMatchObject({ baseline: null });
    expect(parseCli(['report', 'r/results.json', '--out', 'html', '--baseline', 'p.json'])).toEqual({ command: 'report', file: 'r/results.json', out: 'html', baseline: 'p.json' });
    expect(parseCli(['report', 'r/results.json'])).toEqual({ command: 'report', file: 'r/results.json', out: null, baseline: null });
    expect(() => parseCli(['report'])).toThrow(/exactly one results file/);
    expect(() => parseCli(['report', 'a.json', 'b.json'])).toThrow(/exactly one results file/);
  });

  it('reads a bare --budget or --load-timeout as seconds and refuses durations outside 1us..1 day', () => {
    expect(parseCli(['run', 'scenarios/', '--budget', '30'])).toMatchObject({ budgetMs: 30_000 });
    expect(parseCli(['run', 'scenarios/', '--budget', '250ms'])).toMatchObject({ budgetMs: 250 });
    expect(parseCli(['run', 'scenarios/', '--load-timeout', '2s'])).toMatchObject({ loadTimeoutMs: 2000 });
    expect(parseCli(['run', 'scenarios/'])).toMatchObject({ loadTimeoutMs: null });
    for (const bad of ['0', '0s', '1e300', '-5s', 'NaN', '100000', '2d']) {
      expect(() => parseCli(['run', 'scenarios/', `--budget=${bad}`]), bad).toThrow(/--budget: [\s\S]*fix: give a duration from 1us to 1 day/);
      expect(() => parseCli(['run', 'scenarios/', `--load-timeout=${bad}`]), bad).toThrow(/--load-timeout: /);
    }
  });

  it('the README documents every subcommand and flag, and no flag the CLI lacks', () => {
    for (const command of CLI_SUBCOMMANDS) expect(README).toContain(`slo-harness ${command}`);
    const inReadme = flagsIn(README);
    for (const flag of CLI_FLAG_NAMES) expect(inReadme.has(flag), flag).toBe(true);
    const unknown = [...inReadme].filter((f) => !(CLI_FLAG_NAMES as string[]).includes(f) && !['--help', '--version', '--import'].includes(f));
    expect(unknown).toEqual([]);
  });
});
