/**
 * The trace phase: after the fuzz phase (and minimisation), the worst confirmed latency
 * violations are replayed in a fresh isolate while a sampler records stacks, interleaved with
 * baseline calls (the scenario's seeds), and each traced finding gets `stacks` in results.json.
 *
 * Slow findings share one session (one isolate, one bpftrace: start-up is paid once). A timeout
 * finding hangs its worker until the watchdog kills it, which would end a shared session, so it
 * gets a session of its own, and only with bpftrace: the V8 profile dies with the worker.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { contentId } from '../engine/corpus.ts';
import type { Finding } from '../core/results-schema.ts';
import type { IsolateConfig } from '../drivers/isolate/protocol.ts';
import { chooseTraceBackend, type TraceBackendChoice } from '../trace/backend.ts';
import { runTraceSession, type TraceSessionResult } from '../drivers/isolate/trace-session.ts';

export type TraceMode = 'off' | 'auto' | 'bpftrace' | 'v8';

export interface TracePhaseOptions {
  mode: TraceMode;
  /** Sampling frequency (bpftrace `profile:hz`; the V8 profiler samples every 1/hz s). */
  hz: number;
  /** At most this many findings are traced (the slowest first). Default 3. */
  maxFindings?: number;
  /** Replay time per session, ms. Default 1500. */
  durationMs?: number;
  /** PATH and the rest for finding bpftrace (tests hide it this way). */
  env?: NodeJS.ProcessEnv;
  /** One-line status messages (backend, fallback reason, time to probes attached). */
  log?: (line: string) => void;
}

export const DEFAULT_TRACE_HZ = 99;

export interface TracePhaseContext {
  scenario: IsolateConfig['scenario'];
  /** Findings as they stand; the traced ones get `stacks` set in place. */
  findings: Finding[];
  /** Baseline inputs (the scenario's seeds), in the scenario's encoding. */
  seeds: Uint8Array[];
  seed: number;
  /** Finding input paths are relative to this. */
  cwd: string;
  signal?: AbortSignal;
}

export interface TracePhaseSummary {
  backend: TraceBackendChoice;
  traced: number;
  /** Session start (isolate forked) to sampler running, ms (first session). */
  startupMs: number | null;
  /** bpftrace spawn to probes attached, ms (first session). */
  attachMs: number | null;
  notes: string[];
}

const MAX_BASELINE_INPUTS = 64;

function isLatencyViolation(f: Finding): boolean {
  return f.kind === 'slow' || f.kind === 'timeout';
}

async function readInput(cwd: string, finding: Finding): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path.resolve(cwd, finding.input.file)));
  } catch {
    return null;
  }
}

/** The findings worth tracing: latency violations, slowest first (at most `max` when given). */
export function selectFindingsToTrace(findings: readonly Finding[], max = Infinity): Finding[] {
  return findings
    .filter(isLatencyViolation)
    .sort((a, b) => b.latencyMs - a.latencyMs || (a.id < b.id ? -1 : 1))
    .slice(0, max);
}

/** The slowest `max` candidates whose input can still be read (minimisation may have replaced some). */
async function readChosen(cwd: string, candidates: Finding[], max: number): Promise<{ chosen: Finding[]; inputs: Map<string, Uint8Array> }> {
  const chosen: Finding[] = [];
  const inputs = new Map<string, Uint8Array>();
  for (const f of candidates) {
    if (chosen.length >= max) break;
    const bytes = await readInput(cwd, f);
    if (!bytes || inputs.has(f.id)) continue;
    inputs.set(f.id, bytes);
    chosen.push(f);
  }
  return { chosen, inputs };
}

