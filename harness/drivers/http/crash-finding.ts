/**
 * A service (or dependency) that dies under load is a finding, not a harness failure: the
 * inputs of the requests in flight when it died are saved to the scenario's violations
 * folder (the oldest is the finding's input; the rest are named in its message), with the
 * exit status and the tail of the process's output.
 */
import path from 'node:path';
import { contentId, CorpusStore } from '../../engine/corpus.ts';
import { encodingFor, type InputEncoding } from '../../engine/feeders.ts';
import { isDiskFault, recordLostWrite } from '../../core/write-failures.ts';
import type { ResolvedServiceScenario } from '../../scenario/service-types.ts';
import type { ProcessDeath } from './stack.ts';
import { relativeToCwd } from '../../core/display-path.ts';

/** Suspects saved per death: the culprit is almost always among the oldest. */
const MAX_SAVED = 8;

export interface CrashContext {
  scenario: ResolvedServiceScenario;
  death: ProcessDeath;
  suspects: Uint8Array[];
  seed: number;
  engine: string;
  cwd: string;
  cliName: string;
}

function describeDeath(death: ProcessDeath): string {
  const how = death.exit.signal ? `was killed by ${death.exit.signal}` : `exited with code ${death.exit.code}`;
  return `${death.process.label} ${how} under load`;
}

/**
 * Saves one suspect; a disk that refuses it costs only this file (named at the end of the
 * run, exit 2), and the finding still points where its files would have been.
 */
async function saveSuspect(corpus: CorpusStore, bytes: Uint8Array, fields: Parameters<CorpusStore['saveViolation']>[1]): Promise<{ id: string; inputFile: string; metaFile: string }> {
  try {
    return await corpus.saveViolation(bytes, fields);
  } catch (error) {
    if (!isDiskFault(error)) throw error;
    const id = contentId(bytes);
    recordLostWrite('finding', `crash finding ${id} of scenario ${fields.scenario}`, error, corpus.violationInputFile(id));
    return { id, inputFile: corpus.violationInputFile(id), metaFile: corpus.violationMetaFile(id) };
  }
}

/** What a death left on disk: everything its finding is built from (pipeline/run-service.ts). */
export interface SavedCrash {
  id: string;
  kind: 'crash' | 'exit';
  /** How it died and how many requests were in flight (the other saved inputs named). */
  message: string;
  /** The tail of the process's output; null when it wrote nothing. */
  stack: string | null;
  /** The oldest in-flight input (empty when nothing was in flight) and where it and its metadata are saved. */
  input: Uint8Array;
  encoding: InputEncoding;
  inputFile: string;
  metaFile: string;
  /** Rerunning the scenario with its seed replays the death. */
  replay: string;
  foundAt: string;
}

/** Saves the suspects (the oldest first); with nothing in flight, an empty input stands for the death. */
export async function saveCrashSuspects(ctx: CrashContext): Promise<SavedCrash> {
  const corpus = new CorpusStore(ctx.scenario.input.corpusDir);
  const encoding = encodingFor(ctx.scenario.input.type);
  const kind = ctx.death.exit.signal ? 'crash' : 'exit';
  const tail = ctx.death.process.outputTail().slice(-4000);
  const suspects = ctx.suspects.length > 0 ? ctx.suspects.slice(0, MAX_SAVED) : [new Uint8Array(0)];
  const foundAt = new Date().toISOString();
  const replay = `${ctx.cliName} run ${relativeToCwd(ctx.cwd, ctx.scenario.file)} --seed ${ctx.seed}`;
  const saved: Array<{ id: string; inputFile: string; metaFile: string }> = [];
  const message = `${describeDeath(ctx.death)}; ${ctx.suspects.length} request(s) in flight`;
  for (const bytes of suspects) {
    saved.push(await saveSuspect(corpus, bytes, {
        scenario: ctx.scenario.name,
        scenarioFile: path.relative(corpus.violationsDir, ctx.scenario.file),
        scenarioIndex: ctx.scenario.index,
        kind,
        latencyMs: 0,
        budgetMs: ctx.scenario.slo.perCallMs,
        timeoutMs: ctx.scenario.timeoutMs,
        seed: ctx.seed,
        engine: ctx.engine,
        encoding,
        message,
        stack: tail || null,
        foundAt,
        replay,
      }));
  }
  const first = saved[0] as { id: string; inputFile: string; metaFile: string };
  const others = saved.slice(1).map((s) => relativeToCwd(ctx.cwd, s.inputFile));
  return {
    id: first.id,
    kind,
    message: others.length > 0 ? `${message}; other in-flight inputs: ${others.join(', ')}` : message,
    stack: tail || null,
    input: suspects[0] as Uint8Array,
    encoding,
    inputFile: first.inputFile,
    metaFile: first.metaFile,
    replay,
    foundAt,
  };
}
