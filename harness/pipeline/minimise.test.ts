import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorpusStore, readViolation, type ViolationFields } from '../engine/corpus.ts';
import { hexPreview, previewInput } from '../engine/input-preview.ts';
import type { Finding } from '../core/results-schema.ts';
import type { ArbitraryShrinkReply, FirstCallProbe, ProbeCall, ProbeMeasurement } from '../drivers/isolate/probe.ts';
import { growthPattern, minimiseFindings } from './minimise.ts';
import { renderPattern } from '../search/pattern.ts';
import { WriteError } from '../core/atomic-file.ts';
import { lostWrites, resetLostWrites } from '../core/write-failures.ts';

const BUDGET = 50;

/**
 * A fake probe over a synthetic cost function: the "first call" of an input costs
 * cost(input) ms in every worker, with a small deterministic per-worker spread. It counts
 * how many distinct inputs it measured.
 */
function fakeProbe(cost: (text: string) => number, workers = 3): FirstCallProbe & { measured: number } {
  const memo = new Map<string, ProbeMeasurement>();
  const probe = {
    workers,
    measured: 0,
    async measure(input: Uint8Array): Promise<ProbeMeasurement> {
      const key = Buffer.from(input).toString('latin1');
      const known = memo.get(key);
      if (known) return { ...known, memoised: true };
      probe.measured++;
      const base = cost(key);
      const latenciesMs = Array.from({ length: workers }, (_, i) => base * (1 + (i - 1) * 0.02));
      const m: ProbeMeasurement = { calls: latenciesMs.map((ms) => ({ kind: 'ok' as const, ms, message: null, stack: null })), latenciesMs, medianMs: base, memoised: false };
      memo.set(key, m);
      return m;
    },
    async measureOne(input: Uint8Array, slot: number): Promise<ProbeCall> {
      return (await probe.measure(input)).calls[slot] as ProbeCall;
    },
    async shrinkArbitrary(): Promise<ArbitraryShrinkReply> {
      throw new Error('not used');
    },
    async close(): Promise<void> {},
  };
  return probe;
}

/** Quadratic in the nesting depth of "[": a YAML-flow-like blow-up. */
const quadratic = (text: string): number => {
  let depth = 0;
  for (const ch of text) if (ch === '[') depth++;
  return 0.05 * depth * depth;
};
/** Exponential in the count of "a" before a "!" (a ReDoS-like blow-up). */
const exponential = (text: string): number => (text.includes('!') ? 0.01 * 2 ** [...text].filter((c) => c === 'a').length : 0.01);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'minimise-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fields: ViolationFields = {
  scenario: 'synthetic', scenarioFile: 'x.scenario.ts', scenarioIndex: 0, kind: 'slow', latencyMs: 999, budgetMs: BUDGET, timeoutMs: 2000,
  seed: 7, engine: 'builtin', encoding: 'utf8', message: null, stack: null, foundAt: '2026-01-01T00:00:00.000Z', replay: '',
};

async function found(store: CorpusStore, text: string, kind: Finding['kind'] = 'slow'): Promise<Finding> {
  const input = new Uint8Array(Buffer.from(text));
  const { id, metaFile } = await store.saveViolation(input, { ...fields, kind });
  return {
    id, kind, latencyMs: 999, budgetMs: BUDGET, message: null, stack: null,
    input: { encoding: 'utf8', size: input.length, preview: previewInput(input, 'utf8'), hexPreview: hexPreview(input), file: `${id}.input` },
    metaFile, replay: `slo-harness replay ${metaFile}`, firstSeenAt: fields.foundAt, occurrences: 1,
  };
}

/** A clock that advances 1 ms per reading: deadlines are counted, not timed. */
function tickingClock(): () => number {
  let t = 0;
  return () => t++;
}

function options(store: CorpusStore, probe: FirstCallProbe) {
  return {
    scenario: { name: 'synthetic', perCallMs: BUDGET, timeoutMs: 2000, maxLength: 4096 },
    probe, corpus: store, encoding: 'utf8' as const, seed: 7, cwd: dir, cli: 'slo-harness',
    capPerFindingMs: 1_000_000, now: tickingClock(),
  };
}

