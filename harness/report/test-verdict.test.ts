import { describe, expect, it } from 'vitest';
import { makeHostileFixture, makeResultsFixture } from '../../test/report/fixtures.ts';
import { testFailureMessage } from './test-verdict.ts';

describe('testFailureMessage', () => {
  const results = makeResultsFixture({ calls: 5000 });
  const [failing, inconclusive, passing] = results.scenarios;

  it('is null when every scenario passes', () => {
    expect(testFailureMessage([passing!])).toBeNull();
  });

  it('explains a failure with the verdict line, the interval and the replay commands', () => {
    const msg = testFailureMessage([failing!, passing!])!;
    expect(msg).toContain('1 of 2 scenario(s) did not pass');
    expect(msg).toMatch(/FAIL p99 < 5\.00 ms: measured [\d.]+ ms \[95% CI/);
    expect(msg).toContain(`replay: ${failing!.findings[0]!.replay}`);
    expect(msg).not.toContain('json-logic');
  });

  it('fails an INCONCLUSIVE scenario by default and says how many samples would decide', () => {
    const msg = testFailureMessage([inconclusive!]);
    expect(msg).toContain('INCONCLUSIVE');
    expect(testFailureMessage([inconclusive!], { allowInconclusive: true })).toBeNull();
  });

  it('fails when the file yields no scenarios', () => {
    expect(testFailureMessage([])).toMatch(/no scenarios/);
  });

  it('keeps terminal control sequences from fuzzed inputs out of the message', () => {
    const msg = testFailureMessage(makeHostileFixture().scenarios)!;
    expect(msg).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(msg).toContain('\\x1B');
  });
});
