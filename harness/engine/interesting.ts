/**
 * Inputs an engine kept for coverage or cost, on their way to
 * corpora/<scenario>/interesting/<content id> (so the next nightly run starts from them)
 * and to the measured phase as seeds. Bounded per run and de-duplicated against the
 * corpus already on disk: a run adds at most `maxSaved` new files, never rewrites old ones.
 */
import { recordLostWrite } from '../core/write-failures.ts';
import { contentId } from './corpus.ts';

export interface InterestingStore {
  saveInteresting(bytes: Uint8Array): Promise<string>;
}

export const MAX_INTERESTING_PER_RUN = 200;
/** The measured phase replays at most this many kept inputs before the engine's own. */
export const MAX_KEPT_SEEDS = 1000;

export class InterestingSink {
  private readonly known: Set<string>;
  private readonly kept: Uint8Array[] = [];
  private readonly saves: Promise<unknown>[] = [];
  private saved = 0;

  constructor(
    private readonly store: InterestingStore,
    existing: readonly Uint8Array[],
    private readonly maxSaved = MAX_INTERESTING_PER_RUN,
  ) {
    this.known = new Set(existing.map((b) => contentId(b)));
  }

  /** Keeps new inputs (in their saved encoding); saves the first `maxSaved` of the run. */
  add(inputs: readonly Uint8Array[]): void {
    for (const input of inputs) {
      const id = contentId(input);
      if (this.known.has(id)) continue;
      this.known.add(id);
      if (this.kept.length < MAX_KEPT_SEEDS) this.kept.push(input);
      if (this.saved >= this.maxSaved) continue;
      this.saved++;
      // A failed save (a full or read-only disk) loses one corpus entry, not the run: it is
      // recorded, and the CLI names it and exits 2 at the end (core/write-failures.ts).
      this.saves.push(this.store.saveInteresting(input).catch((error: unknown) => recordLostWrite('corpus entry', `interesting input ${id}`, error)));
    }
  }

  /**
   * A finding's input lives in violations/ (and hung or crashed a worker, or was over the
   * per-call budget): never also saved as interesting, nor replayed as a seed from here.
   */
  exclude(input: Uint8Array): void {
    this.known.add(contentId(input));
  }

  /** New inputs kept this run, in arrival order (bounded). */
  keptInputs(): Uint8Array[] {
    return [...this.kept];
  }

  savedCount(): number {
    return this.saved;
  }

  async flush(): Promise<void> {
    await Promise.all(this.saves);
  }
}
