/**
 * Escaping for every output format. Every string that comes from a results file (fuzzed
 * inputs, target messages and stacks, scenario names, file paths, commands) is hostile
 * until it has passed through one of these functions. Each one makes invisible or
 * dangerous characters *visible* (`\x00`, `\u202E`) instead of dropping them, so a reader
 * sees exactly what the target received.
 */

/** How a code point should be shown, or null when it is safe as itself. */
function visibleEscape(code: number, keepNewlines: boolean): string | null {
  if (code === 0x0a) return keepNewlines ? null : '\\n';
  if (code === 0x09) return keepNewlines ? null : '\\t';
  if (code === 0x0d) return '\\r';
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f)) return `\\x${hex2(code)}`;
  // Bidi overrides/isolates (Trojan Source), zero-width characters, line/paragraph
  // separators, BOM, and noncharacters: shown by code so a preview cannot reorder or hide text.
  if ((code >= 0x200b && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
    return `\\u${hex4(code)}`;
  }
  if (code === 0x2028 || code === 0x2029 || code === 0xfeff || code === 0xfffe || code === 0xffff) return `\\u${hex4(code)}`;
  // U+FFFD is what a decoder leaves for invalid UTF-8: flag it explicitly.
  if (code === 0xfffd) return '\\uFFFD';
  return null;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function hex4(n: number): string {
  return n.toString(16).toUpperCase().padStart(4, '0');
}

/** Calls `emit` with each chunk of `text`: safe runs verbatim, unsafe characters as visible escapes. */
function walkVisible(
  text: string,
  keepNewlines: boolean,
  emitSafe: (run: string) => void,
  emitEscape: (escaped: string) => void,
): void {
  let runStart = 0;
  const flush = (end: number): void => {
    if (end > runStart) emitSafe(text.slice(runStart, end));
  };
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        const code = ((unit - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
        // Plane-15/16 private use and the astral noncharacters stay as they are; only
        // the tag characters (invisible, used to smuggle text) are made visible.
        if (code >= 0xe0000 && code <= 0xe007f) {
          flush(i);
          emitEscape(`\\u{${code.toString(16).toUpperCase()}}`);
          runStart = i + 2;
        }
        i++;
        continue;
      }
      flush(i);
      emitEscape(`\\u${hex4(unit)}`); // lone high surrogate
      runStart = i + 1;
      continue;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      flush(i);
      emitEscape(`\\u${hex4(unit)}`); // lone low surrogate
      runStart = i + 1;
      continue;
    }
    const escaped = visibleEscape(unit, keepNewlines);
    if (escaped !== null) {
      flush(i);
      emitEscape(escaped);
      runStart = i + 1;
    }
  }
  flush(text.length);
}

/** Plain-text form with every invisible or dangerous character shown as an escape. */
export function makeVisible(text: string, options: { keepNewlines?: boolean } = {}): string {
  const parts: string[] = [];
  walkVisible(text, options.keepNewlines ?? false, (run) => parts.push(run), (esc) => parts.push(esc));
  return parts.join('');
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtmlSpecials(run: string): string {
  return run.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] as string);
}

export interface HtmlEscapeOptions {
  /** Keep `\n` and `\t` as themselves (for `<pre>` blocks such as stacks); default false shows them as `\n`, `\t`. */
  keepNewlines?: boolean;
  /**
   * Wrap each visible escape in `<span class="cc">` so it stands out from literal text.
   * Only valid in element content; never in attributes (the default, false, is attribute-safe).
   */
  mark?: boolean;
}

/**
 * THE HTML escape: `& < > " '` become entities, control characters, lone surrogates,
 * bidi controls and U+FFFD become visible escapes. Safe in element content and in quoted
 * attribute values (when `mark` is false). Accepts any value so numbers and nulls from
 * results can be passed directly.
 */
export function escapeHtml(value: unknown, options: HtmlEscapeOptions = {}): string {
  const text = typeof value === 'string' ? value : String(value);
  const parts: string[] = [];
  const mark = options.mark ?? false;
  walkVisible(
    text,
    options.keepNewlines ?? false,
    (run) => parts.push(escapeHtmlSpecials(run)),
    (esc) => parts.push(mark ? `<span class="cc">${escapeHtmlSpecials(esc)}</span>` : escapeHtmlSpecials(esc)),
  );
  return parts.join('');
}

/**
 * XML 1.0 text/attribute escape for JUnit. Characters XML 1.0 forbids (most C0 controls,
 * lone surrogates, U+FFFE/U+FFFF) cannot appear even as character references, so they are
 * replaced by their visible escapes; `\n` and `\t` are kept (legal and useful in bodies).
 */
export function escapeXml(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  const parts: string[] = [];
  walkVisible(
    text,
    true,
    (run) => parts.push(run.replace(/[&<>"']/g, (c) => XML_ENTITIES[c] as string)),
    (esc) => parts.push(esc),
  );
  return parts.join('');
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Terminal-safe text: ESC, CSI (U+009B), every other C0/C1 control, bidi controls and
 * lone surrogates are shown as escapes, so fuzzed bytes cannot move the cursor, retitle
 * the window or hide text. Newlines are shown as `\n` unless `keepNewlines`.
 */
export function escapeTerminal(value: unknown, options: { keepNewlines?: boolean } = {}): string {
  return makeVisible(typeof value === 'string' ? value : String(value), options);
}

/**
 * The first `maxChars` UTF-16 units of `text` without splitting a surrogate pair, and
 * whether anything was cut. Bounds the work of rendering huge previews.
 */
export function truncateText(text: string, maxChars: number): { text: string; truncated: boolean } {
  if (text.length <= maxChars) return { text, truncated: false };
  let end = Math.max(0, maxChars);
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return { text: text.slice(0, end), truncated: true };
}