describe('minimiseFindings (synthetic cost, fake probe)', () => {
  it('shrinks a quadratic blow-up toward the budget, fits polynomial growth, saves both inputs', async () => {
    const store = new CorpusStore(dir);
    const noisy = `key: ${'['.repeat(60)}x, y, ${']'.repeat(60)} # trailing junk`;
    const finding = await found(store, noisy);
    const probe = fakeProbe(quadratic);
    const { findings, summary } = await minimiseFindings([finding], options(store, probe));
    expect(summary).toMatchObject({ confirmed: 1, minimised: 1, unconfirmed: 0, keptRaw: 0 });
    const [out] = findings;
    expect(out).toBeDefined();
    const minimal = Buffer.from((await readViolation(path.join(store.violationsDir, `${out!.id}.json`))).input).toString();
    // Still over budget x 1.5 (75 ms = depth 39), and no bigger than needed.
    expect(quadratic(minimal)).toBeGreaterThan(BUDGET * 1.5);
    expect([...minimal].filter((c) => c === '[').length).toBe(39);
    expect(minimal.length).toBeLessThan(noisy.length / 2);
    expect(out!.shrunkFrom).toBe(noisy.length);
    expect(out!.originalId).toBe(finding.id);
    expect(out!.input.size).toBe(minimal.length);
    expect(out!.replay).toBe(`slo-harness replay ${path.join('violations', `${out!.id}.json`)}`);
    expect(out!.growth?.class).toBe('polynomial');
    expect(out!.growth?.exponentOrBase).toBeGreaterThan(1.6);
    expect(out!.growth?.exponentOrBase).toBeLessThan(2.4);
    // The original stays under its own id and points at the minimised one.
    const original = await readViolation(store.violationMetaFile(finding.id));
    expect(original.record.minimisedTo).toBe(out!.id);
    const minimised = await readViolation(store.violationMetaFile(out!.id));
    expect(minimised.record.shrunkFrom).toEqual({ id: finding.id, size: noisy.length });
    expect(minimised.record.growth?.class).toBe('polynomial');
    expect(minimised.record.firstCallLatenciesMs).toHaveLength(3);
  });

  it('classifies an exponential blow-up as exponential', async () => {
    const store = new CorpusStore(dir);
    const finding = await found(store, `xx${'a'.repeat(16)}!yy`);
    const { findings } = await minimiseFindings([finding], options(store, fakeProbe(exponential)));
    const minimal = findings[0]!.input.preview;
    expect(exponential(minimal)).toBeGreaterThan(BUDGET * 1.5);
    expect(minimal).toBe(`${'a'.repeat(13)}!`);
    expect(findings[0]!.growth?.class).toBe('exponential');
  });

  it('drops a finding that first calls do not confirm, counts it, and keeps its input as interesting', async () => {
    const store = new CorpusStore(dir);
    const cheap = await found(store, 'cheap input');
    const slow = await found(store, '['.repeat(50));
    const { findings, summary } = await minimiseFindings([cheap, slow], options(store, fakeProbe(quadratic)));
    expect(summary.unconfirmed).toBe(1);
    expect(summary.confirmed).toBe(1);
    expect(findings.map((f) => f.originalId ?? f.id)).toEqual([slow.id]);
    const names = await readdir(store.violationsDir);
    expect(names.some((n) => n.startsWith(cheap.id))).toBe(false);
    expect((await store.loadSeeds('utf8')).map((s) => Buffer.from(s).toString())).toContain('cheap input');
  });

  it('stops at the time cap and still reports a confirmed, partly shrunk finding', async () => {
    const store = new CorpusStore(dir);
    const finding = await found(store, `${'['.repeat(80)}${'z'.repeat(200)}`);
    const probe = fakeProbe(quadratic);
    const { findings, summary } = await minimiseFindings([finding], { ...options(store, probe), capPerFindingMs: 40 });
    expect(summary.confirmed).toBe(1);
    expect(quadratic(findings[0]!.input.preview)).toBeGreaterThan(BUDGET);
    // The ticking clock allows only a few dozen oracle questions.
    expect(probe.measured).toBeLessThan(60);
    // The growth fit has its own share of the cap, counted from the end of the shrink.
    expect(findings[0]!.growth?.class).toBe('polynomial');
  });

  it('keeps a finding only just over the budget as found: no shrink questions, still a growth fit', async () => {
    const store = new CorpusStore(dir);
    // depth 34: 57.8 ms, over the budget x 1.1 (confirmed) but under x 1.5 (the shrink margin).
    const text = `${'['.repeat(34)} value ${']'.repeat(34)} # padding that a shrink would try to remove`;
    const finding = await found(store, text);
    const probe = fakeProbe(quadratic);
    const { findings, summary } = await minimiseFindings([finding], options(store, probe));
    expect(summary).toMatchObject({ confirmed: 1, minimised: 0 });
    expect(findings[0]!.id).toBe(finding.id);
    expect(findings[0]!.shrunkFrom).toBeUndefined();
    expect(findings[0]!.growth?.class).toBe('polynomial');
    // The shrink's first question is the input itself: refused, it asks nothing more.
    expect(probe.measured).toBeLessThanOrEqual(1 + (findings[0]!.growth?.points.length ?? 0));
  });

  it('leaves crashes as found, annotated with how often first calls reproduce them', async () => {
    const store = new CorpusStore(dir);
    const crash = await found(store, 'EXIT', 'exit');
    const probe = fakeProbe(() => 1);
    const { findings, summary } = await minimiseFindings([crash], options(store, probe));
    expect(summary.keptRaw).toBe(1);
    expect(findings[0]!.id).toBe(crash.id);
    expect(findings[0]!.message).toMatch(/reproduced on 0 of 3 first calls/);
  });
});

