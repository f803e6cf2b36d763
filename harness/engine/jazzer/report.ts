/** What the harness and its Jazzer.js fuzz entry (drivers/isolate/jazzer/fuzz-entry.ts) exchange through files. */
import type { InputSpec } from '../../scenario/types.ts';

/** Start-up of the Jazzer.js CLI with tsx before its first call, measured here: 3.0-3.3 s on a loaded 2-core machine. */
export const JAZZER_STARTUP_MS = 3000;

/** Written by drivers/isolate/jazzer/run-jazzer.ts, read by the entry (path in SLO_JAZZER_CONFIG). */
export interface JazzerEntryConfig {
  scenarioFile: string;
  scenarioIndex: number;
  inputType: InputSpec['type'];
  perCallMs: number;
  seed: number;
  /** JSON-lines file the entry appends to. */
  reportFile: string;
}

/** One line of the report file. Inputs are in the scenario's saved encoding. */
export type JazzerReportLine =
  | { type: 'stats'; calls: number }
  | {
      type: 'finding';
      kind: 'slow' | 'error';
      inputBase64: string;
      latencyMs: number;
      confirmMs: number[];
      message: string | null;
      stack: string | null;
      signature: string;
    };

/** Parses the report file's text; torn or foreign lines (a killed child) are skipped. */
export function parseJazzerReport(text: string): { calls: number; findings: Extract<JazzerReportLine, { type: 'finding' }>[] } {
  let calls = 0;
  const findings: Extract<JazzerReportLine, { type: 'finding' }>[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let parsed: JazzerReportLine;
    try {
      parsed = JSON.parse(line) as JazzerReportLine;
    } catch {
      continue;
    }
    if (parsed.type === 'stats') calls = Math.max(calls, parsed.calls);
    else if (parsed.type === 'finding') findings.push(parsed);
  }
  return { calls, findings };
}

/** libFuzzer dictionary syntax: one quoted token per line, with \\ \" and non-printables escaped. */
export function libFuzzerDictionary(tokens: readonly string[]): string {
  const escape = (token: string): string =>
    [...Buffer.from(token, 'utf8')]
      .map((b) => (b === 0x5c ? '\\\\' : b === 0x22 ? '\\"' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
      .join('');
  return tokens.filter((t) => t.length > 0).map((t) => `"${escape(t)}"`).join('\n') + '\n';
}
