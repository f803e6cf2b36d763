/**
 * What went wrong while importing a scenario file, said so that the reader can go straight
 * to the line: `file:line:col: problem` and a short code frame. tsx reports TypeScript syntax
 * errors through esbuild ("Transform failed with 1 error:\n<file>:<line>:<col>: ERROR: ..."),
 * whose first line alone says nothing; V8 reports JavaScript syntax errors with no location
 * at all, so the file is parsed again with the same esbuild to find it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioIssue } from './schema.ts';

/** An import failure as it crosses a worker boundary (plain data). */
export interface ImportFailure {
  name: string;
  message: string;
  stack?: string | undefined;
}

interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  problem: string;
}

const ESBUILD_LOCATION_RE = /^(.+?):(\d+):(\d+): ERROR: (.+)$/m;
const FRAME_CONTEXT_LINES = 2;
const FRAME_MAX_WIDTH = 160;

/** esbuild's own text carries `<file>:<line>:<0-based col>: ERROR: <problem>`. */
function locationInMessage(message: string): SourceLocation | null {
  const m = ESBUILD_LOCATION_RE.exec(message);
  if (!m) return null;
  return { file: m[1] as string, line: Number(m[2]), column: Number(m[3]) + 1, problem: m[4] as string };
}

interface EsbuildMessage {
  text: string;
  location: { line: number; column: number } | null;
}
interface EsbuildLike {
  transform(code: string, options: { loader: 'ts' | 'js'; format: 'esm'; sourcefile: string }): Promise<unknown>;
}

/** The esbuild that tsx itself uses (resolved from tsx, so the harness declares no extra dependency). */
function loadEsbuild(): EsbuildLike | null {
  try {
    const require = createRequire(fileURLToPath(import.meta.resolve('tsx/esm/api')));
    return require('esbuild') as EsbuildLike;
  } catch {
    return null;
  }
}

/** Parses the file with esbuild to locate a syntax error V8 reported without a position. */
async function locateSyntaxError(file: string): Promise<SourceLocation | null> {
  const esbuild = loadEsbuild();
  if (!esbuild) return null;
  const loader = /\.m?ts$/.test(file) ? 'ts' : 'js';
  try {
    await esbuild.transform(await readFile(file, 'utf8'), { loader, format: 'esm', sourcefile: file });
    return null; // esbuild accepts it: the error is one only V8 sees (or in another module).
  } catch (error) {
    const first = (error as { errors?: EsbuildMessage[] }).errors?.[0];
    if (!first?.location) return null;
    return { file, line: first.location.line, column: first.location.column + 1, problem: first.text };
  }
}

/** A few numbered lines around `line` with a caret under `column`. */
export function codeFrame(source: string, line: number, column: number): string {
  const lines = source.split(/\r?\n/);
  const first = Math.max(1, line - FRAME_CONTEXT_LINES);
  const last = Math.min(lines.length, line + 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = first; n <= last; n++) {
    const text = (lines[n - 1] ?? '').slice(0, FRAME_MAX_WIDTH);
    out.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${text}`);
    if (n === line) out.push(`  ${' '.repeat(width)} | ${' '.repeat(Math.min(column - 1, FRAME_MAX_WIDTH))}^`);
  }
  return out.join('\n');
}

async function frameFor(location: SourceLocation): Promise<string> {
  try {
    return codeFrame(await readFile(location.file, 'utf8'), location.line, location.column);
  } catch {
    return '';
  }
}

function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') ? rel : file;
}

/** The issue to report for a scenario file whose import threw. */
export async function describeImportFailure(file: string, failure: ImportFailure): Promise<ScenarioIssue> {
  const isSyntax = failure.name === 'SyntaxError' || failure.name === 'TransformError' || failure.message.startsWith('Transform failed');
  const location = locationInMessage(failure.message) ?? (isSyntax ? await locateSyntaxError(file) : null);
  if (location) {
    const where = `${shown(location.file)}:${location.line}:${location.column}`;
    const frame = await frameFor(location);
    const elsewhere = path.resolve(location.file) === path.resolve(file) ? '' : ' (in a module the scenario file imports)';
    return {
      field: '(file)',
      problem: `cannot load the file: syntax error at ${where}${elsewhere}: ${location.problem}${frame ? `\n${indent(frame, '      ')}` : ''}`,
      fix: `fix the syntax at ${where}; the file must be importable with \`node --import tsx\``,
    };
  }
  const firstLine = failure.message.split('\n')[0] ?? '';
  return {
    field: '(file)',
    problem: `cannot load the file: ${failure.name && !firstLine.startsWith(failure.name) ? `${failure.name}: ` : ''}${firstLine}`,
    fix: 'fix the syntax or import error above; the file must be importable with `node --import tsx`',
  };
}

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}