describe('growthPattern', () => {
  it('prefers a nesting, so pumping keeps brackets balanced', () => {
    const p = growthPattern(new Uint8Array(Buffer.from('a: [[[[x]]]]')), 1);
    expect(Buffer.from(p!.open).toString()).toBe('[');
    expect(Buffer.from(p!.close).toString()).toBe(']');
    expect(p!.count).toBe(4);
  });

  it('pumps two runs of about the same count together: a glob and its text', () => {
    const input = new Uint8Array(Buffer.from('*'.repeat(12) + 'b\n' + 'a'.repeat(14), 'latin1'));
    const p = growthPattern(input, 1)!;
    expect(Buffer.from(renderPattern(p, 13)).toString('latin1')).toBe('*'.repeat(13) + 'b\n' + 'a'.repeat(15));
    expect(Buffer.from(renderPattern(p, p.count)).toString('latin1')).toBe(Buffer.from(input).toString('latin1'));
  });

  it('pumps a single run when the other is far shorter', () => {
    const p = growthPattern(new Uint8Array(Buffer.from('**b\n' + 'a'.repeat(40), 'latin1')), 1)!;
    expect(Buffer.from(p.open).toString()).toBe('a');
    expect(p.close.length).toBe(0);
  });
});

describe('minimiseFindings: duplicates', () => {
  it('reports findings that shrink to the same input once, occurrences summed', async () => {
    const store = new CorpusStore(dir);
    const a = await found(store, `${'['.repeat(50)}aaa`);
    const b = await found(store, `${'['.repeat(50)}bbb`);
    const { findings, summary } = await minimiseFindings([a, b], options(store, fakeProbe(quadratic)));
    expect(summary.minimised).toBe(2);
    expect(findings).toHaveLength(1);
    expect(findings[0]!.occurrences).toBe(2);
    expect(findings[0]!.input.preview).toBe('['.repeat(39));
  });
});

describe('minimiseFindings: earlier confirmations', () => {
  it('never demotes a violation an earlier run confirmed, even when this run cannot', async () => {
    const store = new CorpusStore(dir);
    const finding = await found(store, 'was slow last night');
    await store.updateViolation(finding.id, { firstCallLatenciesMs: [120, 130, 140] });
    const { findings, summary } = await minimiseFindings([finding], options(store, fakeProbe(quadratic)));
    expect(summary.unconfirmed).toBe(1);
    expect(findings).toEqual([]);
    expect(await store.listViolations()).toEqual([store.violationMetaFile(finding.id)]);
  });
});

describe('minimiseFindings: structured (arbitrary) inputs', () => {
  it('asks the probe host to shrink with the arbitrary and saves the smaller value; no byte-level growth fit', async () => {
    const store = new CorpusStore(dir);
    const v8 = await import('node:v8');
    const cost = (bytes: string): number => {
      try {
        return 2 * (v8.deserialize(Buffer.from(bytes, 'latin1')) as number[]).length;
      } catch {
        return 0;
      }
    };
    const big = new Uint8Array(v8.serialize(Array.from({ length: 60 }, (_, i) => i)));
    const small = new Uint8Array(v8.serialize(Array.from({ length: 38 }, () => 0)));
    const probe = fakeProbe(cost);
    const asked: number[] = [];
    probe.shrinkArbitrary = async (request) => {
      asked.push(request.budgetMs);
      return { input: small, originalSize: request.input.length, size: small.length, oracleCalls: 9, measurements: 20, improvements: 3, initialViolates: true, stoppedEarly: false };
    };
    const { id, metaFile } = await store.saveViolation(big, { ...fields, encoding: 'v8' });
    const finding: Finding = {
      id, kind: 'slow', latencyMs: 120, budgetMs: BUDGET, message: null, stack: null,
      input: { encoding: 'v8', size: big.length, preview: previewInput(big, 'v8'), hexPreview: hexPreview(big), file: '' },
      metaFile, replay: '', firstSeenAt: fields.foundAt, occurrences: 1,
    };
    const { findings, summary } = await minimiseFindings([finding], { ...options(store, probe), encoding: 'v8' });
    expect(asked).toEqual([BUDGET]);
    expect(summary.minimised).toBe(1);
    expect(findings[0]!.input.size).toBe(small.length);
    expect(findings[0]!.input.preview).toBe(JSON.stringify(Array.from({ length: 38 }, () => 0)));
    expect(findings[0]!.growth).toBeUndefined();
    expect((await readViolation(store.violationMetaFile(findings[0]!.id))).record.encoding).toBe('v8');
  });
});

