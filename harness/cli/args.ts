/**
 * Command-line parsing. Which flags each subcommand takes, whether they take a value and
 * their defaults all come from the contract (cli/contract.ts); this file turns the values
 * into a typed command, one parser per kind of value.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDurationMs } from '../core/duration.ts';
import { UsageError } from '../scenario/load.ts';
import type { EngineName } from '../scenario/types.ts';
import { CLI_COMMANDS, CLI_FLAGS, CLI_SUBCOMMANDS, flagsOf, HELP_FLAG, isCliSubcommand, type CliChoiceSpec, type CliFlag, type CliFlagSpec, type CliSubcommand } from './contract.ts';

export { HELP } from './help.ts';

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
  /** Reporter names from --reporter, in order, not yet checked against the registry; null: every reporter. */
  reporters: string[] | null;
}

export interface ReportCommand {
  command: 'report';
  file: string;
  out: string | null;
  baseline: string | null;
  /** As RunCommand.reporters. */
  reporters: string[] | null;
}

export interface ReplayCommand {
  command: 'replay';
  file: string;
  repeats: number;
}

export type CliCommand = RunCommand | ReplayCommand | ReportCommand | { command: 'help' } | { command: 'version' };

/** What node:util parseArgs returns for options built at run time. */
type RawValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** Flags whose table entry has a default: their parsers never return null. */
type DefaultedFlag = { [F in CliFlag]: (typeof CLI_FLAGS)[F] extends { default: string } ? F : never }[CliFlag];
type FlagOfKind<K extends CliFlagSpec['kind']> = { [F in CliFlag]: (typeof CLI_FLAGS)[F]['kind'] extends K ? F : never }[CliFlag];
type ChoiceOf<F extends FlagOfKind<'choice'>> = (typeof CLI_FLAGS)[F]['choices'][number];

/** The node:util parseArgs options of one subcommand, derived from the contract, plus --help. */
export function parserOptions(command: CliSubcommand): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = { [HELP_FLAG.name.slice(2)]: { type: 'boolean', short: HELP_FLAG.short, default: false } };
  for (const flag of flagsOf(command)) {
    const spec: CliFlagSpec = CLI_FLAGS[flag];
    options[flag.slice(2)] = spec.kind === 'switch' ? { type: 'boolean', default: false } : { type: 'string', multiple: spec.kind === 'list' };
  }
  return options;
}

/** The value given for a flag (the last one when repeated), else its default from the table. */
function given(values: RawValues, flag: CliFlag): string | undefined {
  const raw = values[flag.slice(2)];
  const last = Array.isArray(raw) ? raw.at(-1) : raw;
  if (typeof last === 'string') return last;
  const spec: CliFlagSpec = CLI_FLAGS[flag];
  return spec.default;
}

function switchOn(values: RawValues, flag: FlagOfKind<'switch'>): boolean {
  return values[flag.slice(2)] === true;
}

function text(values: RawValues, flag: FlagOfKind<'text'>): string | null {
  return given(values, flag) ?? null;
}

/**
 * A duration flag: duration.ts's one rule, so a duration needs a unit here as in scenario
 * files. A bare number gets its own message, since it is the likely slip (`--budget 30`
 * was seconds before every duration needed a unit).
 */
