/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core, never a
 * downloaded browser): no console or page errors, every section present, charts drawn,
 * a violation card showing its input, and a hostile results file that executes nothing,
 * requests nothing and renders its payloads as visible text. Screenshots go to
 * test-output/report/.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareWithBaseline } from '../../harness/report/baseline.ts';
import { renderHtmlReport } from '../../harness/report/html/index.ts';
import { renderJunit } from '../../harness/report/junit.ts';
import { HOSTILE, makeHostileFixture, makeResultsFixture } from './fixtures.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUT_DIR = fileURLToPath(new URL('../../test-output/report/', import.meta.url));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The browser globals used inside page callbacks (the project's TypeScript lib has no DOM). */
interface BrowserGlobals {
  getComputedStyle(element: unknown): { fill: string };
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
  DOMParser: new () => { parseFromString(text: string, type: string): { querySelector(s: string): { textContent: string | null } | null; querySelectorAll(s: string): { length: number } } };
  __pwned?: unknown;
}

interface PageLog {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  requests: string[];
}

let browser: Browser;

async function openReport(file: string): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  const log: PageLog = { consoleErrors: [], pageErrors: [], dialogs: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => log.pageErrors.push(e.message));
  page.on('dialog', async (d) => {
    log.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, log };
}

async function writeReport(name: string, html: string): Promise<string> {
  const file = `${OUT_DIR}${name}`;
  await writeFile(file, html);
  return file;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package`);
  await mkdir(OUT_DIR, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser?.close();
});

describe('report of a realistic run', () => {
  let page: Page;
  let log: PageLog;
  let file: string;

  beforeAll(async () => {
    const results = makeResultsFixture({ calls: 100_000 });
    const baseline = structuredClone(results);
    baseline.run.id = 'previous-night';
    baseline.scenarios[0]!.findings.pop();
    file = await writeReport('report.html', renderHtmlReport({ ...results, baseline: compareWithBaseline(results, baseline, 'baseline/results.json') }));
    ({ page, log } = await openReport(file));
    await page.screenshot({ path: `${OUT_DIR}report.png`, fullPage: true });
    await page.locator('#scenario-0-finding-0').screenshot({ path: `${OUT_DIR}report-card.png` });
  });

  afterAll(async () => {
    await page?.close();
  });

  it('loads with no console errors, page errors, dialogs or requests beyond the file itself', () => {
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.dialogs).toEqual([]);
    expect(log.requests).toEqual([pathToFileURL(file).href]);
  });

  it('has every section', async () => {
    for (const id of ['header', 'summary', 'overview', 'baseline', 'scenario-0', 'scenario-1', 'scenario-2', 'environment']) {
      await expect(page.locator(`#${id}`).count(), id).resolves.toBe(1);
    }
    const summaryRows = await page.locator('#summary tbody tr').allInnerTexts();
    expect(summaryRows.map((r) => /PASS|FAIL|INCONCLUSIVE/.exec(r)?.[0])).toEqual(['FAIL', 'PASS', 'INCONCLUSIVE', 'PASS']);
  });

  it('draws every chart with visible marks', async () => {
    const charts = await page.locator('svg.chart').evaluateAll((svgs) =>
      svgs.map((svg) => ({
        title: svg.querySelector('title')?.textContent ?? '',
        series: [...svg.querySelectorAll('path.series')].filter((p) => (p.getAttribute('d') ?? '').length > 10).length,
        box: svg.getBoundingClientRect().width * svg.getBoundingClientRect().height,
      })),
    );
    expect(charts.map((c) => c.title)).toEqual(
      expect.arrayContaining([
        'Latency percentile distribution of yaml-parse', 'Latency over time of yaml-parse', 'p99 versus pareto.scaleMs',
        'Latency versus input size (polynomial)', 'Latency percentile distribution of json-logic',
      ]),
    );
    for (const c of charts) {
      expect(c.series, c.title).toBeGreaterThan(0);
      expect(c.box, c.title).toBeGreaterThan(10_000);
    }
    expect(await page.locator('#scenario-0 g.fault rect').count()).toBe(2);
    expect(await page.locator('#scenario-1 rect.bracket').count()).toBe(1);
    expect(await page.locator('#scenario-0-finding-0 svg.flame rect').count()).toBeGreaterThan(20);
  });

  it('shows the violation card with its input as text and hex, its chaos, frames and replay command', async () => {
    const card = page.locator('#scenario-0-finding-0');
    await expect(card.locator('pre.input-text').innerText()).resolves.toMatch(/^key: a a a .*!\\x00\\x1B\[31m/);
    await expect(card.locator('pre.hex').innerText()).resolves.toMatch(/^00000000 {2}6b 65 79 3a 20 61/);
    await expect(card.innerText()).resolves.toMatch(/Pareto latency scale 2\.00 ms/);
    await expect(card.locator('table').first().innerText()).resolves.toContain('RegExp.exec [native]');
    await expect(card.locator('code.cmd').innerText()).resolves.toBe('npx slo-harness replay scenarios/yaml-parse.ts --input corpora/yaml-parse/violations/9f2c1e0d.bin --seed 42');
  });

  it('renders the optional sections: service figures, dependency chaos, exploration, regression, minimisation, capped stacks', async () => {
    const service = await page.locator('#scenario-1').innerText();
    expect(service).toContain('Service under load');
    expect(service).toMatch(/corrected \(from intended send time[^\n]*\t6\.10 ms\t61\.5 ms\t410\.0 ms/);
    expect(service).toMatch(/uncorrected \(from actual send[^\n]*\t5\.90 ms\t22\.4 ms\t390\.0 ms/);
    expect(service).toMatch(/Errors\s+78 \(0\.7% of sent\): 41 timeouts, 7 connection errors, 30 5xx/);
    expect(service).toMatch(/Undecidable band\s+6 ms – 8 ms/);
    const failing = page.locator('#scenario-0');
    await expect(failing.locator('h3').allInnerTexts()).resolves.toEqual(
      expect.arrayContaining(['Exploration phase', 'Regression replays', 'Confirmation and minimisation of findings']),
    );
    const text = await failing.innerText();
    expect(text).toMatch(/injected delay per call\tn\tp50\tp90\tp99\tp99\.9\tmax/);
    expect(text).toMatch(/user-db\tscale 2\.00 ms, α 1\.6, cap 500\.0 ms\t1\.0%\t250\.0 ms/);
    expect(text).toContain('3 saved violation(s) replayed: 1 still failing, 1 fixed, 1 could not be replayed.');
    const card = page.locator('#scenario-0-finding-0');
    await expect(card.innerText()).resolves.toMatch(/Injected delay\s+61\.3 ms of the 84\.2 ms came from injected dependency delay/);
    await expect(card.innerText()).resolves.toMatch(/1,520 lighter stacks \(2,210 samples, [\d.]+%\) are counted but not stored/);
    await expect(card.innerText()).resolves.toContain('off-CPU frames (self, µs)');
    await expect(page.locator('#environment').innerText()).resolves.toContain('bpftrace needs root');
  });

  it('switches the flame graph to diff colours without any script', async () => {
    const rect = page.locator('#scenario-0-finding-0 svg.flame rect').first();
    const before = await rect.evaluate((r) => (globalThis as unknown as BrowserGlobals).getComputedStyle(r).fill);
    await page.locator('#scenario-0-finding-0-diff').check();
    const after = await rect.evaluate((r) => (globalThis as unknown as BrowserGlobals).getComputedStyle(r).fill);
    expect(after).not.toBe(before);
  });

  it('does not overflow the page horizontally', async () => {
    const overflow = await page.evaluate(() => {
      const g = globalThis as unknown as BrowserGlobals;
      return g.document.documentElement.scrollWidth - g.innerWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);
  });

  it('ships a junit.xml that a real XML parser accepts', async () => {
    const xml = renderJunit(makeHostileFixture());
    const result = await page.evaluate((text) => {
      const doc = new (globalThis as unknown as BrowserGlobals).DOMParser().parseFromString(text, 'application/xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, cases: doc.querySelectorAll('testcase').length };
    }, xml);
    expect(result.error).toBeNull();
    expect(result.cases).toBeGreaterThan(4);
  });
});

describe('report of a hostile run', () => {
  let page: Page;
  let log: PageLog;
  let file: string;

  beforeAll(async () => {
    file = await writeReport('hostile.html', renderHtmlReport(makeHostileFixture()));
    ({ page, log } = await openReport(file));
    await page.waitForTimeout(300); // give any injected handler (onerror, onload) a chance to fire
    await page.screenshot({ path: `${OUT_DIR}hostile.png`, fullPage: true });
    await page.locator('#scenario-0-finding-0').screenshot({ path: `${OUT_DIR}hostile-card.png` });
  });

  afterAll(async () => {
    await page?.close();
  });

  it('executes nothing and requests nothing', async () => {
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).__pwned)).toBeUndefined();
    expect(log.dialogs).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    expect(log.requests).toEqual([pathToFileURL(file).href]);
    expect(await page.locator('script, img, iframe, object, embed').count()).toBe(0);
  });

  it('renders every payload as visible literal text', async () => {
    await expect(page.locator('#scenario-0 h2').innerText()).resolves.toBe(`${HOSTILE.script} FAIL`);
    const text = await page.locator('body').innerText();
    expect(text).toContain(HOSTILE.img);
    expect(text).toContain(HOSTILE.style);
    expect(text).toContain(HOSTILE.svg);
    expect(text).toContain('before\\x00after');
    expect(text).toContain('bad:\\uFFFD\\uFFFD:end');
    expect(text).toContain('lone:\\uD800:end');
    expect(text).toContain('admin\\u202E\\u2066txt.exe');
    expect(text).toContain('\\x1B]0;pwned\\x07');
  });

  it('shows the start of the 1 MB input and says the rest was cut', async () => {
    const card = page.locator('#scenario-0-finding-0');
    const preview = await card.locator('pre.input-text').innerText();
    expect(preview.startsWith(HOSTILE.script)).toBe(true);
    expect(preview.length).toBeLessThan(4000);
    await expect(card.locator('p.note').first().innerText()).resolves.toMatch(/Showing the first 2,048 of 1,04\d,\d{3} preview characters/);
    await expect(card.locator('code.cmd').innerText()).resolves.toContain('</code><script>window.__pwned=1</script>');
  });
});
