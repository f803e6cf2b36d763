/**
 * The CLI contract (harness/cli/contract.ts) is the one place flags are defined: the parser
 * options, `--help` and the README's command-line reference must all be what it renders.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HELP, parseCli, parserOptions } from '../harness/cli/args.ts';
import { CLI_FLAG_NAMES, CLI_FLAGS, CLI_SUBCOMMANDS, flagsOf, flagWording, type CliFlagSpec } from '../harness/cli/contract.ts';
import { renderHelp } from '../harness/cli/help.ts';
import { CLI_DOCS_COMMAND, readmeReference, renderReadmeReference, README_END, README_START } from '../harness/cli/readme-tables.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(path.join(REPO, 'README.md'), 'utf8');

/** Long flags named in a text (`--word` or `--word-word`). */
function flagsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*[a-z]/g)].map((m) => m[0]));
}

/** The lines of one `<command> options:` section of the help text. */
function helpSection(command: string): string {
  const start = HELP.indexOf(`\n${command} options:\n`);
  expect(start, `${command} options in HELP`).toBeGreaterThan(-1);
  const end = HELP.indexOf('\n\n', start + 1);
  return HELP.slice(start, end === -1 ? undefined : end);
}

/** Every non-test source file under a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

describe('README command-line reference', () => {
  it('is exactly what the contract renders', () => {
    const section = readmeReference(README);
    expect(section, `README.md needs ${README_START} and ${README_END} around its command-line reference`).not.toBeNull();
    expect(section, `README.md's command-line reference is out of date: run ${CLI_DOCS_COMMAND}`).toBe(renderReadmeReference());
  });

  it('lists every flag of every subcommand with its example', () => {
    const section = renderReadmeReference();
    for (const command of CLI_SUBCOMMANDS) {
      expect(section).toContain(`| \`${command}\` flag |`);
      for (const flag of flagsOf(command)) {
        const spec: CliFlagSpec = CLI_FLAGS[flag];
        expect(section).toContain(spec.value === null ? `\`${flag}\`` : `\`${flag} ${spec.example}\``);
      }
    }
  });

  it('names no flag the CLI lacks, anywhere in the README', () => {
    const unknown = [...flagsIn(README)].filter((f) => !(CLI_FLAG_NAMES as string[]).includes(f) && !['--help', '--version', '--import', '--check'].includes(f));
    expect(unknown).toEqual([]);
  });
});

describe('--help', () => {
  it('is rendered from the contract', () => {
    expect(HELP).toBe(renderHelp());
  });

  it('documents exactly the contract flags, each in the section of every subcommand that takes it', () => {
    expect([...flagsIn(HELP)].filter((f) => f !== '--help' && f !== '--version').sort()).toEqual([...CLI_FLAG_NAMES].sort());
    for (const command of CLI_SUBCOMMANDS) {
      const section = helpSection(command);
      const listed = [...section.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
      expect(listed, command).toEqual(flagsOf(command));
      for (const flag of flagsOf(command)) {
        const firstWords = flagWording(flag, command).description.split(' ').slice(0, 4).join(' ');
        expect(section.replace(/\s+/g, ' '), `${command} ${flag}`).toContain(firstWords);
      }
    }
  });
});

describe('parser options', () => {
  it('are derived from the contract: a string per valued flag (repeatable for lists), a boolean per switch', () => {
    for (const command of CLI_SUBCOMMANDS) {
      const expected: Record<string, unknown> = { help: { type: 'boolean', short: 'h', default: false } };
      for (const flag of flagsOf(command)) {
        const spec: CliFlagSpec = CLI_FLAGS[flag];
        expected[flag.slice(2)] = spec.kind === 'switch' ? { type: 'boolean', default: false } : { type: 'string', multiple: spec.kind === 'list' };
      }
      expect(parserOptions(command), command).toEqual(expected);
    }
  });

  it('are declared nowhere else in the harness: only cli/args.ts calls parseArgs', () => {
    const harness = path.join(REPO, 'harness');
    const callers = sources(harness).filter((file) => readFileSync(file, 'utf8').includes('parseArgs(')).map((file) => path.relative(REPO, file));
    expect(callers).toEqual(['harness/cli/args.ts']);
    expect(readFileSync(path.join(harness, 'cli/args.ts'), 'utf8')).toContain('options: parserOptions(command)');
  });

  it('refuses a bare number for every duration flag of every subcommand, naming the flag and the fix', () => {
    const durations = CLI_FLAG_NAMES.filter((f) => CLI_FLAGS[f].kind === 'duration');
    expect(durations).toEqual(expect.arrayContaining(['--budget', '--load-timeout']));
    for (const flag of durations) {
      for (const command of CLI_FLAGS[flag].commands) {
        expect(() => parseCli([command, 'x', flag, '30']), `${command} ${flag} 30`).toThrow(`${flag} 30 has no unit: write 30s or 30ms`);
      }
    }
  });
});
