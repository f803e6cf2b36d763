import { describe, expect, it } from 'vitest';
import { keywordCompounds, lexLiterals, mineLiterals, regexSamples } from './literals.ts';

describe('lexLiterals', () => {
  it('finds strings, templates and regexes, and skips comments and divisions', () => {
    const src = [
      "const a = 'single\\n' + \"double\";",
      'const t = `tmpl ${a + `inner`} tail`;',
      '// a comment with "not a string"',
      '/* block with /not a regex/ */',
      'const r = /^(ab|a.)*$/g; const half = total / 2 / 3;',
      "if (x) return /[a-z]+\\//.test(s);",
    ].join('\n');
    const { strings, regexSources } = lexLiterals(src);
    // a template yields its static chunks; what is inside ${...} is skipped
    expect(strings).toEqual(['single\n', 'double', 'tmpl ', ' tail']);
    expect(regexSources).toEqual(['^(ab|a.)*$', '[a-z]+\\/']);
  });
});

describe('regexSamples', () => {
  it('gives a string per alternative of every group', () => {
    expect(regexSamples('^(ab|a.)*$')).toEqual(expect.arrayContaining(['ab', 'aa']));
    expect(regexSamples('^(\\w+\\s?)*$')).toContain('a ');
    expect(regexSamples('^(?:GET|POST) \\d+$')).toEqual(expect.arrayContaining(['GET', 'POST', 'GET 0']));
    expect(regexSamples('[^x]{2,3}y')).toContain('!y');
  });
});

describe('mineLiterals', () => {
  it('mines regex samples, sources, strings and keyword compounds, deduplicated', () => {
    const src = "const RE = /^(ab|a.)*$/; if (w === 'not') expect('('); if (w === 'not') expect('(');";
    const tokens = mineLiterals(src);
    expect(tokens).toEqual(expect.arrayContaining(['ab', 'aa', '^(ab|a.)*$', 'not', '(', 'not(']));
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('joins keywords only to opening delimiters', () => {
    expect(keywordCompounds(['all', 'any', '(', ')', 'has spaces'])).toEqual(['all(', 'any(']);
  });
});
