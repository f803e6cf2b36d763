/**
 * The README's command-line reference, rendered from the CLI contract (cli/contract.ts).
 * scripts/cli-docs.ts writes it between the markers below; test/cli-contract.test.ts fails
 * when the README holds anything else there.
 */
import { CLI_COMMANDS, CLI_FLAGS, CLI_SUBCOMMANDS, flagsOf, flagWording, type CliFlag, type CliFlagSpec, type CliSubcommand } from './contract.ts';
import { choicesOf, commandSynopsis, defaultParts, flagSynopsis } from './help.ts';

export const README_START = '<!-- cli-flags:start -->';
export const README_END = '<!-- cli-flags:end -->';
/** The command that rewrites the README section; error messages quote it. */
export const CLI_DOCS_COMMAND = 'node --import tsx scripts/cli-docs.ts';

/**
 * Paths, file names, flags, placeholders and environment variables in plain text, set as
 * code: markdown would otherwise swallow `<scenario>` as an HTML tag.
 */
const CODE_WORDS = /(?:[\w./-]*<[^>]+>[\w./-]*)+|--[a-z][a-z-]*[a-z]|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b|\b[\w-]+\.(?:json|html|xml)\b/g;

function code(text: string): string {
  return `\`${text}\``;
}

/** Plain contract text as one markdown table cell. */
function cell(text: string): string {
  return text.replace(CODE_WORDS, (match) => code(match)).replace(/\|/g, '\\|');
}

function commandTable(): string[] {
  return ['| command | what it does |', '|---|---|', ...CLI_SUBCOMMANDS.map((c) => `| ${code(commandSynopsis(c))} | ${cell(CLI_COMMANDS[c].summary)} |`)];
}

/** The default cell: the value as code, the note as text. */
function defaultCell(flag: CliFlag, command: CliSubcommand): string {
  const { value, note } = defaultParts(flag, command);
  const parts = [value === null ? null : code(value), note === null ? null : cell(note)].filter((p) => p !== null);
  return parts.length === 2 ? `${parts[0]} (${parts[1]})` : (parts[0] ?? '');
}

function flagRow(flag: CliFlag, command: CliSubcommand): string {
  const spec: CliFlagSpec = CLI_FLAGS[flag];
  const choices = choicesOf(flag);
  const meaning = cell(flagWording(flag, command).description) + (choices === null ? '' : `: ${choices.map(code).join(', ')}`);
  const example = spec.value === null ? flag : `${flag} ${spec.example}`;
  return `| ${code(flagSynopsis(flag))} | ${meaning} | ${defaultCell(flag, command)} | ${code(example)} |`;
}

function flagTable(command: CliSubcommand): string[] {
  return [`| \`${command}\` flag | meaning | default | example |`, '|---|---|---|---|', ...flagsOf(command).map((flag) => flagRow(flag, command))];
}

/** The markdown between the markers (markers excluded). */
export function renderReadmeReference(): string {
  const note = `<!-- generated from harness/cli/contract.ts by \`${CLI_DOCS_COMMAND}\`: edit the contract, not this table -->`;
  const tables = [commandTable(), ...CLI_SUBCOMMANDS.map(flagTable)].map((lines) => lines.join('\n'));
  return [note, ...tables].join('\n\n');
}

/** The README's current reference section, or null when a marker is missing. */
export function readmeReference(readme: string): string | null {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start) return null;
  return readme.slice(start + README_START.length, end).replace(/^\n+|\n+$/g, '');
}

/** The README with its reference section replaced by the rendered one. */
export function withRenderedReference(readme: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start) throw new Error(`README.md lacks the markers ${README_START} and ${README_END} around its command-line reference`);
  return `${readme.slice(0, start + README_START.length)}\n${renderReadmeReference()}\n${readme.slice(end)}`;
}
