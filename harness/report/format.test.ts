import { describe, expect, it } from 'vitest';
import { shellQuote } from '../core/display-path.ts';
import { commandLine } from './format.ts';

describe('commandLine', () => {
  it('leaves plain arguments bare, as the replay commands in findings do', () => {
    const argv = ['slo-harness', 'run', 'scenarios/', '--out', 'reports/nightly', '--seed', '42', '--baseline=prev/results.json'];
    expect(commandLine(argv)).toBe('slo-harness run scenarios/ --out reports/nightly --seed 42 --baseline=prev/results.json');
    expect(commandLine(argv)).toBe(argv.map(shellQuote).join(' '));
  });

  it('single-quotes what a shell would alter: spaces, quotes, globs, expansions, job specs and brace lists', () => {
    expect(commandLine(['run', 'my scenarios/'])).toBe(`run 'my scenarios/'`);
    expect(commandLine(["it's"])).toBe(`'it'\\''s'`);
    expect(commandLine(['*.ts', '$HOME', '~/x', '%1', 'a,b', ''])).toBe(`'*.ts' '$HOME' '~/x' '%1' 'a,b' ''`);
  });
});
