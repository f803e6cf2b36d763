/**
 * What the builtin engine builds from its options before the first call: the budgets, the
 * dictionary (scenario tokens and literals mined from the target), the coverage probe and its
 * windows, and the ladders.
 */
import { createRng, type Rng } from '../../core/rng.ts';
import type { CoverageProbe, ScriptFilter } from '../coverage/features.ts';
import { startV8BlockCoverage } from '../coverage/v8-block-coverage.ts';
import { CoverageWindows } from './coverage-windows.ts';
import { Ladders } from './ladders.ts';
import { mineLiterals } from './literals.ts';
import { nestingLadderPatterns } from './nesting-ladders.ts';
import { recordLadderPatterns } from './record-ladders.ts';
import { regexLadderPatterns } from './regex-ladders.ts';
import { wildcardLadderPatterns } from './wildcard-ladders.ts';

export interface BuiltinEngineOptions {
  seed: number;
  maxLength: number;
  /** The scenario's dictionary tokens. */
  dictionary: readonly string[];
  /** Seed inputs, replayed first and kept. */
  seeds: Uint8Array[];
  /**
   * The per-call latency budget (the SLO's per-call limit) in ns: pumping slows down as a
   * pattern's latency approaches it and stops for inputs over it. Default 10 ms.
   */
  timeBudgetHintNs?: number;
  /** Source texts of the target (scenario file, parser module): literals are mined into the dictionary. */
  targetSources?: readonly string[];
  /**
   * 'v8' (default): V8 block coverage on this thread, falling back to cost-only; or a probe;
   * or 'off'. Coverage instrumentation slows JS code (1.3-4x measured on tight loops): a
   * violation seen with it on must be confirmed where it is off (see the module doc).
   */
  coverage?: 'v8' | 'off' | CoverageProbe;
  /**
   * Which scripts count as the target for 'v8' coverage. Default: file: URLs outside
   * node_modules and outside the harness. A target that lives in a dependency (a third-party
   * parser) needs its package included, e.g. (url) => url.includes('/node_modules/yaml/').
   */
  coverageInclude?: ScriptFilter;
  /** Share of the time the coverage probe may take (default 0.15). */
  coverageOverhead?: number;
  /** Cost of one coverage read for the window schedule (default 1.5 ms, measured here for V8). */
  coverageReadCostNs?: number;
}

const DEFAULT_BUDGET_NS = 10e6;
/** How much slower the target may run under coverage instrumentation (measured 1.3-4x here). */
const INSTRUMENTATION_SLACK = 4;

/** The engine's setup from its options: budgets, dictionary, coverage and ladders. */
export interface EngineSetup {
  rng: Rng;
  budgetNs: number;
  /** The budget pumping aims at: further than budgetNs when coverage instrumentation slows the target. */
  pumpBudgetNs: number;
  dictionary: Uint8Array[];
  probe: CoverageProbe | null;
  coverageName: string;
  windows: CoverageWindows | null;
  seeds: Uint8Array[];
  ladders: Ladders;
}

export function setUp(opts: BuiltinEngineOptions): EngineSetup {
  const rng = createRng(opts.seed);
  const budgetNs = opts.timeBudgetHintNs ?? DEFAULT_BUDGET_NS;
  const dictionary = buildDictionary(opts.dictionary, opts.targetSources ?? []);
  const { probe, coverageName } = openProbe(opts.coverage ?? 'v8', opts.coverageInclude);
  // Instrumented code runs slower (up to ~4x measured for tight loops): a latency "at the
  // budget" under coverage may be a quarter of it in reality, so pumping aims further.
  const pumpBudgetNs = probe ? budgetNs * INSTRUMENTATION_SLACK : budgetNs;
  const windows = probe ? new CoverageWindows(probe, { readCostNs: opts.coverageReadCostNs ?? 1.5e6, overhead: opts.coverageOverhead ?? 0.15 }) : null;
  const seeds = opts.seeds.map((s) => (s.length > opts.maxLength ? s.slice(0, opts.maxLength) : s));
  const ladders = buildLadders(dictionary, opts, budgetNs, pumpBudgetNs);
  return { rng, budgetNs, pumpBudgetNs, dictionary, probe, coverageName, windows, seeds, ladders };
}

/**
 * Ladders are climbed right after the seeds. Regex matching runs in V8's regex engine, which
 * coverage does not slow: ReDoS candidates aim at the budget. Records and nestings run the
 * target's JS code, instrumented: they aim further, like pumping (so do wildcard runs).
 */
function buildLadders(dictionary: readonly Uint8Array[], opts: BuiltinEngineOptions, budgetNs: number, pumpBudgetNs: number): Ladders {
  const literals = dictionary.map((t) => Buffer.from(t).toString('latin1'));
  return new Ladders(
    [
      ...regexLadderPatterns(opts.targetSources ?? []).map((pattern) => ({ pattern, budgetNs })),
      ...recordLadderPatterns(literals).map((pattern) => ({ pattern, budgetNs: pumpBudgetNs })),
      ...nestingLadderPatterns(literals).map((pattern) => ({ pattern, budgetNs: pumpBudgetNs })),
      ...wildcardLadderPatterns(literals).map((pattern) => ({ pattern, budgetNs: pumpBudgetNs })),
    ],
    opts.maxLength,
  );
}

function buildDictionary(scenarioTokens: readonly string[], sources: readonly string[]): Uint8Array[] {
  const tokens = new Set<string>(scenarioTokens);
  for (const source of sources) for (const t of mineLiterals(source)) tokens.add(t);
  return [...tokens].filter((t) => t.length > 0).map((t) => Buffer.from(t, 'utf8'));
}

function openProbe(choice: 'v8' | 'off' | CoverageProbe, include?: ScriptFilter): { probe: CoverageProbe | null; coverageName: string } {
  if (choice === 'off') return { probe: null, coverageName: 'off' };
  if (choice !== 'v8') return { probe: choice, coverageName: choice.name };
  const started = startV8BlockCoverage(include ? { include } : {});
  return started.probe ? { probe: started.probe, coverageName: started.probe.name } : { probe: null, coverageName: 'off' };
}
