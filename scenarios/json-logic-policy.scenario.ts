/**
 * A policy evaluator under fuzzing: json-logic-js deciding access requests. Rules and
 * request attributes are structured inputs drawn from fast-check arbitraries (the shape
 * an authorization service stores), so the fuzzer explores deep and wide rule trees.
 */
import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { defineScenario } from 'slo-harness';

const ROLES = ['admin', 'editor', 'viewer', 'auditor'];
const REGIONS = ['eu-west', 'us-east', 'ap-south'];
const VARS = ['user.role', 'user.age', 'user.groups', 'resource.owner', 'resource.tags', 'request.region', 'request.hour'];

const literal = fc.oneof(
  fc.integer({ min: -5, max: 100 }),
  fc.constantFrom(...ROLES, ...REGIONS, 'alice', 'bob'),
  fc.boolean(),
);

const { rule } = fc.letrec<{ rule: unknown; op: unknown }>((tie) => ({
  rule: fc.oneof({ depthSize: 'small', maxDepth: 8 }, literal, fc.record({ var: fc.constantFrom(...VARS) }), tie('op')),
  op: fc.oneof(
    fc.record({ and: fc.array(tie('rule'), { minLength: 1, maxLength: 5 }) }),
    fc.record({ or: fc.array(tie('rule'), { minLength: 1, maxLength: 5 }) }),
    fc.record({ '!': tie('rule') }),
    fc.record({ '==': fc.tuple(tie('rule'), tie('rule')) }),
    fc.record({ '<': fc.tuple(tie('rule'), tie('rule')) }),
    fc.record({ in: fc.tuple(tie('rule'), fc.oneof(fc.array(literal, { maxLength: 20 }), fc.record({ var: fc.constant('user.groups') }))) }),
    fc.record({ if: fc.tuple(tie('rule'), tie('rule'), tie('rule')) }),
    fc.record({ some: fc.tuple(fc.record({ var: fc.constantFrom('user.groups', 'resource.tags') }), tie('rule')) }),
    fc.record({ all: fc.tuple(fc.record({ var: fc.constantFrom('user.groups', 'resource.tags') }), tie('rule')) }),
    fc.record({ cat: fc.array(tie('rule'), { maxLength: 4 }) }),
  ),
}));

const request = fc.record({
  user: fc.record({
    role: fc.constantFrom(...ROLES),
    age: fc.integer({ min: 0, max: 120 }),
    groups: fc.array(fc.constantFrom('sre', 'payments', 'eu-staff', 'contractors', 'oncall'), { maxLength: 30 }),
  }),
  resource: fc.record({ owner: fc.constantFrom('alice', 'bob', 'carol'), tags: fc.array(fc.string({ maxLength: 12 }), { maxLength: 30 }) }),
  request: fc.record({ region: fc.constantFrom(...REGIONS), hour: fc.integer({ min: 0, max: 23 }) }),
});

export default defineScenario({
  name: 'json-logic-policy',
  description: 'json-logic-js evaluating generated access rules against request attributes: P99 under 0.5 ms',
  target: ({ rule, data }: { rule: unknown; data: unknown }) => jsonLogic.apply(rule as jsonLogic.RulesLogic, data),
  // json-logic rejects operators it does not know; the generator only uses known ones, so that is rare.
  expectedError: (error) => error instanceof Error && error.message.startsWith('Unrecognized operation'),
  input: { type: 'arbitrary', arbitrary: fc.record({ rule, data: request }), maxLength: 65536 },
  slo: { p99: '500us', p50: '100us', perCall: '25ms' },
  timeout: '2s',
  budget: { duration: '10s' },
});
