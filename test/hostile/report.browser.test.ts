/**
 * The HTML report of a hostile run, in a real browser (Debian's Chromium through
 * playwright-core). A target that throws the payloads and a corpus whose inputs are the
 * payloads go through the real CLI (`slo-harness run`), and a crafted results.json with
 * payloads in the fields a results file can carry goes through `slo-harness report`. The
 * pages are opened with the Content-Security-Policy bypassed, so escaping alone is under
 * test: nothing may execute (no title change, console message, dialog or page error), no
 * request may leave the file, no active element may exist, and every payload reads as text.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultsFile } from '../../harness/core/results-schema.ts';
import { makeProject, runCli, type CliRun } from '../support/cli.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const skip = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (install Debian's chromium package)`;

/** Each payload, if it ever ran, would leave a trace the page log or the title shows. */
const PAYLOADS = [
  `<script>document.title='pwned-1';console.log('pwned-1')</script>`,
  `</script><script>alert('pwned-2')</script><script>`,
  `"'><img src=x onerror="document.title='pwned-3'">`,
  `<svg onload="console.log('pwned-4')"><script>alert('pwned-4')</script></svg>`,
  `javascript:alert('pwned-5')//`,
  `<iframe src="http://127.0.0.1:9/pwned-6"></iframe><link rel="stylesheet" href="http://127.0.0.1:9/pwned-6.css">`,
  `</style><style>body{background:url(http://127.0.0.1:9/pwned-7)}</style>`,
  `<meta http-equiv="refresh" content="0;url=http://127.0.0.1:9/pwned-8"><base href="http://127.0.0.1:9/">`,
] as const;
/** Control bytes and invalid UTF-8: reported as escapes, never raw. */
const CONTROL_BYTES = Buffer.from([0x50, 0x3a, 0x63, 0x74, 0x6c, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0xff, 0xfe, 0x80, 0x07, 0x65, 0x6e, 0x64]);
const LONG_LINE = `P:${'L'.repeat(3000)}`;

/** A target that throws each hostile input back in its message, one finding per input (the error's name carries its length). */
const SCENARIO = `import { defineScenario } from 'slo-harness';
export default defineScenario({
  name: 'hostile-report',
  description: ${JSON.stringify(PAYLOADS[0])},
  target: (input: Buffer) => {
    const text = input.toString('latin1');
    if (text.startsWith('P:')) throw Object.assign(new Error('rejected ' + text), { name: 'Hostile' + input.length });
    return input.length;
  },
  input: { type: 'bytes', maxLength: 4096 },
  slo: { p99: '50ms' },
});
`;

interface PageLog {
  console: string[];
  pageErrors: string[];
  dialogs: string[];
  requests: string[];
}

interface Opened {
  page: Page;
  log: PageLog;
  file: string;
}

/** What the page shows, read in the browser (the project's TypeScript lib has no DOM). */
interface PageFacts {
  title: string;
  pwned: boolean;
  text: string;
  active: string[];
  overflow: number;
  csp: string | null;
}

let browser: Browser;
let project = '';

