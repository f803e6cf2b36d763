/**
 * The scenario file API for HTTP SERVICE targets: a real process started from an argv,
 * driven by open-loop load whose requests are built from fuzz inputs, with its dependencies
 * reached through the chaos proxy (Toxiproxy API). A service scenario has `service` where a
 * function scenario has `target`; both share name, input, slo, budget and seed.
 */
import type { FunctionBreakingPointSpec, ResolvedFunctionBreakingPoint } from './chaos-types.ts';
import type { ToxicType } from './toxic-types.ts';
import type { Duration, InputOf, InputSpec, ResolvedScenarioBase, ScenarioSpecBase } from './base-types.ts';

/** HTTP methods a request builder may use. */
export type ServiceHttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

/** One request, built from one fuzz input. */
export interface ServiceRequest {
  /** One of ServiceHttpMethod (checked per request; `string` is accepted so builders need no `as const`). */
  method: ServiceHttpMethod | (string & {});
  /** Path with query string, e.g. `/authorize?user=alice`. */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * Placeholders a `command` argv may contain (filled element by element; never a shell string):
 *  - `{port}`: the free loopback port this process must listen on
 *  - `{dep.<name>}`: `host:port` of dependency `<name>` as seen THROUGH the chaos proxy
 *  - `{node}`: the Node.js binary running the harness
 */
export type Argv = readonly [string, ...string[]];

export interface ServiceSpec<I = unknown> {
  /** argv of the service, e.g. `['{node}', 'services/authz/server.mjs', '--port', '{port}']`; runs in the scenario file's folder. */
  command: Argv;
  env?: Record<string, string>;
  /** Readiness probe: GET `path` must answer (any status < 500) within `timeout`. */
  ready: { path: string; timeout?: Duration };
  /** Builds a request from a fuzz input. Runs in the harness process: keep it cheap and pure. */
  request: (input: I) => ServiceRequest;
  /** Open-loop rate, requests per second (sent at an even pace from their intended times). */
  rate: number;
  /** Keep-alive connections of the load client. Default 10. */
  connections?: number;
  /** Length of the measured load phase. Default `'5s'` (the CLI's `--budget` overrides it). */
  duration?: Duration;
}

/** A Toxiproxy toxic on a dependency's proxy (the same body the Toxiproxy API takes). */
export interface ServiceToxicSpec {
  name?: string;
  type: ToxicType;
  /** Default `downstream` (responses), as in Toxiproxy. */
  stream?: 'upstream' | 'downstream';
  /** Probability in [0, 1] that a connection gets the toxic. Default 1. */
  toxicity?: number;
  /**
   * Toxiproxy attributes; a latency toxic may also take the slo-harness Pareto extension
   * `{ distribution: 'pareto', alpha, scale, cap? }` (ms).
   */
  attributes: Record<string, number | string>;
}

/** A dependency: started by the harness (`command`, gets `{port}`) or already running (`address`). */
export type ServiceDependencySpec =
  | { command: Argv; env?: Record<string, string>; ready?: { path: string; timeout?: Duration }; toxics?: ServiceToxicSpec[] }
  | { address: string; toxics?: ServiceToxicSpec[] };

/** A service scenario as written in a scenario file. */
export interface ServiceScenarioSpec<S extends InputSpec = InputSpec> extends ScenarioSpecBase<S> {
  service: ServiceSpec<InputOf<S>>;
  dependencies?: Record<string, ServiceDependencySpec>;
  /** Per-request timeout. Default `'2s'`. */
  timeout?: Duration;
  /**
   * Breaking-point search, the same shape as for function targets. Service knobs:
   *  - `rate`: the open-loop request rate (req/s)
   *  - `dependency.<name>.latency` (or `.scale`): the latency of that dependency's first
   *    latency toxic: the Pareto `scale` of a Pareto toxic, the `latency` attribute otherwise (ms)
   */
  breakingPoint?: FunctionBreakingPointSpec;
  /** The chaos network (the embedded Toxiproxy-API server the dependencies are reached through). */
  network?: ServiceNetworkSpec;
}

export interface ServiceNetworkSpec {
  /**
   * Let callers of the embedded Toxiproxy API (any local process, the service included)
   * create proxies listening on non-loopback addresses such as `0.0.0.0`. Default false:
   * only 127.0.0.0/8, ::1 and localhost are accepted, and other requests get a 403.
   */
  allowNonLoopbackListen?: boolean;
}

export interface ResolvedToxic {
  name: string;
  type: ServiceToxicSpec['type'];
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, number | string>;
}

export interface ResolvedServiceDependency {
  name: string;
  /** argv with placeholders, or null when `address` is given. */
  command: string[] | null;
  env: Record<string, string>;
  ready: { path: string; timeoutMs: number } | null;
  /** Fixed upstream `host:port`, or null when started by the harness. */
  address: string | null;
  toxics: ResolvedToxic[];
}

export type ServiceKnob = { kind: 'rate' } | { kind: 'dependency-latency'; dependency: string };

export interface ResolvedServiceBreakingPoint extends ResolvedFunctionBreakingPoint {
  /** The knob, parsed. */
  target: ServiceKnob;
}

export interface ResolvedServiceNetwork {
  allowNonLoopbackListen: boolean;
}

export interface ResolvedService {
  command: string[];
  env: Record<string, string>;
  ready: { path: string; timeoutMs: number };
  request: (input: unknown) => ServiceRequest;
  rate: number;
  connections: number;
  durationMs: number;
}

/** A service scenario after validation. Holds functions: it runs in the harness process, never in an isolate. */
export interface ResolvedServiceScenario extends ResolvedScenarioBase {
  kind: 'service';
  service: ResolvedService;
  dependencies: ResolvedServiceDependency[];
  breakingPoint: ResolvedServiceBreakingPoint | null;
  /** The scenario's `network` options, defaults filled. */
  network: ResolvedServiceNetwork;
  /** The fast-check arbitrary of an `arbitrary` input (the runner feeds requests in-process). */
  arbitrary: unknown;
}
