/**
 * Live progress: one rewritten line on a terminal, a plain line every few seconds in
 * CI logs. Writes to stderr so `--json` output on stdout stays parseable.
 */
import { formatMs } from '../core/duration.ts';
import type { BreakingPointStep, ScenarioProgress } from '../pipeline/options.ts';

const PLAIN_INTERVAL_MS = 5000;

export interface ProgressReporter {
  update(p: ScenarioProgress): void;
  line(text: string): void;
  clear(): void;
}

function describe(p: ScenarioProgress): string {
  const rate = p.callsPerSecond >= 1000 ? `${(p.callsPerSecond / 1000).toFixed(1)}k` : p.callsPerSecond.toFixed(0);
  return `${p.scenario}: ${(p.elapsedMs / 1000).toFixed(1)}s  ${p.calls.toLocaleString('en-US')} calls  ${rate} inputs/s  p99 ${formatMs(p.p99Ms)}  findings ${p.findings}${p.restarts ? `  restarts ${p.restarts}` : ''}`;
}

export function createProgress(stream: NodeJS.WriteStream, quiet: boolean): ProgressReporter {
  const tty = stream.isTTY === true;
  let lastPlain = 0;
  let shown = false;
  const clear = (): void => {
    if (tty && shown) stream.write('\r\x1b[2K');
    shown = false;
  };
  return {
    update(p) {
      if (quiet) return;
      if (tty) {
        const width = stream.columns ?? 120;
        stream.write(`\r\x1b[2K${describe(p).slice(0, width - 1)}`);
        shown = true;
      } else if (p.elapsedMs - lastPlain >= PLAIN_INTERVAL_MS) {
        lastPlain = p.elapsedMs;
        stream.write(`${describe(p)}\n`);
      }
    },
    line(text) {
      clear();
      stream.write(`${text}\n`);
      lastPlain = 0;
    },
    clear,
  };
}

/**
 * One line per breaking-point step, so a long search shows where it is:
 * "authz-service: breaking point dependency.attributes.latency 2.75 -> p99 46.5ms [42.7ms, 67.6ms] n=3,000 inconclusive (re-measured)".
 */
export function breakingPointStepLine({ scenario, knob, point }: BreakingPointStep): string {
  const upper = Number.isFinite(point.p99Upper) ? formatMs(point.p99Upper) : 'unbounded';
  const intensity = Number(point.intensity.toPrecision(4));
  const errors = point.errors > 0 ? `, ${point.errors.toLocaleString('en-US')} errors` : '';
  const again = point.remeasured ? ' (re-measured)' : '';
  return `${scenario}: breaking point ${knob} ${intensity} -> p99 ${formatMs(point.p99Ms)} [${formatMs(point.p99Lower)}, ${upper}] n=${point.samples.toLocaleString('en-US')}${errors} ${point.outcome}${again}`;
}