/** Opens a report with its CSP bypassed: only the escaping stands between a payload and the page. */
async function open(file: string): Promise<Opened> {
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1300, height: 900 } });
  const page = await context.newPage();
  const log: PageLog = { console: [], pageErrors: [], dialogs: [], requests: [] };
  page.on('console', (m) => log.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => log.pageErrors.push(e.message));
  page.on('dialog', async (d) => {
    log.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await page.waitForTimeout(300); // time for any injected handler (onerror, onload, refresh) to fire
  return { page, log, file };
}

async function facts(page: Page): Promise<PageFacts> {
  return page.evaluate(() => {
    const g = globalThis as unknown as {
      document: {
        title: string;
        body: { innerText: string };
        documentElement: { scrollWidth: number };
        querySelectorAll(s: string): ArrayLike<{ tagName: string; attributes: ArrayLike<{ name: string; value: string }> }>;
        querySelector(s: string): { getAttribute(n: string): string | null } | null;
      };
      innerWidth: number;
      __pwned?: unknown;
    };
    const active: string[] = [];
    for (const el of Array.from(g.document.querySelectorAll('script, img, iframe, object, embed, link, base, form, meta[http-equiv="refresh"], svg script'))) active.push(el.tagName);
    for (const el of Array.from(g.document.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) {
        if (attr.name.startsWith('on')) active.push(`${el.tagName}[${attr.name}]`);
        if (/^\s*javascript:/i.test(attr.value)) active.push(`${el.tagName}[${attr.name}=javascript:]`);
      }
    }
    return {
      title: g.document.title,
      pwned: g.__pwned !== undefined,
      text: g.document.body.innerText,
      active,
      overflow: g.document.documentElement.scrollWidth - g.innerWidth,
      csp: g.document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null,
    };
  });
}

function expectNothingRan(opened: Opened, shown: PageFacts): void {
  // The payloads set the title to exactly "pwned-N"; the report's own title may quote them.
  expect(shown.title).toMatch(/^slo-harness /);
  expect(shown.pwned).toBe(false);
  expect(opened.log.console).toEqual([]);
  expect(opened.log.dialogs).toEqual([]);
  expect(opened.log.pageErrors).toEqual([]);
  expect(opened.log.requests).toEqual([pathToFileURL(opened.file).href]);
}

beforeAll(async () => {
  if (skip) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  project = await makeProject([]);
});

afterAll(async () => {
  await browser?.close();
  if (project) await rm(project, { recursive: true, force: true });
});

describe.skipIf(skip !== null)(`a hostile run through the real CLI${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let run: CliRun;
  let opened: Opened;
  let shown: PageFacts;

  beforeAll(async () => {
    await writeFile(path.join(project, 'scenarios', 'hostile.scenario.ts'), SCENARIO);
    const corpus = path.join(project, 'corpora', 'hostile-report');
    await mkdir(corpus, { recursive: true });
    for (const [i, payload] of PAYLOADS.entries()) await writeFile(path.join(corpus, `seed-${i}`), `P:${payload}`);
    await writeFile(path.join(corpus, 'seed-control'), CONTROL_BYTES);
    await writeFile(path.join(corpus, 'seed-long'), LONG_LINE);
    run = await runCli(['run', 'scenarios/hostile.scenario.ts', '--budget', '1s', '--seed', '11', '--out', 'reports/hostile', '--quiet'], project);
    opened = await open(path.join(project, 'reports/hostile/index.html'));
    shown = await facts(opened.page);
  });

  it('records every payload as a finding (the run itself is sound)', async () => {
    expect(run.stderr).not.toContain('internal error');
    expect(run.code).toBe(1);
    const results = JSON.parse(await readFile(path.join(project, 'reports/hostile/results.json'), 'utf8')) as ResultsFile;
    const messages = results.scenarios[0]!.findings.map((f) => f.message ?? '').join('\n');
    for (const payload of PAYLOADS) expect(messages).toContain(payload);
  });

  it('executes nothing with the CSP bypassed, and requests nothing beyond the file', () => {
    expectNothingRan(opened, shown);
  });

  it('has no active element, no event handler attribute and no javascript: URL', () => {
    expect(shown.active).toEqual([]);
    expect(shown.csp).toMatch(/default-src 'none'/);
  });

  it('shows every payload as literal text, control bytes as escapes, and the long line without widening the page', () => {
    for (const payload of PAYLOADS) expect(shown.text).toContain(payload);
    expect(shown.text).toContain('\\x1B[31m');
    expect(shown.text).not.toMatch(/[\u0000\u0007\u001b]/);
    expect(shown.text).toContain('L'.repeat(200));
    expect(shown.overflow).toBeLessThanOrEqual(0);
  });

  it('writes a junit.xml that a real XML parser accepts, with the payloads as text', async () => {
    const xml = await readFile(path.join(project, 'reports/hostile/junit.xml'), 'utf8');
    const parsed = await opened.page.evaluate((text) => {
      const g = globalThis as unknown as { DOMParser: new () => { parseFromString(t: string, type: string): { querySelector(s: string): { textContent: string | null } | null; documentElement: { textContent: string | null } } } };
      const doc = new g.DOMParser().parseFromString(text, 'application/xml');
      return { error: doc.querySelector('parsererror')?.textContent ?? null, text: doc.documentElement.textContent ?? '' };
    }, xml);
    expect(parsed.error).toBeNull();
    expect(parsed.text).toContain(PAYLOADS[2]);
  });
});

describe.skipIf(skip !== null)(`a crafted results.json through \`slo-harness report\`${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let run: CliRun;
  let opened: Opened;
  let shown: PageFacts;
  const crafted = PAYLOADS.join(' ');

  beforeAll(async () => {
    const results = JSON.parse(await readFile(path.join(project, 'reports/hostile/results.json'), 'utf8')) as ResultsFile;
    const scenario = results.scenarios[0]!;
    scenario.description = crafted;
    scenario.statusReason = `${PAYLOADS[3]}\u0000${PAYLOADS[1]}`;
    scenario.engine.note = PAYLOADS[6];
    const finding = scenario.findings[0]!;
    finding.replay = `${PAYLOADS[4]} ${PAYLOADS[1]}`;
    finding.stack = `${PAYLOADS[2]}\n    at ${PAYLOADS[0]}`;
    finding.input = { ...finding.input, preview: `${PAYLOADS[5]}${'W'.repeat(20_000)}`, file: `corpora/${PAYLOADS[2]}` };
    results.run.id = PAYLOADS[1];
    results.environment.hostname = PAYLOADS[7];
    await mkdir(path.join(project, 'crafted'), { recursive: true });
    await writeFile(path.join(project, 'crafted/results.json'), JSON.stringify(results));
    run = await runCli(['report', 'crafted/results.json', '--out', 'reports/crafted'], project);
    opened = await open(path.join(project, 'reports/crafted/index.html'));
    shown = await facts(opened.page);
  });

  it('re-renders it (exit 0) and executes and requests nothing with the CSP bypassed', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectNothingRan(opened, shown);
    expect(shown.active).toEqual([]);
  });

  it('shows the crafted fields as literal text', () => {
    expect(shown.text).toContain(crafted);
    expect(shown.text).toContain(`${PAYLOADS[3]}\\x00${PAYLOADS[1]}`);
    expect(shown.text).toContain(PAYLOADS[7]);
    expect(shown.text).toContain(`${PAYLOADS[4]} ${PAYLOADS[1]}`);
    expect(shown.text).toContain(PAYLOADS[5]);
    expect(shown.overflow).toBeLessThanOrEqual(0);
  });
});
