/**
 * Report bench: `node --import tsx bench/report.ts` (or `npm run bench -- report`).
 *
 * A synthetic run (stacks capped as a real run writes them) with 1e6 recorded calls (one scenario's histogram holds 1e6 values; two
 * more scenarios add 21,500), several findings with 2,000 distinct folded stacks each, a
 * breaking-point curve, a timeline and chaos. Measures:
 *  - render time of index.html (median of RENDER_ROUNDS), results.json and junit.xml sizes;
 *  - index.html size (goal < 2 MB);
 *  - Chromium load time (Debian /usr/bin/chromium, headless): the navigation's loadEventEnd
 *    as the page reports it, median of LOAD_ROUNDS fresh pages (goal < 1 s).
 * Goals are printed, not asserted: this is a shared 2-core machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderHtmlReport } from '../harness/report/html/index.ts';
import { renderJunit } from '../harness/report/junit.ts';
import { MAX_FOLDED_STACKS } from '../harness/report/stack-cap.ts';
import { reportedResults } from '../harness/report/write.ts';
import { formatTable } from '../harness/report/console.ts';
import { makeResultsFixture } from '../test/report/fixtures.ts';

const CALLS = 1_000_000;
const FINDINGS = 6;
const STACKS_PER_FINDING = 2000;
const RENDER_ROUNDS = 5;
const LOAD_ROUNDS = 5;
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ReportBenchFigures {
  calls: number;
  findings: number;
  renderMsMedian: number;
  htmlBytes: number;
  jsonBytes: number;
  /** results.json size had the stacks not been capped. */
  uncappedJsonBytes: number;
  junitBytes: number;
  /** null when Chromium is not installed. */
  loadMsMedian: number | null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** loadEventEnd of fresh pages opening the file, as the browser measured it. */
async function chromiumLoadTimes(file: string, rounds: number): Promise<number[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      times.push(await page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByType(t: string): Array<{ loadEventEnd: number }> } }).performance.getEntriesByType('navigation')[0]?.loadEventEnd ?? NaN));
      await page.close();
    }
    return times;
  } finally {
    await browser.close();
  }
}

export async function main(): Promise<ReportBenchFigures> {
  const raw = makeResultsFixture({ calls: CALLS, findings: FINDINGS, stacksPerFinding: STACKS_PER_FINDING });
  // What a run writes: stacks capped (stack-cap.ts), as writeReportFiles does.
  const results = reportedResults(raw);
  const uncappedJsonBytes = Buffer.byteLength(JSON.stringify(raw, null, 2));
  const renderTimes: number[] = [];
  let html = '';
  for (let i = 0; i < RENDER_ROUNDS; i++) {
    const start = performance.now();
    html = renderHtmlReport(results);
    renderTimes.push(performance.now() - start);
  }
  const json = JSON.stringify(results, null, 2);
  const junit = renderJunit(results);
  const dir = await mkdtemp(join(tmpdir(), 'slo-report-bench-'));
  let loadMsMedian: number | null = null;
  try {
    const file = join(dir, 'index.html');
    await writeFile(file, html);
    if (existsSync(CHROMIUM)) loadMsMedian = median(await chromiumLoadTimes(file, LOAD_ROUNDS));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const figures: ReportBenchFigures = {
    calls: results.scenarios.reduce((n, s) => n + s.calls, 0),
    findings: results.run.totals.findings,
    renderMsMedian: median(renderTimes),
    htmlBytes: Buffer.byteLength(html),
    jsonBytes: Buffer.byteLength(json),
    uncappedJsonBytes,
    junitBytes: Buffer.byteLength(junit),
    loadMsMedian,
  };
  const kb = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`synthetic run: ${figures.calls.toLocaleString('en-US')} recorded calls, ${figures.findings} findings (${STACKS_PER_FINDING} distinct stacks each where traced)`);
  console.log(
    formatTable(
      ['measure', 'value', 'goal', 'met'],
      [
        ['render index.html (median of 5)', `${figures.renderMsMedian.toFixed(0)} ms`, '-', '-'],
        ['index.html size', kb(figures.htmlBytes), '< 2 MB', figures.htmlBytes < 2 * 1024 * 1024 ? 'yes' : 'NO'],
        ['Chromium load, loadEventEnd (median of 5)', loadMsMedian === null ? 'chromium missing' : `${loadMsMedian.toFixed(0)} ms`, '< 1 s', loadMsMedian === null ? '-' : loadMsMedian < 1000 ? 'yes' : 'NO'],
        [`results.json size (stacks capped at ${MAX_FOLDED_STACKS} per finding)`, `${kb(figures.jsonBytes)} (uncapped ${kb(figures.uncappedJsonBytes)})`, '< 2 MB', figures.jsonBytes < 2 * 1024 * 1024 ? 'yes' : 'NO'],
        ['junit.xml size', kb(figures.junitBytes), '-', '-'],
      ],
    ),
  );
  return figures;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
