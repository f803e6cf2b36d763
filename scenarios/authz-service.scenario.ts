/**
 * A real HTTP authorization service under open-loop load and network chaos: the sample
 * service (services/authz/server.mjs) evaluates json-logic-js policies on subject
 * attributes it fetches from a second service (services/attributes/server.mjs). The
 * harness starts both on free loopback ports and puts its Toxiproxy-API proxy between them
 * with a Pareto latency toxic; requests are built from fuzzed access requests. The
 * breaking-point search raises the dependency's Pareto scale until the service's P99
 * provably breaks the SLO. Set TOXIPROXY_URL to drive a real Toxiproxy instead.
 */
import fc from 'fast-check';
import { defineScenario } from 'slo-harness';

const SUBJECTS = ['alice', 'bob', 'carol', 'dave', 'svc-billing', 'svc-backup'];
const TAGS = ['pii', 'viewer-ok', 'frozen', 'legal-hold', 'public', 'internal'];

const accessRequest = fc.record({
  subject: fc.oneof(fc.constantFrom(...SUBJECTS), fc.string({ maxLength: 24 })),
  action: fc.constantFrom('read', 'write', 'delete', 'audit', 'admin'),
  resource: fc.record({
    owner: fc.constantFrom(...SUBJECTS),
    region: fc.constantFrom('eu-west', 'us-east', 'ap-south'),
    level: fc.integer({ min: 0, max: 6 }),
    tags: fc.array(fc.oneof(fc.constantFrom(...TAGS), fc.string({ maxLength: 12 })), { maxLength: 64 }),
  }),
  context: fc.record({ hour: fc.integer({ min: 0, max: 23 }) }),
});

export default defineScenario({
  name: 'authz-service',
  description: 'authorization service (json-logic-js policies) with its attributes dependency behind a Pareto latency toxic: P99 under 50 ms at 250 req/s',
  service: {
    command: ['{node}', 'services/authz/server.mjs', '--port', '{port}', '--attributes', '{dep.attributes}'],
    ready: { path: '/healthz', timeout: '10s' },
    request: (input) => ({ method: 'POST', path: '/authorize', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) }),
    rate: 250,
    connections: 16,
    duration: '8s', // 2,000 requests: enough for a P99 interval that decides against 50 ms
  },
  dependencies: {
    attributes: {
      command: ['{node}', 'services/attributes/server.mjs', '--port', '{port}'],
      ready: { path: '/healthz' },
      toxics: [{ name: 'tail', type: 'latency', stream: 'downstream', attributes: { distribution: 'pareto', alpha: 1.5, scale: 0.5, cap: 1000 } }],
    },
  },
  input: { type: 'arbitrary', arbitrary: accessRequest, maxLength: 16384 },
  slo: { p99: '50ms', p50: '10ms' },
  timeout: '2s',
  breakingPoint: { knob: 'dependency.attributes.latency', range: [0.5, 8], tolerance: 0.5, stepDuration: '3s', budget: '60s', maxSteps: 12 },
});
