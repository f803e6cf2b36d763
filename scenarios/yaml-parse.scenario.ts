/**
 * A protocol/format parser under fuzzing: the `yaml` package parsing untrusted YAML
 * (configuration uploads, CI files, Kubernetes manifests). Rejecting malformed input is
 * the parser's job; anything else it throws, a hang, or a slow document is a finding.
 */
import { YAMLError } from 'yaml';
import YAML from 'yaml';
import { defineScenario } from 'slo-harness';

export default defineScenario({
  name: 'yaml-parse',
  description: 'yaml.parse() on untrusted documents up to 2 KiB: P99 under 1 ms, no call over 50 ms',
  target: (text: string) => YAML.parse(text, { logLevel: 'silent', maxAliasCount: 100 }),
  // Malformed YAML is rejected with YAMLError; unresolved or excessive aliases with ReferenceError.
  expectedError: (error) =>
    error instanceof YAMLError || (error instanceof ReferenceError && /alias/i.test(error.message)),
  input: {
    type: 'string',
    maxLength: 2048,
    dictionary: ['&a ', '*a', '<<: ', '!!str ', '!!map', '---\n', '...\n', '- ', ': ', '? ', '{', '}', '[', ']', '"', "'", '|\n', '>-\n', '#', '%YAML 1.2\n'],
  },
  slo: { p99: '1ms', p50: '200us', perCall: '50ms' },
  timeout: '2s',
  budget: { duration: '10s' },
});
