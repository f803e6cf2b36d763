/**
 * Network toxics of service scenarios: one Toxiproxy proxy per dependency (the embedded
 * server in chaos/toxiproxy/, or TOXIPROXY_URL's) with the scenario's toxics on it. The
 * HTTP driver owns the proxies, so it starts and stops them.
 */
import { SERVICE_DEPENDENCY_KNOB_RE } from '../../scenario/chaos-types.ts';
import type { ChaosKind } from '../chaos-kind.ts';

export const TOXICS_CHAOS: ChaosKind<'toxics', null> = {
  name: 'toxics',
  injects: 'Toxiproxy toxics (latency, Pareto latency, bandwidth, resets...) on the connections to a dependency',
  declaredBy: 'dependencies.<name>.toxics (service scenarios)',
  targets: 'service',
  knobs: [{ pattern: SERVICE_DEPENDENCY_KNOB_RE, example: 'dependency.<name>.latency', unit: 'ms', restartsStressor: false, apply: null }],
  scaleBy: null,
  lifecycle: {
    starts: 'the HTTP driver, with the service stack (drivers/http/chaos-network.ts ChaosNetwork.start)',
    stops: 'the HTTP driver, when the stack closes (ChaosNetwork.close)',
    start: null,
  },
};
