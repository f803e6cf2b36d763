import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeTerminal, escapeXml, makeVisible, truncateText } from './escape.ts';

describe('escapeHtml', () => {
  it('turns the five HTML specials into entities', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('leaves no raw < > " \' in any output, whatever the input', () => {
    const hostile = '<script>alert(1)</script>"><img src=x onerror=1>\'</style>';
    expect(escapeHtml(hostile)).not.toMatch(/[<>"']/);
    expect(escapeHtml(hostile, { mark: false, keepNewlines: true })).not.toMatch(/[<>"']/);
  });

  it('makes NUL and other C0/C1 controls visible', () => {
    expect(escapeHtml('a\u0000b\u001bc\u007fd\u009be')).toBe('a\\x00b\\x1Bc\\x7Fd\\x9Be');
  });

  it('shows newlines and tabs as escapes unless asked to keep them', () => {
    expect(escapeHtml('a\nb\tc\rd')).toBe('a\\nb\\tc\\rd');
    expect(escapeHtml('a\nb\tc\rd', { keepNewlines: true })).toBe('a\nb\tc\\rd');
  });

  it('flags lone surrogates and U+FFFD (what invalid UTF-8 decodes to)', () => {
    const invalid = Buffer.from([0x61, 0xff, 0xfe, 0x62]).toString('utf8');
    expect(escapeHtml(invalid)).toBe('a\\uFFFD\\uFFFDb');
    expect(escapeHtml('x\ud800y\udc00z')).toBe('x\\uD800y\\uDC00z');
  });

  it('keeps valid astral characters (surrogate pairs) intact', () => {
    expect(escapeHtml('ok 😀 ok')).toBe('ok 😀 ok');
  });

  it('shows bidi overrides and zero-width characters by code point', () => {
    expect(escapeHtml('admin\u202etxt\u200b')).toBe('admin\\u202Etxt\\u200B');
  });

  it('wraps visible escapes in a marker span only when mark is set', () => {
    expect(escapeHtml('a\u0000', { mark: true })).toBe('a<span class="cc">\\x00</span>');
    expect(escapeHtml('a\u0000')).not.toContain('<span');
  });

  it('accepts numbers and null', () => {
    expect(escapeHtml(42)).toBe('42');
    expect(escapeHtml(null)).toBe('null');
  });
});

describe('escapeXml', () => {
  it('escapes specials and replaces characters XML 1.0 forbids with visible escapes', () => {
    const out = escapeXml(`<a b="c">&'\u0000\u0001\ufffe\ud800`);
    expect(out).toBe('&lt;a b=&quot;c&quot;&gt;&amp;&apos;\\x00\\x01\\uFFFE\\uD800');
    // Nothing outside the XML 1.0 Char production remains.
    expect(out).toMatch(/^[\t\n\r\u0020-\ud7ff\ue000-\ufffd]*$/u);
  });

  it('keeps newlines and tabs (legal in XML text)', () => {
    expect(escapeXml('a\nb\tc')).toBe('a\nb\tc');
  });
});

describe('escapeTerminal', () => {
  it('neutralises escape sequences so they cannot reach the terminal', () => {
    const out = escapeTerminal('\u001b]0;title\u0007\u001b[2J\u009b31m');
    expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(out).toBe('\\x1B]0;title\\x07\\x1B[2J\\x9B31m');
  });
});

describe('truncateText', () => {
  it('cuts at the limit and reports it', () => {
    expect(truncateText('abcdef', 3)).toEqual({ text: 'abc', truncated: true });
    expect(truncateText('abc', 3)).toEqual({ text: 'abc', truncated: false });
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateText('a😀b', 2);
    expect(cut.text).toBe('a');
    expect(makeVisible(cut.text)).toBe('a');
  });
});
