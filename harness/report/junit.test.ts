import { describe, expect, it } from 'vitest';
import { HOSTILE, makeFinding, makeHostileFixture, makeResultsFixture } from '../../test/report/fixtures.ts';
import { MAX_FINDING_CASES, renderJunit } from './junit.ts';

/** Every character outside XML 1.0's Char production. */
const ILLEGAL_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function testcases(xml: string): string[] {
  return xml.match(/<testcase[\s\S]*?<\/testcase>/g) ?? [];
}

describe('renderJunit', () => {
  const results = makeResultsFixture({ calls: 5000 });
  const xml = renderJunit(results);

  it('has one testsuite per scenario and one testcase per SLO and per finding', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(3);
    const expected = results.scenarios.reduce((n, s) => n + s.slos.length + s.findings.length + (s.regression?.entries.length ?? 0), 0);
    expect(testcases(xml)).toHaveLength(expected);
    expect(xml).toMatch(new RegExp(`<testsuites [^>]*tests="${expected}"`));
  });

  it('names SLO testcases like "p99 &lt; 5.00 ms" and carries verdict, value, CI and n in the failure', () => {
    const failing = testcases(xml).find((t) => t.includes('name="p99 &lt; 5.00 ms"') && t.includes('classname="yaml-parse"'))!;
    expect(failing).toMatch(/<failure type="slo" message="FAIL p99 &lt; 5\.00 ms: measured [\d.]+ ms \[95% CI [\d.]+ ms – [\d.]+ ms\], n=5,000"/);
    expect(failing).toContain('Replay commands:');
    expect(failing).toContain(results.scenarios[0]!.findings[0]!.replay);
  });

  it('has a testcase per --regression replay: failure while still failing, error when not replayable, pass when fixed', () => {
    const regression = testcases(xml).filter((t) => t.includes('name="regression '));
    expect(regression).toHaveLength(3);
    expect(regression[0]).toMatch(/<failure type="regression" message="still-failing: median first call 31\.0 ms vs per-call budget 20\.0 ms"/);
    expect(regression[1]).not.toMatch(/<failure|<error/);
    expect(regression[2]).toMatch(/<error message="input file missing"/);
    const suite = /<testsuite name="yaml-parse"[^>]*>/.exec(xml)![0];
    expect(suite).toMatch(/ errors="1"/);
  });

  it('maps INCONCLUSIVE to <skipped> with the reason and PASS to a plain testcase with measured values', () => {
    const inconclusive = testcases(xml).find((t) => t.includes('classname="checkout-service"'))!;
    expect(inconclusive).toMatch(/<skipped message="INCONCLUSIVE p99/);
    expect(inconclusive).not.toContain('<failure');
    const pass = testcases(xml).find((t) => t.includes('classname="json-logic"'))!;
    expect(pass).not.toMatch(/<failure|<skipped|<error/);
    expect(pass).toMatch(/<property name="measuredMs" value="[\d.]+"\/>/);
    expect(pass).toContain('<system-out>PASS p99');
  });

  it('turns each finding into a failing testcase with latency vs budget and the replay command', () => {
    const finding = results.scenarios[0]!.findings[0]!;
    const tc = testcases(xml).find((t) => t.includes(`name="finding slow ${finding.id.slice(0, 12)}"`))!;
    expect(tc).toMatch(/<failure type="finding-slow" message="slow: 84.2 ms vs per-call budget 20.0 ms/);
    expect(tc).toContain(`replay: ${finding.replay}`);
  });

  it('counts failures, skipped and errors per suite consistently with its testcases', () => {
    for (const suite of xml.match(/<testsuite [\s\S]*?<\/testsuite>/g)!) {
      const cases = testcases(suite);
      const attr = (name: string): number => Number(new RegExp(` ${name}="(\\d+)"`).exec(suite)![1]);
      expect(attr('tests')).toBe(cases.length);
      expect(attr('failures')).toBe(cases.filter((c) => c.includes('<failure')).length);
      expect(attr('skipped')).toBe(cases.filter((c) => c.includes('<skipped')).length);
    }
  });

  it('reports a scenario that ended in error as an <error> testcase', () => {
    const broken = structuredClone(results);
    broken.scenarios[2]!.status = 'error';
    broken.scenarios[2]!.statusReason = 'target threw at import: <boom>';
    const out = renderJunit(broken);
    expect(out).toContain('<error message="target threw at import: &lt;boom&gt;">');
    // One regression replay that could not run (fixture) plus this scenario error.
    expect(out).toMatch(/<testsuites [^>]*errors="2"/);
  });

  it('summarises findings beyond the per-scenario limit in one testcase', () => {
    const many = structuredClone(results);
    many.scenarios[0]!.findings = Array.from({ length: MAX_FINDING_CASES + 7 }, (_, i) => makeFinding({ id: `id${i}` }));
    const out = renderJunit(many);
    const suite = out.match(/<testsuite name="yaml-parse"[\s\S]*?<\/testsuite>/)![0];
    expect(testcases(suite).filter((t) => t.includes("<failure type=\"finding"))).toHaveLength(MAX_FINDING_CASES + 1);
    expect(suite).toContain('message="7 more findings"');
  });

  it('escapes hostile strings and strips every character XML 1.0 forbids', () => {
    const hostile = renderJunit(makeHostileFixture());
    expect(hostile).not.toMatch(ILLEGAL_XML);
    expect(hostile).not.toContain('<script>');
    expect(hostile).not.toContain('<img');
    expect(hostile).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(hostile).toContain('before\\x00after');
    // Attribute values never contain a raw quote that would end them early.
    for (const m of hostile.matchAll(/ (?:name|classname|message|value)="([^"]*)"/g)) expect(m[1]).not.toMatch(/[<>]/);
    expect(HOSTILE.img.includes('"')).toBe(true);
  });
});
