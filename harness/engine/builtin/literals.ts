/**
 * Dictionary tokens mined from a target's source text: string literals (keywords,
 * delimiters a parser compares against) and regex literals, plus sample strings that a
 * regex's groups match ("(ab|a.)" gives "ab" and "aa"). Pure: text in, tokens out.
 * A lexer, not a parser: it recognises comments, strings, templates and regexes well
 * enough to pick literals out of ordinary JS/TS; odd code at worst yields useless tokens.
 */

export interface MinedLiterals {
  strings: string[];
  regexSources: string[];
}

const MAX_TOKEN_LENGTH = 64;
const MAX_TOKENS = 256;
/** After these, a '/' starts a regex literal rather than a division. */
const REGEX_PRECEDERS = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const REGEX_KEYWORDS = /(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|new|delete|void|throw|yield|await)$/;

/** Dictionary tokens for a target: its string literals, regex sources and regex sample strings. */
export function mineLiterals(sourceText: string): string[] {
  const { strings, regexSources } = lexLiterals(sourceText);
  const tokens = new Set<string>();
  const add = (t: string): void => {
    if (t.length > 0 && t.length <= MAX_TOKEN_LENGTH && tokens.size < MAX_TOKENS) tokens.add(t);
  };
  for (const source of regexSources) {
    for (const sample of regexSamples(source)) add(sample);
    add(source);
  }
  for (const s of strings) add(s);
  for (const t of keywordCompounds(strings)) add(t);
  return [...tokens];
}

const OPENING_DELIMITERS = new Set(['(', '[', '{', '<', ':', '=']);
const MAX_COMPOUNDS = 64;

/**
 * A parser that compares a word against 'not' and then expects '(' accepts "not(" and
 * nothing less: keywords joined to the opening delimiters found among the same literals.
 */
export function keywordCompounds(strings: readonly string[]): string[] {
  const words = [...new Set(strings.filter((s) => /^[A-Za-z_$][\w$-]{0,15}$/.test(s)))];
  const delimiters = [...new Set(strings.filter((s) => OPENING_DELIMITERS.has(s)))];
  const out: string[] = [];
  for (const d of delimiters) for (const w of words) if (out.length < MAX_COMPOUNDS) out.push(w + d);
  return out;
}

/** String literal values and regex literal sources, in order of appearance. */
export function lexLiterals(src: string): MinedLiterals {
  const strings: string[] = [];
  const regexSources: string[] = [];
  let lastSignificant = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      i = skipUntil(src, i, '\n');
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      const { value, end } = readQuoted(src, i, c);
      strings.push(...value);
      i = end;
      lastSignificant = 'x';
    } else if (c === '/' && startsRegex(src, i, lastSignificant)) {
      const end = regexEnd(src, i);
      if (end > 0) regexSources.push(src.slice(i + 1, end));
      i = end > 0 ? end + 1 : i + 1;
      while (i < src.length && /[a-z]/.test(src[i] as string)) i++;
      lastSignificant = 'x';
    } else {
      if (!/\s/.test(c)) lastSignificant = c;
      i++;
    }
  }
  return { strings, regexSources };
}

function skipUntil(src: string, from: number, stop: string): number {
  const end = src.indexOf(stop, from);
  return end < 0 ? src.length : end;
}

function startsRegex(src: string, at: number, lastSignificant: string): boolean {
  if (lastSignificant === '' || REGEX_PRECEDERS.has(lastSignificant)) return true;
  return REGEX_KEYWORDS.test(src.slice(Math.max(0, at - 12), at).trimEnd());
}

/** Index of the closing '/' of the regex literal opened at `at`, or -1 (not a regex after all). */
function regexEnd(src: string, at: number): number {
  let inClass = false;
  for (let i = at + 1; i < src.length; i++) {
    const c = src[i];
    if (c === '\n') return -1;
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return i > at + 1 ? i : -1;
  }
  return -1;
}

/** A quoted literal's value (a template yields its static chunks); end is just past the closing quote. */
function readQuoted(src: string, at: number, quote: string): { value: string[]; end: number } {
  const chunks: string[] = [];
  let current = '';
  let i = at + 1;
  while (i < src.length) {
    const c = src[i] as string;
    if (c === '\\') {
      const { text, length } = unescape(src, i);
      current += text;
      i += length;
    } else if (c === quote) {
      i++;
      break;
    } else if (quote !== '`' && c === '\n') {
      break;
    } else if (quote === '`' && c === '$' && src[i + 1] === '{') {
      chunks.push(current);
      current = '';
      i = skipBraces(src, i + 1);
    } else {
      current += c;
      i++;
    }
  }
  chunks.push(current);
  return { value: chunks.filter((s) => s.length > 0), end: i };
}

function skipBraces(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === '{') depth++;
    else if (src[i] === '}' && --depth === 0) return i + 1;
  }
  return src.length;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', '0': '\0' };

