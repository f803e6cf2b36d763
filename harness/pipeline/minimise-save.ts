/**
 * Saving what minimisation established (pipeline/minimise.ts): the minimised violation beside
 * the original, the links between them, and the finding rewritten to show it. A disk that
 * refuses a write (full, read-only) costs that file only: it is recorded as a lost write
 * (core/write-failures.ts), and a finding whose minimised input could not be saved stays as
 * found, so its replay command still points at files that exist.
 */
import { contentId, type CorpusStore, type ViolationFields, type ViolationRecord } from '../engine/corpus.ts';
import { savedOrLost } from '../core/write-failures.ts';
import type { Finding, GrowthFit as GrowthResult } from '../core/results-schema.ts';
import type { ProbeMeasurement } from '../drivers/isolate/probe.ts';
import type { InputEncoding } from '../engine/feeders.ts';
import { relativeToCwd } from '../core/display-path.ts';
import { buildFinding, replayCommand } from './finding.ts';

/** What saving needs of minimise.ts's options (its own type, so the two files import one way). */
export interface SaveContext {
  scenario: { timeoutMs: number; perCallMs: number };
  corpus: CorpusStore;
  encoding: InputEncoding;
  /** Working directory for relative paths, and how a user invokes the CLI (replay commands). */
  cwd: string;
  cli: string;
}

/** Saves the minimised violation (atomic), links the original to it, and rewrites the finding. */
export async function saveMinimised(
  finding: Finding,
  record: ViolationRecord,
  original: Uint8Array,
  minimal: Uint8Array,
  measured: ProbeMeasurement,
  originalMeasured: ProbeMeasurement,
  growth: GrowthResult | undefined,
  minimiseMs: number,
  opts: SaveContext,
): Promise<Finding> {
  const { cwd, cli, corpus, encoding } = opts;
  const kind = measured.calls.filter((c) => c.kind === 'timeout').length * 2 > measured.calls.length ? 'timeout' : 'slow';
  const budgetMs = kind === 'timeout' ? opts.scenario.timeoutMs : opts.scenario.perCallMs;
  const shrunk = contentId(minimal) !== finding.id;
  const id = contentId(minimal);
  const metaFile = relativeToCwd(cwd, corpus.violationMetaFile(id));
  const replay = replayCommand(cli, metaFile);
  const message = `median first-call latency ${measured.medianMs.toFixed(1)} ms over ${measured.latenciesMs.length} fresh calls exceeds the per-call budget of ${opts.scenario.perCallMs} ms`;
  const { schema: _s, version: _v, id: _i, inputFile: _f, inputSize: _z, ...fields } = record;
  if (shrunk) {
    const saved = await savedOrLost('minimised finding', `minimised input ${id} (${minimal.length} B) of finding ${finding.id}`, () =>
      corpus.saveViolation(minimal, {
        ...fields,
        kind,
        latencyMs: measured.medianMs,
        budgetMs,
        message,
        stack: null,
        replay,
        firstCallLatenciesMs: measured.latenciesMs,
        shrunkFrom: { id: finding.id, size: original.length },
        minimiseMs,
        ...(growth ? { growth } : {}),
      }),
      corpus.violationInputFile(id),
    );
    // Without its saved file a minimised finding could not be replayed: the finding stays
    // as found (its files are on disk), confirmed, and says what the shrink reached.
    if (!saved) return unsavedMinimisation(finding, minimal, measured, growth);
    await updateOrLost(corpus, finding.id, { minimisedTo: id, firstCallLatenciesMs: originalMeasured.latenciesMs });
  } else {
    await updateOrLost(corpus, finding.id, { firstCallLatenciesMs: measured.latenciesMs, minimiseMs, ...(growth ? { growth } : {}) });
  }
  // The finding keeps its place in results.json and what minimisation does not change
  // (first seen, occurrences, stack, variants); the rest is the minimal input's.
  const rebuilt = buildFinding({
    id,
    kind,
    latencyMs: measured.medianMs,
    budgetMs,
    message: shrunk ? message : finding.message,
    stack: finding.stack,
    input: minimal,
    encoding,
    inputFile: corpus.violationInputFile(id),
    metaFile: corpus.violationMetaFile(id),
    cwd,
    replay: { command: shrunk ? replay : finding.replay },
    firstSeenAt: finding.firstSeenAt,
    occurrences: finding.occurrences,
  });
  return {
    ...finding,
    ...rebuilt,
    firstCallLatenciesMs: measured.latenciesMs,
    ...(shrunk ? { shrunkFrom: original.length, originalId: finding.id } : {}),
    ...(growth ? { growth } : {}),
  };
}

/** Rewrites a violation's metadata; when the disk refuses, the previous metadata stays and the loss is recorded. */
async function updateOrLost(corpus: CorpusStore, id: string, patch: Partial<ViolationFields>): Promise<void> {
  await savedOrLost('minimised finding', `minimisation record of finding ${id} (first-call latencies, growth)`, () => corpus.updateViolation(id, patch), corpus.violationMetaFile(id));
}

/** The finding as found (its files are saved), confirmed by first calls, noting the shrink that could not be saved. */
function unsavedMinimisation(finding: Finding, minimal: Uint8Array, measured: ProbeMeasurement, growth: GrowthResult | undefined): Finding {
  const note = `(confirmed; shrunk to ${minimal.length} B, median first call ${measured.medianMs.toFixed(1)} ms, but the minimised input could not be saved)`;
  return { ...finding, message: `${finding.message ?? ''} ${note}`.trim(), firstCallLatenciesMs: measured.latenciesMs, ...(growth ? { growth } : {}) };
}

