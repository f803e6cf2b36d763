/**
 * Static checks of the nightly workflow: it cannot run here (no Docker, no GitHub), so a
 * parser keeps it honest. Finds every `slo-harness` invocation in the `run:` scripts and
 * checks its subcommand and flags against the CLI contract.
 */
import { parse } from 'yaml';
import { CLI_BIN, CLI_ENGINES, CLI_FLAGS, flagAppliesTo, isCliFlag, isCliSubcommand } from '../../harness/cli/contract.ts';

export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

export interface HarnessInvocation {
  step: string;
  subcommand: string;
  args: string[];
}

/** Splits a shell line into words, honouring single and double quotes (no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (ch === '#' && !inWord) {
      break; // comment
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** Logical lines of a script: backslash continuations joined. */
export function logicalLines(script: string): string[] {
  return script.replace(/\\\n/g, ' ').split('\n');
}

export function workflowSteps(doc: unknown): WorkflowStep[] {
  const jobs = (doc as { jobs?: Record<string, { steps?: WorkflowStep[] }> }).jobs ?? {};
  return Object.values(jobs).flatMap((job) => job.steps ?? []);
}

/** Every `slo-harness <subcommand> ...` in the workflow's run scripts. */
export function harnessInvocations(doc: unknown): HarnessInvocation[] {
  const found: HarnessInvocation[] = [];
  for (const step of workflowSteps(doc)) {
    for (const line of logicalLines(step.run ?? '')) {
      const words = shellWords(line);
      const at = words.indexOf(CLI_BIN);
      if (at === -1) continue;
      found.push({ step: step.name ?? '(unnamed)', subcommand: words[at + 1] ?? '', args: words.slice(at + 2) });
    }
  }
  return found;
}

/** Problems with one invocation against the CLI contract; empty when it is valid. */
export function invocationProblems(inv: HarnessInvocation): string[] {
  const problems: string[] = [];
  if (!isCliSubcommand(inv.subcommand)) problems.push(`${inv.step}: unknown subcommand "${inv.subcommand}"`);
  for (let i = 0; i < inv.args.length; i++) {
    const arg = inv.args[i] as string;
    if (!arg.startsWith('-')) continue;
    const flag = arg.split('=')[0] as string;
    if (!isCliFlag(flag)) {
      problems.push(`${inv.step}: unknown flag "${flag}"`);
      continue;
    }
    if (isCliSubcommand(inv.subcommand) && !flagAppliesTo(flag, inv.subcommand)) problems.push(`${inv.step}: ${flag} is not a flag of ${inv.subcommand}`);
    if (CLI_FLAGS[flag].value && !arg.includes('=')) {
      const value = inv.args[i + 1];
      if (value === undefined || value.startsWith('--')) problems.push(`${inv.step}: ${flag} needs a value`);
      else if (flag === '--engine' && !(CLI_ENGINES as readonly string[]).includes(value)) problems.push(`${inv.step}: --engine ${value} is not one of ${CLI_ENGINES.join('|')}`);
      i++;
    }
  }
  return problems;
}

/** All problems of a workflow file's harness commands. */
export function checkWorkflowCommands(yamlText: string): { invocations: HarnessInvocation[]; problems: string[] } {
  const doc: unknown = parse(yamlText);
  const invocations = harnessInvocations(doc);
  return { invocations, problems: invocations.flatMap(invocationProblems) };
}