function unescape(src: string, at: number): { text: string; length: number } {
  const e = src[at + 1] ?? '';
  if (e === 'x') return { text: String.fromCharCode(parseInt(src.slice(at + 2, at + 4), 16) || 0), length: 4 };
  if (e === 'u' && src[at + 2] !== '{') return { text: String.fromCharCode(parseInt(src.slice(at + 2, at + 6), 16) || 0), length: 6 };
  return { text: SIMPLE_ESCAPES[e] ?? e, length: 2 };
}

// ---- Regex sample strings -------------------------------------------------------------

/** A literal piece, a group (its alternatives), or an optional atom (followed by `?` or `*`). */
type Atom = string | Atom[][] | { optional: Atom };

/**
 * Strings a regex matches, one per alternative of every group and of the whole pattern,
 * with each atom taken once (quantifiers dropped) and classes replaced by a member, and
 * again without the optional atoms where there are some:
 * "^(\w+\s?)*$" gives "a " and "a", "^(ab|a.)*$" gives "ab" and "aa".
 */
export function regexSamples(source: string): string[] {
  const samples = new Set<string>();
  const parser = { src: source, at: 0 };
  const top = parseAlternatives(parser, samples);
  for (const alt of top) addSamples(samples, alt);
  return [...samples].filter((s) => s.length > 0);
}

function addSamples(samples: Set<string>, alt: Atom[]): void {
  samples.add(literalize(alt, true));
  samples.add(literalize(alt, false));
}

function parseAlternatives(p: { src: string; at: number }, samples: Set<string>): Atom[][] {
  const alts: Atom[][] = [[]];
  while (p.at < p.src.length) {
    const c = p.src[p.at] as string;
    if (c === ')') break;
    p.at++;
    const current = alts[alts.length - 1] as Atom[];
    if (c === '|') alts.push([]);
    else if (c === '(') {
      if (p.src[p.at] === '?') p.at = groupBodyStart(p.src, p.at);
      const inner = parseAlternatives(p, samples);
      p.at++; // ')'
      for (const alt of inner) addSamples(samples, alt);
      current.push(inner);
    } else if (c === '\\') current.push(escapeSample(p));
    else if (c === '[') current.push(classSample(p));
    else if (c === '{' && /^\d/.test(p.src[p.at] ?? '')) p.at = skipUntil(p.src, p.at, '}') + 1;
    else if ((c === '?' || c === '*') && !'*+?}('.includes(p.src[p.at - 2] ?? '(')) {
      const last = current.pop();
      if (last !== undefined) current.push({ optional: last }); // `x?`, `x*`: may be absent
    } else if ('*+?^$'.includes(c)) continue;
    else current.push(c === '.' ? 'a' : c);
  }
  return alts;
}

function groupBodyStart(src: string, at: number): number {
  // (?: (?= (?! (?<= (?<! (?<name>
  if (src[at + 1] === '<' && src[at + 2] !== '=' && src[at + 2] !== '!') return skipUntil(src, at, '>') + 1;
  return at + (src[at + 1] === '<' ? 3 : 2);
}

/** One string the alternative matches; `withOptional` false drops the optional atoms. */
function literalize(alt: Atom[], withOptional: boolean): string {
  const one = (a: Atom): string => {
    if (typeof a === 'string') return a;
    if (Array.isArray(a)) return literalize(a[0] ?? [], withOptional);
    return withOptional ? one(a.optional) : '';
  };
  return alt.map(one).join('');
}

const CLASS_ESCAPES: Readonly<Record<string, string>> = { w: 'a', d: '0', s: ' ', W: '!', D: 'a', S: 'a', b: '', B: '' };

function escapeSample(p: { src: string; at: number }): string {
  const e = p.src[p.at] ?? '';
  p.at++;
  if (e in CLASS_ESCAPES) return CLASS_ESCAPES[e] as string;
  if (e === 'x') {
    p.at += 2;
    return String.fromCharCode(parseInt(p.src.slice(p.at - 2, p.at), 16) || 0);
  }
  return SIMPLE_ESCAPES[e] ?? e;
}

function classSample(p: { src: string; at: number }): string {
  const negated = p.src[p.at] === '^';
  const end = classEnd(p.src, p.at);
  const body = p.src.slice(negated ? p.at + 1 : p.at, end);
  p.at = end + 1;
  if (negated) return body.includes('!') ? '~' : '!';
  if (body.startsWith('\\')) return CLASS_ESCAPES[body[1] ?? ''] ?? body[1] ?? 'a';
  return body[0] ?? 'a';
}

function classEnd(src: string, from: number): number {
  for (let i = from; i < src.length; i++) {
    if (src[i] === '\\') i++;
    else if (src[i] === ']' && i > from) return i;
  }
  return src.length;
}