export async function runTracePhase(ctx: TracePhaseContext, options: TracePhaseOptions): Promise<TracePhaseSummary | null> {
  if (options.mode === 'off' || ctx.signal?.aborted) return null;
  const { chosen, inputs } = await readChosen(ctx.cwd, selectFindingsToTrace(ctx.findings), options.maxFindings ?? 3);
  if (chosen.length === 0) return null;
  const backend = await chooseTraceBackend({ prefer: options.mode, ...(options.env ? { env: options.env } : {}) });
  const log = options.log ?? ((): void => undefined);
  const fallback = backend.backend === 'v8-inspector' && options.mode !== 'v8';
  log(`trace: ${backend.backend}${fallback ? ` (fallback: ${backend.reason})` : ''}, ${options.hz} Hz, ${chosen.length} violation(s)`);

  const violationIds = new Set([...inputs.values()].map((b) => contentId(b)));
  // A seed that is itself a violation is not a baseline.
  const baseline = ctx.seeds.filter((s) => !violationIds.has(contentId(s))).slice(0, MAX_BASELINE_INPUTS);
  const slow = chosen.filter((f) => f.kind === 'slow' && inputs.has(f.id));
  const hangs = chosen.filter((f) => f.kind === 'timeout' && inputs.has(f.id));
  const groups: Finding[][] = [...(slow.length > 0 ? [slow] : []), ...(backend.backend === 'bpftrace' ? hangs.map((h) => [h]) : [])];
  const summary: TracePhaseSummary = { backend, traced: 0, startupMs: null, attachMs: null, notes: [] };
  if (backend.backend !== 'bpftrace' && hangs.length > 0) summary.notes.push(`${hangs.length} timeout finding(s) not traced: the V8 profile dies with the terminated worker`);

  for (const group of groups) {
    if (ctx.signal?.aborted) break;
    let result = await traceGroup(ctx, options, backend, group, inputs, baseline).catch((error: unknown) => {
      summary.notes.push(`${backend.backend} session failed: ${(error as Error).message}`);
      return null;
    });
    // A bpftrace session that fails (or never attaches) still leaves the V8 profiler: a run keeps its stacks.
    const lost = result === null || (backend.backend === 'bpftrace' && result.startupMs === null);
    if (lost && backend.backend === 'bpftrace' && group.every((f) => f.kind === 'slow') && !ctx.signal?.aborted) {
      const v8: TraceBackendChoice = { backend: 'v8-inspector', reason: `bpftrace session failed (${summary.notes.at(-1) ?? result?.notes.join('; ') ?? 'no samples'}); using the V8 inspector profiler` };
      result = await traceGroup(ctx, { ...options, mode: 'auto' }, v8, group, inputs, baseline).catch(() => null);
    }
    // A V8 session whose worker ended before its profile was taken (a call cut or killed on a
    // loaded machine) leaves nothing to attribute: one fresh isolate gets a second chance.
    if (result && backend.backend === 'v8-inspector' && result.startupMs === null && !ctx.signal?.aborted) {
      summary.notes.push(...result.notes, 'the V8 session ended without a profile; traced again in a fresh isolate');
      result = await traceGroup(ctx, options, backend, group, inputs, baseline).catch(() => null);
    }
    if (!result) continue;
    summary.startupMs ??= result.startupMs;
    summary.attachMs ??= result.attachMs;
    summary.notes.push(...result.notes);
    for (const f of group) {
      const stacks = result.stacks.get(f.id);
      if (stacks) {
        f.stacks = stacks;
        summary.traced++;
      }
    }
  }
  const attach = summary.attachMs !== null ? `; bpftrace probes attached ${Math.round(summary.attachMs)} ms after launch` : '';
  const startup = summary.startupMs !== null ? `sampler running ${Math.round(summary.startupMs)} ms after the trace session started${attach}` : 'sampler never ran';
  log(`trace: ${summary.traced}/${chosen.length} violation(s) with stacks; ${startup}${summary.notes.length > 0 ? `; ${summary.notes.join('; ')}` : ''}`);
  return summary;
}

function traceGroup(
  ctx: TracePhaseContext,
  options: TracePhaseOptions,
  backend: TraceBackendChoice,
  group: Finding[],
  inputs: Map<string, Uint8Array>,
  baseline: Uint8Array[],
): Promise<TraceSessionResult> {
  return runTraceSession({
    scenario: ctx.scenario,
    seed: ctx.seed,
    violations: group.map((f) => ({ id: f.id, input: inputs.get(f.id) as Uint8Array })),
    baseline,
    backend: backend.backend,
    reason: backend.reason,
    hz: options.hz,
    durationMs: options.durationMs ?? 1500,
    pathRoot: ctx.cwd,
    ...(options.env ? { env: options.env } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}
