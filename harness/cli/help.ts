/**
 * The `--help` text, rendered from the CLI contract (cli/contract.ts): a flag added there
 * appears here with its value, description and default, so help cannot fall behind.
 */
import {
  CLI_BIN,
  CLI_COMMANDS,
  CLI_FLAGS,
  CLI_SUBCOMMANDS,
  flagsOf,
  flagWording,
  HELP_FLAG,
  type CliFlag,
  type CliFlagSpec,
  type CliSubcommand,
} from './contract.ts';

/** Help lines wrap here, so the text reads in an 80-100 column terminal. */
const WIDTH = 96;
/** Descriptions start in this column; a longer flag pushes its first line right. */
const DESCRIPTION_COLUMN = 24;
/** A synopsis names each flag when there are this few, else says [options]. */
const SYNOPSIS_MAX_FLAGS = 3;

const INTRO = 'slo-harness: fuzz a target, measure its latency with HDR histograms, and check its SLO.';

const EXIT_CODES = `Exit codes: 0 every SLO passed, 1 an SLO failed or a finding (hang, crash, slow input) was
recorded, 2 usage or scenario error, 130 interrupted (partial results were written).`;

const SCENARIO_FILES = `Scenario files are TypeScript or JavaScript modules ending in .scenario.ts (or .js/.mjs)
whose default export is defineScenario({...}) from 'slo-harness'. Findings are saved to
corpora/<scenario>/violations/ with a one-line replay command.`;

/** `--budget <duration>`, or `--quiet` for a switch. */
export function flagSynopsis(flag: CliFlag): string {
  const spec: CliFlagSpec = CLI_FLAGS[flag];
  return spec.value === null ? flag : `${flag} <${spec.value}>`;
}

/** `slo-harness report <results.json> [--out <dir>] ...`: flags named when they are few. */
export function commandSynopsis(command: CliSubcommand): string {
  const flags = flagsOf(command);
  const options = flags.length <= SYNOPSIS_MAX_FLAGS ? flags.map((f) => `[${flagSynopsis(f)}]`).join(' ') : '[options]';
  return `${CLI_BIN} ${command} ${CLI_COMMANDS[command].operands} ${options}`;
}

/** The allowed values of a choice flag, `auto | bpftrace | v8 | off`; null for other kinds. */
export function choicesOf(flag: CliFlag): readonly string[] | null {
  const spec: CliFlagSpec = CLI_FLAGS[flag];
  return spec.kind === 'choice' ? spec.choices : null;
}

/** What happens without the flag: the table's default value and a note, either may be absent. */
export function defaultParts(flag: CliFlag, command: CliSubcommand): { value: string | null; note: string | null } {
  const spec: CliFlagSpec = CLI_FLAGS[flag];
  return { value: spec.default ?? null, note: flagWording(flag, command).defaultNote };
}

/** What happens without the flag, `99` or "the scenario's budget, else 10s"; null when nothing to say. */
function defaultText(flag: CliFlag, command: CliSubcommand): string | null {
  const { value, note } = defaultParts(flag, command);
  if (value === null) return note;
  return note === null ? value : `${value} (${note})`;
}

/** Words of `text` in lines: the first starts after `lead`, the others at `indent`. */
function wrap(lead: string, text: string, indent: number): string[] {
  const lines: string[] = [];
  let line = lead;
  let empty = true; // no word on this line yet: a long word still goes on it
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = empty ? `${line}${word}` : `${line} ${word}`;
    if (!empty && candidate.length > WIDTH) {
      lines.push(line);
      line = `${' '.repeat(indent)}${word}`;
    } else {
      line = candidate;
    }
    empty = false;
  }
  lines.push(line.trimEnd());
  return lines;
}

/** One flag's help entry: synopsis, description, allowed values and default. */
function flagHelp(flag: CliFlag, command: CliSubcommand): string[] {
  const synopsis = `  ${flagSynopsis(flag)}`;
  const lead = synopsis.length + 2 <= DESCRIPTION_COLUMN ? synopsis.padEnd(DESCRIPTION_COLUMN) : `${synopsis}  `;
  const choices = choicesOf(flag);
  const fallback = defaultText(flag, command);
  let text = flagWording(flag, command).description;
  if (choices !== null) text += `: ${choices.join(' | ')}`;
  if (fallback !== null) text += `; default ${fallback}`;
  return wrap(lead, text, DESCRIPTION_COLUMN);
}

function usageSection(): string[] {
  return ['Usage:', ...CLI_SUBCOMMANDS.map((c) => `  ${commandSynopsis(c)}`), `  ${CLI_BIN} ${HELP_FLAG.name} | --version`];
}

function commandsSection(): string[] {
  const column = Math.max(...CLI_SUBCOMMANDS.map((c) => c.length)) + 4;
  return ['Commands:', ...CLI_SUBCOMMANDS.flatMap((c) => wrap(`  ${c}`.padEnd(column), CLI_COMMANDS[c].summary, column))];
}

function optionsSection(command: CliSubcommand): string[] {
  return [`${command} options:`, ...flagsOf(command).flatMap((flag) => flagHelp(flag, command))];
}

/** The whole `--help` text. */
export function renderHelp(): string {
  const sections = [[INTRO], usageSection(), commandsSection(), ...CLI_SUBCOMMANDS.map(optionsSection), [EXIT_CODES], [SCENARIO_FILES]];
  return sections.map((lines) => lines.join('\n')).join('\n\n');
}

export const HELP = renderHelp();
