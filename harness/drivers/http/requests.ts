/**
 * Requests from fuzz inputs: the scenario's input spec feeds the engine's own feeders
 * in-process (mutation source for bytes/strings, fast-check for arbitraries; building a
 * request is cheap, so no isolate), and the scenario's `request(input)` turns each input
 * into an HTTP request. Inputs of requests still in flight are kept so that a service
 * crash can be saved with the inputs that may have caused it.
 */
import type { Arbitrary } from 'fast-check';
import { createArbitraryFeeder, createByteFeeder, createMutationSource, type FedInput, type Feeder } from '../../engine/feeders.ts';
import type { LoadRequest } from '../../load/types.ts';
import type { ResolvedServiceScenario, ServiceHttpMethod, ServiceRequest } from '../../scenario/service-types.ts';

const METHODS: ReadonlySet<string> = new Set<ServiceHttpMethod>(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** In-flight inputs kept for a crash report: enough for the culprit, bounded at any rate. */
const MAX_TRACKED = 4096;
/** Failed requests kept as crash suspects. */
const MAX_RECENT_FAILURES = 32;
/** Inputs drawn ahead of a phase (bounded memory at high rates; beyond it inputs are drawn live). */
const MAX_PREPARED = 200_000;

export function createServiceFeeder(scenario: ResolvedServiceScenario, seed: number, seeds: Uint8Array[]): Feeder {
  const { input } = scenario;
  if (input.type === 'arbitrary') {
    return createArbitraryFeeder(scenario.arbitrary as Arbitrary<unknown>, seed, seeds, input.maxLength);
  }
  const source = createMutationSource({ seed, maxLength: input.maxLength, dictionary: input.dictionary, seeds });
  return createByteFeeder(source, input.type);
}

/** Checks what a request builder returned; a throw here counts as a client-side error of that request. */
export function toLoadRequest(built: ServiceRequest): LoadRequest {
  if (typeof built !== 'object' || built === null) throw new TypeError('request(input) must return { method, path, headers?, body? }');
  const method = String(built.method).toUpperCase();
  if (!METHODS.has(method)) throw new TypeError(`request(input) returned method ${JSON.stringify(built.method)}`);
  if (typeof built.path !== 'string' || !built.path.startsWith('/')) throw new TypeError(`request(input) returned path ${JSON.stringify(built.path)}: expected "/..."`);
  const request: LoadRequest = { method: method as ServiceHttpMethod, path: built.path };
  if (built.headers) request.headers = built.headers;
  if (built.body !== undefined) request.body = built.body;
  return request;
}

/** Builds request i from the next fuzz input and remembers the input until the request settles. */
export class RequestSource {
  private readonly inFlight = new Map<number, Uint8Array>();
  private readonly recentFailures: Array<[number, Uint8Array]> = [];
  private prepared: FedInput[] = [];
  private cursor = 0;
  sent = 0;

  constructor(
    private readonly feeder: Feeder,
    private readonly build: (input: unknown) => ServiceRequest,
  ) {}

  get engine(): string {
    return this.feeder.engine;
  }

  /**
   * Draws the inputs of a phase before it starts: fast-check samples values in batches, and a
   * batch drawn mid-phase would stall the sender (and the in-process proxy) for tens of ms,
   * which the corrected latency would then blame on the service.
   */
  prepare(count: number): void {
    this.prepared = [];
    this.cursor = 0;
    for (let k = 0; k < Math.min(count, MAX_PREPARED); k++) this.prepared.push(this.feeder.next());
  }

  private nextInput(): FedInput {
    const input = this.cursor < this.prepared.length ? (this.prepared[this.cursor++] as FedInput) : this.feeder.next();
    return input;
  }

  /** A builder for one load phase (request indexes restart at 0 in every phase). */
  builderFor(): (i: number) => LoadRequest {
    this.inFlight.clear();
    this.recentFailures.length = 0;
    return (i) => {
      const input = this.nextInput();
      this.sent++;
      if (this.inFlight.size < MAX_TRACKED) this.inFlight.set(i, input.bytes);
      return toLoadRequest(this.build(input.value));
    };
  }

  /** A request settled; a failed one (reset, refused, no response) stays a crash suspect for a while. */
  settled(i: number, failed: boolean): void {
    const bytes = this.inFlight.get(i);
    this.inFlight.delete(i);
    if (!failed || bytes === undefined) return;
    this.recentFailures.push([i, bytes]);
    if (this.recentFailures.length > MAX_RECENT_FAILURES) this.recentFailures.shift();
  }

  /**
   * Inputs that may have killed the service, oldest first: requests still in flight and those
   * that just failed without a response (a dying server resets its sockets before its exit is seen).
   */
  suspectInputs(): Uint8Array[] {
    const all = [...this.recentFailures, ...this.inFlight.entries()];
    return all.sort((a, b) => a[0] - b[0]).map(([, bytes]) => bytes);
  }
}
