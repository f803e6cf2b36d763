/**
 * The harness's module structure read from its sources with the TypeScript compiler: which
 * file imports which (static imports, re-exports, `import()` and `new URL(..., import.meta.url)`
 * with a literal path), the layer of each file, the import cycles, the imports that point up
 * the layer order, and the sizes of files and functions. Used by test/architecture.test.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The layer order, lowest first. A file may import from its own layer and below. Files at the
 * root of harness/ (the public entry points) may import anything and nothing may import them.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['core', 'native'],
  ['scenario', 'measure', 'search'],
  ['engine', 'chaos', 'load', 'trace'],
  ['drivers'],
  ['pipeline'],
  ['report'],
  ['cli'],
];

export const ROOT_LAYER = LAYERS.length;

export interface SourceFile {
  /** Path from the repository root, with forward slashes. */
  file: string;
  /** Top-level folder under harness/ ('' for a root file). */
  folder: string;
  layer: number;
  lines: number;
  imports: string[];
  /** Files it starts by path (`new URL('./x', import.meta.url)`): a process or worker entry, not an import. */
  starts: string[];
}

export interface UpwardImport {
  from: string;
  to: string;
  fromFolder: string;
  toFolder: string;
}

export interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

const SOURCE = /\.(ts|mts|mjs|js)$/;
const isTestFile = (file: string): boolean => /\.test\.ts$/.test(file) || file.includes('/fixtures/');

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSources(full));
    else if (SOURCE.test(name)) out.push(full);
  }
  return out;
}

/** The layer of a path under harness/: its first folder's rank, ROOT_LAYER for root files, -1 for unknown folders. */
export function layerOf(file: string): { folder: string; layer: number } {
  const parts = file.split('/');
  if (parts.length === 2) return { folder: '', layer: ROOT_LAYER };
  const folder = parts[1] ?? '';
  const layer = LAYERS.findIndex((names) => names.includes(folder));
  return { folder, layer };
}

interface References {
  imports: string[];
  starts: string[];
}

const relative = (spec: string): boolean => spec.startsWith('./') || spec.startsWith('../');

/** Relative module paths a file names: imports, re-exports and import(); and new URL('./x', import.meta.url). */
function moduleReferences(source: ts.SourceFile): References {
  const found: string[] = [];
  const starts: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [arg, base] = node.arguments ?? [];
      if (arg && ts.isStringLiteralLike(arg) && base && base.getText(source) === 'import.meta.url') starts.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports: found.filter(relative), starts: starts.filter(relative) };
}

function resolveReference(fromFile: string, spec: string, known: Set<string>): string | null {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
  for (const candidate of [target, target.replace(/\.js$/, '.ts')]) if (known.has(candidate)) return candidate;
  return null;
}

/** Lines as `wc -l` counts them. */
const lineCount = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

function parse(repo: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(path.join(repo, file), 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
}

/** Every non-test source file under harness/ with its layer and resolved imports. */
export function readHarness(repo: string): SourceFile[] {
  const files = listSources(path.join(repo, 'harness'))
    .map((full) => path.relative(repo, full).split(path.sep).join('/'))
    .filter((file) => !isTestFile(file));
  const known = new Set(files);
  return files.map((file) => {
    const source = parse(repo, file);
    const refs = moduleReferences(source);
    const resolve = (specs: string[]): string[] => [
      ...new Set(specs.map((spec) => resolveReference(file, spec, known)).filter((target): target is string => target !== null && target !== file)),
    ];
    return { file, ...layerOf(file), lines: lineCount(source.text), imports: resolve(refs.imports), starts: resolve(refs.starts) };
  });
}

/** Imports (and started files) that point to a higher layer (or into or out of a folder with no layer). */
export function upwardImports(files: readonly SourceFile[]): UpwardImport[] {
  const byFile = new Map(files.map((f) => [f.file, f]));
  const out: UpwardImport[] = [];
  for (const f of files) {
    for (const to of [...f.imports, ...f.starts]) {
      const target = byFile.get(to);
      if (!target) continue;
      const bad = f.layer < 0 || target.layer < 0 || target.layer > f.layer || (target.layer === ROOT_LAYER && f.layer !== ROOT_LAYER);
      if (bad) out.push({ from: f.file, to, fromFolder: f.folder, toFolder: target.folder });
    }
  }
  return out;
}

/** Strongly connected components of more than one file (Tarjan), each sorted. */
export function importCycles(files: readonly SourceFile[]): string[][] {
  const edges = new Map(files.map((f) => [f.file, f.imports]));
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const f of files) if (!index.has(f.file)) connect(f.file);
  return cycles;
}

function functionName(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) return parent.name.getText(source);
  return '(anonymous)';
}

/** Functions, methods and arrow functions with a body longer than `max` lines. */
export function longFunctions(repo: string, files: readonly SourceFile[], max: number): LongFunction[] {
  const out: LongFunction[] = [];
  for (const { file } of files) {
    const source = parse(repo, file);
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.end).line;
        if (end - start + 1 > max) out.push({ file, line: start + 1, name: functionName(node, source), lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return out;
}
