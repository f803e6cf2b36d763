/**
 * A small access-policy language, interpreted recursively without memoisation:
 *
 *   rule := 'true' | 'false' | 'has(' word ')' | 'not(' rule ')'
 *         | 'all(' rule (',' rule)* ')' | 'any(' rule (',' rule)* ')'
 *
 * Every decision comes with a reason string, and the reason is built by evaluating the
 * deciding sub-rule a second time: each nesting level doubles the work, so the cost is
 * exponential in the nesting depth.
 */
import type { SlowTargetMeta } from './types.ts';

type Rule =
  | { kind: 'const'; value: boolean }
  | { kind: 'has'; attribute: string }
  | { kind: 'not'; rule: Rule }
  | { kind: 'all' | 'any'; rules: Rule[] };

interface Decision {
  allowed: boolean;
  reason: string;
}

const MAX_DEPTH = 64;
const ATTRIBUTES = new Set(['admin', 'owner', 'staff']);

class Parser {
  private at = 0;
  constructor(private readonly src: string) {}

  parseRule(depth: number): Rule {
    if (depth > MAX_DEPTH) throw new SyntaxError('policy nested too deeply');
    this.skipSpaces();
    const word = this.word();
    if (word === 'true' || word === 'false') return { kind: 'const', value: word === 'true' };
    this.expect('(');
    let rule: Rule;
    if (word === 'has') rule = { kind: 'has', attribute: this.word() };
    else if (word === 'not') rule = { kind: 'not', rule: this.parseRule(depth + 1) };
    else if (word === 'all' || word === 'any') {
      const rules = [this.parseRule(depth + 1)];
      while (this.peek() === ',') {
        this.at++;
        rules.push(this.parseRule(depth + 1));
      }
      rule = { kind: word, rules };
    } else throw new SyntaxError(`unknown rule "${word}"`);
    this.expect(')');
    return rule;
  }

  end(): void {
    this.skipSpaces();
    if (this.at !== this.src.length) throw new SyntaxError('trailing input');
  }

  private word(): string {
    this.skipSpaces();
    const start = this.at;
    while (this.at < this.src.length && /[a-z]/.test(this.src[this.at] as string)) this.at++;
    return this.src.slice(start, this.at);
  }

  private peek(): string | undefined {
    this.skipSpaces();
    return this.src[this.at];
  }

  private expect(c: string): void {
    if (this.peek() !== c) throw new SyntaxError(`expected "${c}" at ${this.at}`);
    this.at++;
  }

  private skipSpaces(): void {
    while (this.src[this.at] === ' ') this.at++;
  }
}

export function parsePolicy(src: string): Rule {
  const parser = new Parser(src);
  const rule = parser.parseRule(0);
  parser.end();
  return rule;
}

export function evaluate(rule: Rule, subject: ReadonlySet<string>): Decision {
  switch (rule.kind) {
    case 'const':
      return { allowed: rule.value, reason: String(rule.value) };
    case 'has':
      return { allowed: subject.has(rule.attribute), reason: `has(${rule.attribute})` };
    case 'not': {
      const allowed = !evaluate(rule.rule, subject).allowed;
      return { allowed, reason: `not(${evaluate(rule.rule, subject).reason})` };
    }
    case 'all':
    case 'any': {
      const want = rule.kind === 'any';
      const deciding = rule.rules.find((r) => evaluate(r, subject).allowed === want);
      const allowed = deciding ? want : !want;
      const reason = deciding ? evaluate(deciding, subject).reason : `${rule.kind}: none decided`;
      return { allowed, reason: `${rule.kind}(${reason})` };
    }
  }
}

const SUBJECT: ReadonlySet<string> = new Set(['staff']);

export function fuzz(data: Buffer): void {
  let rule: Rule;
  try {
    rule = parsePolicy(data.toString('latin1'));
  } catch {
    return; // invalid policies are rejected, not findings
  }
  if (rule.kind === 'has' && !ATTRIBUTES.has(rule.attribute)) return;
  evaluate(rule, SUBJECT);
}

export const meta: SlowTargetMeta = {
  name: 'policy-evaluator',
  description: 'recursive policy interpreter that re-evaluates the deciding sub-rule for its reason: exponential in nesting depth',
  budgetMs: 10,
  maxLength: 4096,
  growth: 'exponential',
  smallestKnownViolatingSize: 99,
  worstCase: (n) => Buffer.from('not('.repeat(n) + 'true' + ')'.repeat(n), 'latin1'),
};
