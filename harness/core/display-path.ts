/**
 * How the harness shows paths and commands to users: relative to the working directory
 * when inside it (so replay commands copy-paste from the project root), and quoted for a
 * POSIX shell. The runner's replay commands and the report's command line share these, so
 * a path reads and quotes the same everywhere.
 */
import path from 'node:path';

/** `file` relative to `cwd` when it lies inside it, else absolute. */
export function relativeToCwd(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** `file` as a message shows it: relative to `cwd` when inside it, `.` for `cwd` itself, else absolute. */
export function shownPath(file: string, cwd: string = process.cwd()): string {
  return relativeToCwd(cwd, file) || '.';
}

/**
 * Characters a POSIX shell passes through unquoted anywhere in a word. Deliberately
 * narrow: `%` (job specs), `,` (brace lists), `~`, `!`, `*`, `?` and the rest are quoted, since
 * quoting a harmless character costs nothing and missing a special one breaks the command.
 */
const SHELL_SAFE = /^[A-Za-z0-9_./:=@+-]+$/;

/** Quotes an argument for a copy-pasteable shell command (POSIX single quotes); the empty string is `''`. */
export function shellQuote(arg: string): string {
  return SHELL_SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
