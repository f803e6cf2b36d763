/**
 * How the runner shows paths to users: relative to the working directory when inside it
 * (so replay commands copy-paste from the project root), and quoted for a POSIX shell.
 */
import path from 'node:path';

/** `file` relative to `cwd` when it lies inside it, else absolute. */
export function relativeToCwd(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith('..') ? file : rel;
}

/** Quotes a path for a copy-pasteable shell command (POSIX single quotes). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
