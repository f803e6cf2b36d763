/**
 * A finding's input as text (control characters visible) and as a hex dump. Both are
 * bounded whatever the results hold: a 1 MB preview renders its first PREVIEW_MAX_CHARS
 * characters and says so.
 */
import { escapeHtml, truncateText } from '../escape.ts';
import { formatBytes, formatCount } from '../format.ts';
import type { Finding } from '../../core/results-schema.ts';

export const PREVIEW_MAX_CHARS = 2048;
export const HEX_MAX_BYTES = 256;

/** Bytes from a hex string such as "de ad be ef" or "deadbeef"; null when it is not hex. */
export function parseHex(hex: string, maxBytes = HEX_MAX_BYTES): { bytes: Uint8Array; truncated: boolean } | null {
  const compact = truncateText(hex, maxBytes * 4 + 64).text.replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(compact)) return null;
  const pairs = Math.min(Math.floor(compact.length / 2), maxBytes);
  const bytes = new Uint8Array(pairs);
  for (let i = 0; i < pairs; i++) bytes[i] = parseInt(compact.slice(i * 2, i * 2 + 2), 16);
  return { bytes, truncated: Math.floor(compact.length / 2) > pairs || hex.length > maxBytes * 4 + 64 };
}

/** Classic 16-bytes-per-line dump: offset, hex bytes, printable ASCII (others as '.'). */
export function hexDumpLines(bytes: Uint8Array): string[] {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47, ' ')}  |${ascii}|`);
  }
  return lines;
}

/** The text preview block: escaped, control characters marked, bounded. */
export function inputPreview(finding: Finding): string {
  const { preview, size, encoding } = finding.input;
  const cut = truncateText(preview, PREVIEW_MAX_CHARS);
  const note = cut.truncated
    ? `<p class="note">Showing the first ${formatCount(cut.text.length)} of ${formatCount(preview.length)} preview characters.</p>`
    : '';
  const empty = preview.length === 0 ? '<span class="muted">(empty)</span>' : '';
  return (
    `<p class="meta">Input: ${escapeHtml(encoding)}, ${escapeHtml(formatBytes(size))}${finding.shrunkFrom !== undefined ? `, shrunk from ${escapeHtml(formatBytes(finding.shrunkFrom))}` : ''}. Control and invisible characters are shown as escapes such as <code>\\x00</code>.</p>` +
    `<pre class="input-text">${escapeHtml(cut.text, { mark: true })}${empty}</pre>${note}`
  );
}

/** The hex block, from the results' `hexPreview` (first bytes of the input). */
export function inputHex(finding: Finding): string {
  const { hexPreview, size } = finding.input;
  if (hexPreview.length === 0) return '<p class="muted">Hex preview not recorded in this run.</p>';
  const parsed = parseHex(hexPreview);
  if (!parsed) {
    const cut = truncateText(hexPreview, HEX_MAX_BYTES * 3);
    return `<p class="note">The recorded hex preview is not plain hex; shown as recorded.</p><pre class="hex">${escapeHtml(cut.text, { mark: true })}</pre>`;
  }
  const shown = parsed.bytes.length;
  const of = size > shown || parsed.truncated ? ` of ${formatCount(size)}` : '';
  return `<p class="meta">Hex of the first ${formatCount(shown)} bytes${of}.</p><pre class="hex">${escapeHtml(hexDumpLines(parsed.bytes).join('\n'), { keepNewlines: true })}</pre>`;
}
