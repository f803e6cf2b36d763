/**
 * Safe, printable views of hostile inputs for consoles, JSON and reports: control
 * characters, escapes and invalid UTF-8 are made visible, length is bounded.
 */
import v8 from 'node:v8';
import type { InputEncoding } from './feeders.ts';

const MAX_PREVIEW_CHARS = 256;
const HEX_PREVIEW_BYTES = 64;

/** Escapes every character outside printable ASCII/Unicode as \xNN, \uNNNN, \n, \t... */
export function escapeForDisplay(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfffd) out += '\\ufffd';
    else if ((code >= 0xd800 && code <= 0xdfff) || code === 0x2028 || code === 0x2029 || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
      // Lone surrogates, line separators and bidi overrides can reorder or hide text.
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out;
}

export function hexPreview(bytes: Uint8Array, max = HEX_PREVIEW_BYTES): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, max)).toString('hex');
  const spaced = shown.replace(/(..)(?!$)/g, '$1 ');
  return bytes.byteLength > max ? `${spaced} …(+${bytes.byteLength - max} bytes)` : spaced;
}

/** A bounded printable preview of an input in its encoding. */
export function previewInput(bytes: Uint8Array, encoding: InputEncoding, maxChars = MAX_PREVIEW_CHARS): string {
  let text: string;
  if (encoding === 'v8') {
    try {
      text = describeValue(v8.deserialize(bytes));
    } catch {
      text = '<unreadable structured value>';
    }
  } else {
    text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, maxChars * 4)).toString(encoding === 'utf8' ? 'utf8' : 'latin1');
  }
  const escaped = escapeForDisplay(text);
  return escaped.length > maxChars ? `${escaped.slice(0, maxChars)}…` : escaped;
}

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
