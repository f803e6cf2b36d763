/**
 * Frame names: turn what bpftrace, perf maps and the V8 profiler print into short, stable,
 * readable frame names, and classify them. Pure: no I/O.
 *
 * The cleaned name encodes its kind, so a folded stack (plain strings) keeps the kind:
 *   js       `parseHeader (file.js:12:3)`        (JIT tier markers * ~ ^ dropped so tiers merge)
 *   kernel   `__schedule_[k]`                     (Brendan Gregg's FlameGraph suffix convention)
 *   v8-stub  `Builtins_RegExpPrototypeExec`, `Stub:...`, `RegExp:...`, `(garbage collector)`
 *   unknown  `[unknown]`                          (an address nothing could resolve)
 *   native   anything else, C++ names without their parameter lists
 */

export type FrameKind = 'js' | 'native' | 'kernel' | 'v8-stub' | 'unknown';

export const UNKNOWN_FRAME = '[unknown]';
const KERNEL_SUFFIX = '_[k]';

/** Perf-map code kinds V8 writes for JavaScript functions (Node 20: `JS:`; older: `LazyCompile:` ...). */
const JS_MAP_PREFIX = /^(?:JS|LazyCompile|Function|InterpretedFunction|Eval|Script):\s?[*~^+]?/;
/** Perf-map / symbol prefixes for V8-generated code that is not a user function. */
const V8_STUB_PREFIX = /^(?:Builtins?[_:]|Stub:|BytecodeHandler:|Handler:|RegExp:|LoadIC|StoreIC|KeyedLoadIC|KeyedStoreIC)/;
const V8_STUB_NAMES = new Set(['(garbage collector)', '(program)', '(idle)']);
/** A JS frame after cleanup ends with ` (location:line[:col])`. */
const JS_CLEAN_NAME = / \([^()]*:\d+(?::\d+)?\)$/;

export interface CleanFrameOptions {
  /** Prefix stripped from script paths; when absent only the file's base name is kept. */
  pathRoot?: string;
  /**
   * Maps a generated location `url:line:col` (1-based) to its source (source-maps.ts for
   * TypeScript targets); undefined keeps it. Injected so that this module stays pure.
   */
  mapLocation?: (location: string) => string | undefined;
}

/** Kind of an already-cleaned frame name. */
export function frameKind(name: string): FrameKind {
  if (name === UNKNOWN_FRAME) return 'unknown';
  if (name.endsWith(KERNEL_SUFFIX)) return 'kernel';
  if (V8_STUB_NAMES.has(name) || V8_STUB_PREFIX.test(name)) return 'v8-stub';
  if (JS_CLEAN_NAME.test(name) && !name.includes('::')) return 'js';
  return 'native';
}

/** True for JS frames of Node's own code (`node:internal/...`), which say little about the target. */
export function isNodeInternalFrame(name: string): boolean {
  return frameKind(name) === 'js' && / \(node:[^()]*\)$/.test(name);
}

/** Short location: `file://` dropped, then either `pathRoot` stripped or the base name kept. */
export function shortenLocation(location: string, options: CleanFrameOptions = {}): string {
  const mapped = options.mapLocation?.(location) ?? location;
  let loc = mapped.startsWith('file://') ? mapped.slice('file://'.length) : mapped;
  if (loc.startsWith('node:') || !loc.includes('/')) return loc;
  const root = options.pathRoot;
  if (root !== undefined && root.length > 0) {
    const withSlash = root.endsWith('/') ? root : `${root}/`;
    if (loc.startsWith(withSlash)) return loc.slice(withSlash.length);
  }
  loc = loc.slice(loc.lastIndexOf('/') + 1);
  return loc;
}

/** `name (location)` for a JS function; anonymous functions get `(anonymous)`. */
export function formatJsFrame(functionName: string, location: string | undefined): string {
  const name = sanitizeFrame(functionName.trim()) || '(anonymous)';
  return location ? `${name} (${sanitizeFrame(location)})` : name;
}

/**
 * A perf-map JS entry such as `JS:*parseHeader /srv/app/file.js:12:3` or `LazyCompile:*fn file.js:1`
 * becomes `parseHeader (file.js:12:3)`. Returns undefined when the text is not a JS entry.
 */
export function cleanPerfMapJsName(text: string, options: CleanFrameOptions = {}): string | undefined {
  const prefix = JS_MAP_PREFIX.exec(text);
  if (!prefix) return undefined;
  const rest = text.slice(prefix[0].length).trim();
  // The location is the last space-separated token; function names (getters: `get x`) may hold spaces.
  const lastSpace = rest.lastIndexOf(' ');
  const tail = lastSpace >= 0 ? rest.slice(lastSpace + 1) : rest;
  if (looksLikeLocation(tail)) {
    const name = lastSpace >= 0 ? rest.slice(0, lastSpace) : '';
    return formatJsFrame(name, shortenLocation(tail, options));
  }
  return formatJsFrame(rest, undefined);
}

function looksLikeLocation(token: string): boolean {
  return /:\d+(?::\d+)?$/.test(token) || token.includes('/') || token.startsWith('[eval]');
}

/** `ns::Class::method(int, char const*) const` -> `ns::Class::method`; keeps `(anonymous namespace)`. */
export function stripCppParameters(symbol: string): string {
  let text = symbol.trim();
  if (text.endsWith(' const')) text = text.slice(0, -' const'.length);
  if (!text.endsWith(')')) return text;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const ch = text[i];
    if (ch === ')') depth++;
    else if (ch === '(') {
      depth--;
      if (depth === 0) {
        const head = text.slice(0, i);
        // `(anonymous namespace)` alone is not a parameter list.
        return head.length > 0 ? head : text;
      }
    }
  }
  return text;
}

/** Frame names become `;`-separated folded stacks and one-line records: keep them free of both. */
export function sanitizeFrame(name: string): string {
  return name.replace(/[;\r\n]/g, ':');
}

/** A user-space symbol as bpftrace or a perf map gives it (offset and module already removed). */
export function cleanUserSymbol(symbol: string | undefined, options: CleanFrameOptions = {}): string {
  if (symbol === undefined || symbol.length === 0 || /^0x[0-9a-f]+$/i.test(symbol)) return UNKNOWN_FRAME;
  const js = cleanPerfMapJsName(symbol, options);
  if (js !== undefined) return js;
  if (V8_STUB_PREFIX.test(symbol)) return sanitizeFrame(symbol.trim());
  return sanitizeFrame(stripCppParameters(symbol));
}

/** A kernel symbol such as `__schedule+1560` (offset already removed) -> `__schedule_[k]`. */
export function cleanKernelSymbol(symbol: string | undefined): string {
  if (symbol === undefined || symbol.length === 0 || /^0x[0-9a-f]+$/i.test(symbol)) return `${UNKNOWN_FRAME}${KERNEL_SUFFIX}`;
  return `${sanitizeFrame(symbol.trim())}${KERNEL_SUFFIX}`;
}
