/**
 * An inline Markdown link scanner: at every '[' it looks ahead for the matching ']' (nested
 * brackets allowed in link text) followed by '('; when there is none, the '[' is plain text
 * and scanning resumes at the next character. A run of unclosed '[' is rescanned to the
 * end once per bracket: quadratic.
 */
import type { SlowTargetMeta } from './types.ts';

export interface Link {
  text: string;
  href: string;
}

function closingBracket(src: string, open: number): number {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 0x5b) depth++;
    else if (c === 0x5d && --depth === 0) return i;
  }
  return -1;
}

export function findLinks(src: string): Link[] {
  const links: Link[] = [];
  let i = 0;
  while (i < src.length) {
    if (src.charCodeAt(i) !== 0x5b) {
      i++;
      continue;
    }
    const close = closingBracket(src, i);
    const hrefEnd = close >= 0 && src[close + 1] === '(' ? src.indexOf(')', close + 2) : -1;
    if (hrefEnd < 0) {
      i++; // not a link: the '[' is text
      continue;
    }
    links.push({ text: src.slice(i + 1, close), href: src.slice(close + 2, hrefEnd) });
    i = hrefEnd + 1;
  }
  return links;
}

export function fuzz(data: Buffer): void {
  findLinks(data.toString('latin1'));
}

export const meta: SlowTargetMeta = {
  name: 'markdown-links',
  description: 'inline link scanner that rescans to the end for every unclosed "[": quadratic',
  budgetMs: 10,
  maxLength: 65536,
  growth: 'polynomial',
  smallestKnownViolatingSize: 3575,
  worstCase: (n) => Buffer.from('['.repeat(n), 'latin1'),
};
