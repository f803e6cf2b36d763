/**
 * A function target's findings as they arrive (exploration and measured phase): one per input
 * content, repeats counted; each new one is shown to the caller at once and saved to the
 * corpus's violations/ folder in the background (`settled` waits for the saves).
 */
import path from 'node:path';
import { contentId, type CorpusStore } from '../engine/corpus.ts';
import type { InputEncoding } from '../engine/feeders.ts';
import type { InterestingSink } from '../engine/interesting.ts';
import { recordLostWrite } from '../core/write-failures.ts';
import type { Finding } from '../core/results-schema.ts';
import type { ResolvedFunctionScenario } from '../scenario/types.ts';
import type { FindingMessage } from '../drivers/isolate/protocol.ts';
import { buildFinding } from './finding.ts';

export interface FindingsContext {
  scenario: ResolvedFunctionScenario;
  corpus: CorpusStore;
  encoding: InputEncoding;
  interesting: InterestingSink;
  seed: number;
  cwd: string;
  cli: string;
  onFinding?: ((finding: Finding) => void) | undefined;
  /** The engine at the time of the finding (the isolate names it when ready). */
  engine: () => string;
}

export class FunctionFindings {
  /** Keyed by the id the finding was found under (minimisation replaces entries in place). */
  readonly byId = new Map<string, Finding>();
  private readonly pendingSaves: Promise<void>[] = [];

  constructor(private readonly ctx: FindingsContext) {}

  get size(): number {
    return this.byId.size;
  }

  list(): Finding[] {
    return [...this.byId.values()];
  }

  save(msg: FindingMessage): void {
    const { scenario, corpus, encoding } = this.ctx;
    this.ctx.interesting.exclude(msg.input);
    const id = contentId(msg.input);
    const known = this.byId.get(id);
    if (known) {
      known.occurrences++;
      known.latencyMs = Math.max(known.latencyMs, msg.latencyMs);
      return;
    }
    const kind = msg.kind;
    const finding = buildFinding({
      id,
      kind,
      latencyMs: msg.latencyMs,
      budgetMs: kind === 'timeout' ? scenario.timeoutMs : scenario.slo.perCallMs,
      injectedMs: msg.injectedMs,
      message: msg.message,
      stack: msg.stack,
      input: msg.input,
      encoding,
      inputFile: path.join(corpus.violationsDir, `${id}.input`),
      metaFile: path.join(corpus.violationsDir, `${id}.json`),
      cwd: this.ctx.cwd,
      replay: { cli: this.ctx.cli },
      firstSeenAt: new Date().toISOString(),
      occurrences: 1,
    });
    this.byId.set(id, finding);
    this.ctx.onFinding?.(finding);
    this.pendingSaves.push(this.saveViolation(msg, finding));
  }

  /** Waits for every save started so far. */
  async settled(): Promise<void> {
    await Promise.all(this.pendingSaves);
  }

  private saveViolation(msg: FindingMessage, finding: Finding): Promise<void> {
    const { scenario, corpus, encoding } = this.ctx;
    return corpus
      .saveViolation(msg.input, {
        scenario: scenario.name,
        scenarioFile: path.relative(corpus.violationsDir, scenario.file),
        scenarioIndex: scenario.index,
        kind: finding.kind,
        latencyMs: msg.latencyMs,
        budgetMs: finding.budgetMs,
        timeoutMs: scenario.timeoutMs,
        seed: this.ctx.seed,
        engine: this.ctx.engine(),
        encoding,
        message: msg.message,
        stack: msg.stack,
        foundAt: finding.firstSeenAt,
        replay: finding.replay,
      })
      .then(() => undefined)
      // A full or read-only disk loses this file, not the run: the CLI names what was lost.
      .catch((error: unknown) => recordLostWrite('finding', `finding ${finding.id} (${finding.kind}) of scenario ${scenario.name}`, error));
  }
}
