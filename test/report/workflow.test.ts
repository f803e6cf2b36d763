import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCli } from '../../harness/cli/args.ts';
import { CLI_FLAG_NAMES, CLI_SUBCOMMANDS } from '../../harness/cli/contract.ts';
import { checkWorkflowCommands, shellWords, workflowSteps, type WorkflowStep } from './workflow-check.ts';

const WORKFLOW = fileURLToPath(new URL('../../.github/workflows/nightly.yml', import.meta.url));
const text = readFileSync(WORKFLOW, 'utf8');

interface Workflow {
  on: { schedule?: Array<{ cron: string }>; workflow_dispatch?: unknown };
  permissions?: Record<string, string>;
  jobs: Record<string, {
    'runs-on': string;
    services?: Record<string, { image: string; ports?: string[] }>;
    env?: Record<string, string>;
    steps: WorkflowStep[];
  }>;
}

const doc = parse(text) as Workflow;
const job = Object.values(doc.jobs)[0]!;
const steps = workflowSteps(doc);
const runScripts = steps.map((s) => s.run ?? '').join('\n');

describe('nightly workflow', () => {
  it('runs nightly on a schedule and on demand', () => {
    expect(doc.on.schedule?.[0]?.cron.trim().split(/\s+/)).toHaveLength(5);
    expect('workflow_dispatch' in doc.on).toBe(true);
    expect(job['runs-on']).toBe('ubuntu-latest');
  });

  it('starts Toxiproxy as a service container and points the harness at it', () => {
    const toxiproxy = Object.values(job.services ?? {}).find((s) => s.image.startsWith('ghcr.io/shopify/toxiproxy'));
    expect(toxiproxy).toBeDefined();
    expect(toxiproxy!.ports).toContain('8474:8474');
    expect(job.env?.TOXIPROXY_URL).toBe('http://localhost:8474');
  });

  it('installs bpftrace and stress-ng, then the locked dependencies', () => {
    expect(runScripts).toMatch(/apt-get install -y[^\n]* bpftrace stress-ng/);
    expect(steps.some((s) => s.run?.trim() === 'npm ci')).toBe(true);
  });

  it('calls only subcommands and flags the CLI contract lists', () => {
    const { invocations, problems } = checkWorkflowCommands(text);
    expect(invocations.length).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
    for (const inv of invocations) {
      expect(inv.subcommand).toBe('run');
      expect(inv.args.slice(inv.args.indexOf('--out'), inv.args.indexOf('--out') + 2)).toEqual(['--out', 'reports/nightly']);
    }
    expect(invocations.some((i) => i.args.includes('--baseline'))).toBe(true);
  });

  it('uploads reports/nightly as an artefact even when the run fails', () => {
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.path).toBe('reports/nightly');
    expect(upload?.if).toContain('always()');
  });

  it('commits new corpus entries back only on scheduled runs, and only when something changed', () => {
    const commit = steps.find((s) => s.run?.includes('git add corpora/'));
    expect(commit).toBeDefined();
    expect(commit!.if).toContain("github.event_name == 'schedule'");
    expect(commit!.run).toContain('git diff --cached --quiet');
    expect(commit!.run).toMatch(/git commit[\s\S]*git push/);
    expect(doc.permissions?.contents).toBe('write');
  });

  it('pins every action to a major version', () => {
    for (const s of steps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w.-]+\/[\w.\/-]+@v\d+$/);
  });
});

describe('workflow command checker', () => {
  it('splits shell words with quotes and comments', () => {
    expect(shellWords(`sudo -E env "PATH=$PATH" npx slo-harness run 'a b' --seed "$SEED" # note`)).toEqual([
      'sudo', '-E', 'env', 'PATH=$PATH', 'npx', 'slo-harness', 'run', 'a b', '--seed', '$SEED',
    ]);
  });

  it('rejects unknown subcommands, unknown flags, missing values and bad engines', () => {
    const bad = `jobs:\n  j:\n    steps:\n      - name: x\n        run: |\n          npx slo-harness fuzz a --report out\n          npx slo-harness run a --seed\n          npx slo-harness run a \\\n            --engine libfuzzer\n          npx slo-harness replay v.json --budget 5s\n`;
    const { invocations, problems } = checkWorkflowCommands(bad);
    expect(invocations).toHaveLength(4);
    expect(problems).toEqual([
      'x: unknown subcommand "fuzz"',
      'x: unknown flag "--report"',
      'x: --seed needs a value',
      'x: --engine libfuzzer is not one of builtin|jazzer|auto',
      'x: --budget is not a flag of replay',
    ]);
  });

  it('checks against the same contract the CLI parser reads (harness/cli/contract.ts)', () => {
    expect(CLI_SUBCOMMANDS).toEqual(['run', 'replay', 'report']);
    expect(CLI_FLAG_NAMES).toEqual(expect.arrayContaining(['--budget', '--seed', '--out', '--regression', '--baseline']));
  });

  it('passes --budget a duration with a unit, on demand and on schedule', () => {
    const onDemand = (doc.on.workflow_dispatch as { inputs?: Record<string, { default?: string }> }).inputs?.['budget']?.default;
    const scheduled = /\|\|\s*'([^']+)'/.exec(job.env?.['BUDGET'] ?? '')?.[1];
    for (const budget of [onDemand, scheduled]) {
      expect(budget).toBeDefined();
      expect(parseCli(['run', 'scenarios/', '--budget', budget!])).toMatchObject({ budgetMs: 120_000 });
    }
  });
});
