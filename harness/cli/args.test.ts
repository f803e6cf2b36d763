/**
 * The parser against the CLI contract (cli/contract.ts): every subcommand and flag the
 * table lists is accepted where it says, with a value exactly when it takes one, and each
 * kind of value is read by one rule (durations need a unit, lists split on commas).
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../scenario/load.ts';
import { HELP, parseCli, parserOptions } from './args.ts';
import { CLI_FLAG_NAMES, CLI_FLAGS, CLI_SUBCOMMANDS, flagAppliesTo, flagsOf, type CliFlag, type CliFlagSpec, type CliSubcommand } from './contract.ts';

/** The smallest valid positional arguments of each subcommand. */
const POSITIONALS: Record<CliSubcommand, string[]> = { run: ['scenarios/'], replay: ['v.json'], report: ['results.json'] };

function withFlag(command: CliSubcommand, flag: CliFlag): string[] {
  const spec: CliFlagSpec = CLI_FLAGS[flag];
  return [command, ...POSITIONALS[command], flag, ...(spec.value === null ? [] : [spec.example])];
}

function usageMessage(argv: string[]): string {
  try {
    parseCli(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('CLI parser', () => {
  it('lists every subcommand in HELP, and the parser accepts each', () => {
    for (const command of CLI_SUBCOMMANDS) {
      expect(HELP).toMatch(new RegExp(`^  slo-harness ${command} `, 'm'));
      expect(parseCli([command, ...POSITIONALS[command]]).command).toBe(command);
    }
    expect(usageMessage(['merge', 'a'])).toBe('unknown command "merge" (commands: run, replay, report; see --help)');
  });

  it('takes its options from the contract: a string option per valued flag, a boolean per switch, and --help', () => {
    for (const command of CLI_SUBCOMMANDS) {
      const options = parserOptions(command);
      expect(Object.keys(options).sort()).toEqual(['help', ...flagsOf(command).map((f) => f.slice(2))].sort());
      for (const flag of flagsOf(command)) expect(options[flag.slice(2)]?.type, flag).toBe(CLI_FLAGS[flag].value === null ? 'boolean' : 'string');
    }
    expect(parseCli(['run', 'x', '-h'])).toEqual({ command: 'help' });
  });

  it('accepts each flag on the subcommands the contract lists, with a value exactly when it takes one', () => {
    for (const flag of CLI_FLAG_NAMES) {
      for (const command of CLI_SUBCOMMANDS) {
        const argv = withFlag(command, flag);
        if (flagAppliesTo(flag, command)) {
          expect(() => parseCli(argv), argv.join(' ')).not.toThrow();
          if (CLI_FLAGS[flag].value !== null) expect(() => parseCli([command, ...POSITIONALS[command], flag]), `${flag} without a value`).toThrow(UsageError);
        } else {
          expect(() => parseCli(argv), argv.join(' ')).toThrow(UsageError);
        }
      }
    }
  });

  it('applies the table defaults when a flag is absent', () => {
    expect(parseCli(['run', 'scenarios/'])).toEqual({
      command: 'run', paths: ['scenarios/'], budgetMs: null, seed: null, out: null, json: false, engine: null, failOnInconclusive: false,
      quiet: false, regression: false, trace: 'auto', traceHz: 99, baseline: null, loadTimeoutMs: null, reporters: null,
    });
    expect(parseCli(['replay', 'v.json'])).toEqual({ command: 'replay', file: 'v.json', repeats: 5 });
  });

  it('parses run --baseline and report options into the command', () => {
    expect(parseCli(['run', 'scenarios/', '--baseline', 'prev/results.json'])).toMatchObject({ command: 'run', baseline: 'prev/results.json' });
    expect(parseCli(['report', 'r/results.json', '--out', 'html', '--baseline', 'p.json'])).toEqual({ command: 'report', file: 'r/results.json', out: 'html', baseline: 'p.json', reporters: null });
    expect(parseCli(['report', 'r/results.json'])).toEqual({ command: 'report', file: 'r/results.json', out: null, baseline: null, reporters: null });
    expect(usageMessage(['report'])).toBe('report takes exactly one results file (reports/<run>/results.json)');
    expect(usageMessage(['report', 'a.json', 'b.json'])).toMatch(/exactly one results file/);
    expect(usageMessage(['replay'])).toBe('replay takes exactly one violation file (corpora/<scenario>/violations/<id>.json)');
  });

  it('reads durations with their unit and refuses a bare number, naming the flag and the fix', () => {
    expect(parseCli(['run', 'scenarios/', '--budget', '30s'])).toMatchObject({ budgetMs: 30_000 });
    expect(parseCli(['run', 'scenarios/', '--budget', '250ms'])).toMatchObject({ budgetMs: 250 });
    expect(parseCli(['run', 'scenarios/', '--load-timeout', '2s'])).toMatchObject({ loadTimeoutMs: 2000 });
    expect(usageMessage(['run', 'scenarios/', '--budget', '30'])).toBe('--budget 30 has no unit: write 30s or 30ms');
    expect(usageMessage(['run', 'scenarios/', '--load-timeout=2.5'])).toBe('--load-timeout 2.5 has no unit: write 2.5s or 2.5ms');
    for (const bad of ['0s', '1e300', '-5s', 'NaN', '2d', '100000s', '']) {
      expect(usageMessage(['run', 'scenarios/', `--budget=${bad}`]), bad).toMatch(/^--budget: [\s\S]*\n  fix: give a duration from 1us to 1 day, e.g. --budget 30s$/);
      expect(usageMessage(['run', 'scenarios/', `--load-timeout=${bad}`]), bad).toMatch(/^--load-timeout: [\s\S]*e\.g\. --load-timeout 10s$/);
    }
  });

  it('reads whole numbers and choices by the table bounds', () => {
    expect(parseCli(['run', 'x', '--seed', '4294967295', '--engine', 'jazzer'])).toMatchObject({ seed: 4294967295, engine: 'jazzer' });
    expect(usageMessage(['run', 'x', '--seed', '4294967296'])).toBe('--seed: expected a whole number from 0 to 4294967295, got "4294967296"');
    expect(usageMessage(['replay', 'v.json', '--repeats', '0'])).toBe('--repeats: expected a whole number from 1 to 10000, got "0"');
    expect(usageMessage(['run', 'x', '--engine', 'libfuzzer'])).toBe('--engine: expected builtin, jazzer or auto, got "libfuzzer"');
    expect(usageMessage(['run', 'x', '--trace', 'perf'])).toBe('--trace: expected auto, bpftrace, v8 or off, got "perf"');
  });

  it('reads --reporter as a comma-separated, repeatable list of names, trimmed, each once', () => {
    expect(parseCli(['run', 'x', '--reporter', 'console'])).toMatchObject({ reporters: ['console'] });
    expect(parseCli(['run', 'x', '--reporter', ' json , junit', '--reporter=html', '--reporter', 'json'])).toMatchObject({ reporters: ['json', 'junit', 'html'] });
    expect(parseCli(['report', 'r.json', '--reporter', 'html,junit'])).toMatchObject({ reporters: ['html', 'junit'] });
    // Names are the registry's to check: an unknown one passes through.
    expect(parseCli(['run', 'x', '--reporter', 'sarif'])).toMatchObject({ reporters: ['sarif'] });
    for (const bad of ['', ',', 'json,', 'json,,html', ' , html']) {
      expect(usageMessage(['run', 'x', `--reporter=${bad}`]), JSON.stringify(bad)).toBe(`--reporter: ${JSON.stringify(bad)} has an empty name\n  fix: give comma-separated names without empty entries, e.g. --reporter console,junit`);
    }
    expect(() => parseCli(['replay', 'v.json', '--reporter', 'json'])).toThrow(UsageError);
  });
});