function duration(values: RawValues, flag: FlagOfKind<'duration'>): number | null {
  const value = given(values, flag);
  if (value === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${flag} ${value} has no unit: write ${value}s or ${value}ms`);
  const parsed = parseDurationMs(value);
  if (parsed.ok) return parsed.ms;
  throw new UsageError(`${flag}: ${parsed.error}\n  fix: give a duration from 1us to 1 day, e.g. ${flag} ${CLI_FLAGS[flag].example}`);
}

function whole(values: RawValues, flag: FlagOfKind<'whole'> & DefaultedFlag): number;
function whole(values: RawValues, flag: FlagOfKind<'whole'>): number | null;
function whole(values: RawValues, flag: FlagOfKind<'whole'>): number | null {
  const value = given(values, flag);
  if (value === undefined) return null;
  const { min, max } = CLI_FLAGS[flag];
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${flag}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

function choice<F extends FlagOfKind<'choice'> & DefaultedFlag>(values: RawValues, flag: F): ChoiceOf<F>;
function choice<F extends FlagOfKind<'choice'>>(values: RawValues, flag: F): ChoiceOf<F> | null;
function choice<F extends FlagOfKind<'choice'>>(values: RawValues, flag: F): ChoiceOf<F> | null {
  const value = given(values, flag);
  if (value === undefined) return null;
  const choices: CliChoiceSpec['choices'] = CLI_FLAGS[flag].choices;
  if (choices.includes(value)) return value as ChoiceOf<F>;
  const expected = `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
  throw new UsageError(`${flag}: expected ${expected}, got ${JSON.stringify(value)}`);
}

/**
 * A list flag: comma-separated names, the flag repeatable; names trimmed, duplicates kept
 * once, in order. Names are not checked here: the reporter registry knows them.
 */
function list(values: RawValues, flag: FlagOfKind<'list'>): string[] | null {
  const raw = values[flag.slice(2)];
  if (!Array.isArray(raw) || raw.length === 0) return null;
  const names: string[] = [];
  for (const value of raw.map(String)) {
    const parts = value.split(',').map((name) => name.trim());
    if (parts.includes('')) throw new UsageError(`${flag}: ${JSON.stringify(value)} has an empty name\n  fix: give comma-separated names without empty entries, e.g. ${flag} ${CLI_FLAGS[flag].example}`);
    for (const name of parts) if (!names.includes(name)) names.push(name);
  }
  return names;
}

function parseRun(values: RawValues, paths: string[]): RunCommand {
  return {
    command: 'run',
    paths,
    budgetMs: duration(values, '--budget'),
    seed: whole(values, '--seed'),
    out: text(values, '--out'),
    json: switchOn(values, '--json'),
    engine: choice(values, '--engine'),
    failOnInconclusive: switchOn(values, '--fail-on-inconclusive'),
    quiet: switchOn(values, '--quiet'),
    regression: switchOn(values, '--regression'),
    trace: choice(values, '--trace'),
    traceHz: whole(values, '--trace-hz'),
    baseline: text(values, '--baseline'),
    loadTimeoutMs: duration(values, '--load-timeout'),
    reporters: list(values, '--reporter'),
  };
}

/** The single operand of replay and report, or the contract's usage error. */
function onlyOperand(command: 'replay' | 'report', positionals: string[]): string {
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one ${CLI_COMMANDS[command].exactlyOne}`);
  return positionals[0] as string;
}

function parseSubcommand(command: CliSubcommand, args: string[]): CliCommand {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: parserOptions(command) });
  if (values[HELP_FLAG.name.slice(2)] === true) return { command: 'help' };
  switch (command) {
    case 'run':
      return parseRun(values, positionals);
    case 'replay':
      return { command: 'replay', file: onlyOperand(command, positionals), repeats: whole(values, '--repeats') };
    case 'report':
      return { command: 'report', file: onlyOperand(command, positionals), out: text(values, '--out'), baseline: text(values, '--baseline'), reporters: list(values, '--reporter') };
  }
}

export function parseCli(argv: string[]): CliCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === HELP_FLAG.name || command === `-${HELP_FLAG.short}` || command === 'help') return { command: 'help' };
  if (command === '--version' || command === '-v') return { command: 'version' };
  if (!isCliSubcommand(command)) throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: ${CLI_SUBCOMMANDS.join(', ')}; see --help)`);
  try {
    return parseSubcommand(command, rest);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // node:util parseArgs errors (unknown flag, missing value) are usage errors too.
    throw new UsageError((error as Error).message);
  }
}