describe('minimiseFindings: findings of one shape', () => {
  it('minimises one member of a family and folds the others into it as variants', async () => {
    const store = new CorpusStore(dir);
    const family = [60, 45, 80].map((n) => `key: ${'['.repeat(n)}x`);
    const other = `${'a'.repeat(14)}!`;
    const members = [];
    for (const text of family) members.push(await found(store, text));
    const lone = await found(store, other);
    const probe = fakeProbe((t) => (t.includes('!') ? exponential(t) : quadratic(t)));
    const { findings, summary } = await minimiseFindings([...members, lone], options(store, probe));
    expect(summary).toMatchObject({ confirmed: 2, variants: 2 });
    expect(findings).toHaveLength(2);
    const representative = findings.find((f) => f.originalId !== undefined && f.variants !== undefined);
    // The smallest member (45 brackets) was the one minimised; the others are its variants.
    expect(representative?.originalId).toBe(members[1]?.id);
    expect(representative?.variants?.sort()).toEqual([members[0]?.id, members[2]?.id].sort());
    expect(representative?.occurrences).toBe(3);
    // Nothing lost: every member's input is still in violations/.
    const files = await readdir(store.violationsDir);
    for (const m of members) expect(files).toContain(`${m.id}.input`);
  });
});

describe('minimiseFindings: out of time', () => {
  it('names unexamined slow candidates in the summary once one slow finding is confirmed', async () => {
    const store = new CorpusStore(dir);
    const first = await found(store, `key: ${'['.repeat(60)}x`);
    const rest = [await found(store, `other ${'['.repeat(70)} y z`), await found(store, `third: ${'['.repeat(75)};`)];
    const probe = fakeProbe(quadratic);
    // The budget runs out as soon as the probe has measured anything: the smallest finding
    // goes first, wherever it stands in the list, and is confirmed (its shrink stops at
    // once); the others are never examined.
    const { findings, summary } = await minimiseFindings([rest[0]!, first, rest[1]!], { ...options(store, probe), shouldStop: () => probe.measured > 0 });
    expect(findings[0]?.originalId ?? findings[0]?.id).toBe(first.id);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.firstCallLatenciesMs).toBeDefined();
    expect(summary.unexamined?.sort()).toEqual(rest.map((f) => f.id).sort());
    const files = await readdir(store.violationsDir);
    for (const f of rest) expect(files).toContain(`${f.id}.input`);
  });

  it('keeps candidates as found when nothing was confirmed before the time ran out', async () => {
    const store = new CorpusStore(dir);
    const all = [await found(store, `key: ${'['.repeat(60)}x`), await found(store, `other ${'['.repeat(70)} y z`)];
    const { findings, summary } = await minimiseFindings(all, { ...options(store, fakeProbe(quadratic)), shouldStop: () => true });
    expect(findings.map((f) => f.id)).toEqual(all.map((f) => f.id));
    expect(summary.keptRaw).toBe(2);
    expect(summary.unexamined).toBeUndefined();
  });

  it('a disk that fills during minimisation: no crash, the finding stays as found and confirmed, the lost files are recorded', async () => {
    resetLostWrites();
    /** The corpus after the disk filled: every further write fails as a full disk does. */
    class FullCorpus extends CorpusStore {
      full = false;
      override async saveViolation(...args: Parameters<CorpusStore['saveViolation']>): ReturnType<CorpusStore['saveViolation']> {
        if (this.full) throw new WriteError(this.violationInputFile('minimal'), Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
        return super.saveViolation(...args);
      }
      override async updateViolation(id: string): ReturnType<CorpusStore['updateViolation']> {
        throw new WriteError(this.violationMetaFile(id), Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }));
      }
    }
    const store = new FullCorpus(dir);
    const noisy = `key: ${'['.repeat(60)}x ${']'.repeat(60)}`;
    const finding = await found(store, noisy);
    store.full = true;
    const { findings, summary } = await minimiseFindings([finding], options(store, fakeProbe(quadratic)));
    expect(summary).toMatchObject({ confirmed: 1, minimised: 0, keptRaw: 0, error: null });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: finding.id, metaFile: finding.metaFile, firstCallLatenciesMs: expect.any(Array) });
    expect(findings[0]!.message).toMatch(/confirmed; shrunk to \d+ B, .* but the minimised input could not be saved/);
    // The original's files are intact and it still replays.
    expect(Buffer.from((await readViolation(store.violationMetaFile(finding.id))).input).toString()).toBe(noisy);
    expect(lostWrites()).toEqual([expect.objectContaining({ kind: 'minimised finding', code: 'ENOSPC', path: store.violationInputFile('minimal'), what: expect.stringContaining(`of finding ${finding.id}`) })]);
    resetLostWrites();
  });
});
