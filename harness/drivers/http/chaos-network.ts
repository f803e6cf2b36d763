/**
 * The chaos network of a service scenario: one Toxiproxy proxy per dependency, driven by
 * toxiproxy-node-client. By default the server is slo-harness's embedded Toxiproxy-API
 * server (in this process); with `TOXIPROXY_URL` set the same client drives that server
 * instead (a real Toxiproxy, e.g. a CI service container).
 *
 * A real Toxiproxy has no Pareto latency. Against an external server a Pareto toxic becomes a
 * plain latency toxic whose `latency` is re-drawn from the Pareto distribution every
 * RESAMPLE_MS: the delay distribution over time is Pareto, but requests within one period
 * share a draw. That approximation is recorded in the chaos note of the results.
 */
import { Toxiproxy, type ICreateToxicBody, type Proxy, type Toxic } from 'toxiproxy-node-client';
import { createRng, type Rng } from '../../core/rng.ts';
import { paretoDelay } from '../../chaos/toxiproxy/delays.ts';
import { checkToxiproxyUrl } from '../../chaos/toxiproxy/external.ts';
import { startEmbeddedToxiproxy } from '../../chaos/toxiproxy/index.ts';
import type { ParetoParams, ToxicInfo } from '../../core/results-schema.ts';
import type { ResolvedToxic } from '../../scenario/service-types.ts';

export const RESAMPLE_MS = 50;

type Attributes = Record<string, number | string>;

interface ProxiedDependency {
  name: string;
  proxy: Proxy;
  toxics: Map<string, { toxic: Toxic<Attributes>; spec: ResolvedToxic; resampler: NodeJS.Timeout | null }>;
}

export interface ChaosNetworkOptions {
  seed: number;
  /** Names proxies uniquely on a shared server. */
  scenario: string;
  /** Defaults to process.env.TOXIPROXY_URL. */
  externalUrl?: string | undefined;
  /** The scenario's `network.allowNonLoopbackListen`: the embedded server accepts non-loopback listen addresses. */
  allowNonLoopbackListen?: boolean | undefined;
}

const isPareto = (spec: ResolvedToxic): boolean => spec.type === 'latency' && spec.attributes['distribution'] === 'pareto';
const num = (attributes: Attributes, key: string, fallback: number): number => {
  const value = attributes[key];
  return typeof value === 'number' ? value : fallback;
};

export class ChaosNetwork {
  readonly mode: 'embedded' | 'external';
  private readonly deps = new Map<string, ProxiedDependency>();
  private readonly rng: Rng;
  private closed = false;

  private constructor(
    readonly url: string,
    private readonly client: Toxiproxy,
    private readonly options: ChaosNetworkOptions,
    private readonly closeServer: (() => Promise<void>) | null,
  ) {
    this.mode = closeServer ? 'embedded' : 'external';
    this.rng = createRng(options.seed ^ 0x5eed7c0c);
  }

  static async open(options: ChaosNetworkOptions): Promise<ChaosNetwork> {
    const external = options.externalUrl ?? process.env['TOXIPROXY_URL'];
    if (external) {
      // A clear "no Toxiproxy at <url>, unset it or start one" instead of a bare "fetch failed" later.
      await checkToxiproxyUrl(external);
      return new ChaosNetwork(external, new Toxiproxy(external), options, null);
    }
    const server = await startEmbeddedToxiproxy({ seed: options.seed, allowNonLoopbackListen: options.allowNonLoopbackListen ?? false });
    return new ChaosNetwork(server.url, new Toxiproxy(server.url), options, () => server.close());
  }

  /** Creates the dependency's proxy in front of `upstream`; returns the proxied `host:port`. */
  async addDependency(name: string, upstream: string, toxics: readonly ResolvedToxic[]): Promise<string> {
    const proxyName = `slo-${this.options.scenario}-${name}-${process.pid}`.replace(/[^A-Za-z0-9_.-]/g, '_');
    const existing = await this.client.get(proxyName).catch(() => null);
    await existing?.remove();
    const proxy = await this.explained(`creating the proxy of dependency ${name} (upstream ${upstream})`, () =>
      this.client.createProxy({ name: proxyName, listen: '127.0.0.1:0', upstream }),
    );
    const dep: ProxiedDependency = { name, proxy, toxics: new Map() };
    this.deps.set(name, dep);
    for (const spec of toxics) await this.explained(`adding toxic ${spec.name} to dependency ${name}`, () => this.addToxic(dep, spec));
    return proxy.listen;
  }

  /** The client's errors ("fetch failed", "status code 400") with what was being done, and where. */
  private async explained<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const where = this.mode === 'external' ? `the Toxiproxy server at ${this.url} (TOXIPROXY_URL)` : `the embedded Toxiproxy-API server at ${this.url}`;
      throw new Error(`chaos network: ${action} failed on ${where}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async addToxic(dep: ProxiedDependency, spec: ResolvedToxic): Promise<void> {
    const body = this.bodyFor(spec);
    const toxic = await dep.proxy.addToxic<Attributes>(body);
    const entry = { toxic, spec, resampler: null as NodeJS.Timeout | null };
    if (this.mode === 'external' && isPareto(spec)) entry.resampler = this.startResampling(entry);
    dep.toxics.set(spec.name, entry);
  }

  /** The body sent to the server; against an external server a Pareto toxic is one draw of a plain latency. */
  private bodyFor(spec: ResolvedToxic): ICreateToxicBody<Attributes> {
    const base = { name: spec.name, type: spec.type, stream: spec.stream, toxicity: spec.toxicity };
    if (this.mode === 'external' && isPareto(spec)) return { ...base, attributes: { latency: Math.round(this.drawPareto(spec.attributes)), jitter: 0 } };
    return { ...base, attributes: spec.attributes };
  }

  private drawPareto(attributes: Attributes): number {
    const cap = attributes['cap'];
    return paretoDelay(1 - this.rng.next(), num(attributes, 'alpha', 1), num(attributes, 'scale', 0), typeof cap === 'number' ? cap : undefined);
  }

  private startResampling(entry: { toxic: Toxic<Attributes>; spec: ResolvedToxic }): NodeJS.Timeout {
    let busy = false;
    const timer = setInterval(() => {
      if (busy || this.closed) return;
      busy = true;
      const { name, type, stream, toxicity } = entry.spec;
      entry.toxic
        .update({ name, type, stream, toxicity, attributes: { latency: Math.round(this.drawPareto(entry.spec.attributes)), jitter: 0 } })
        .catch(() => undefined)
        .finally(() => (busy = false));
    }, RESAMPLE_MS);
    timer.unref();
    return timer;
  }

  /**
   * Sets the breaking-point knob of a dependency: the Pareto `scale` of its first latency
   * toxic, or the `latency` attribute of a uniform one (ms).
   */
  async setLatency(dependency: string, valueMs: number): Promise<void> {
    const dep = this.deps.get(dependency);
    const entry = dep && [...dep.toxics.values()].find((t) => t.spec.type === 'latency');
    if (!entry) throw new Error(`dependency ${dependency} has no latency toxic`);
    const key = isPareto(entry.spec) ? 'scale' : 'latency';
    entry.spec = { ...entry.spec, attributes: { ...entry.spec.attributes, [key]: valueMs } };
    if (this.mode === 'external' && isPareto(entry.spec)) return; // the resampler picks the new scale up
    const { name, type, stream, toxicity, attributes } = entry.spec;
    entry.toxic = await entry.toxic.update({ name, type, stream, toxicity, attributes });
  }

  /** The toxics in force, for results.chaos. */
  toxicsInForce(): ToxicInfo[] {
    const out: ToxicInfo[] = [];
    for (const dep of this.deps.values()) {
      for (const { spec } of dep.toxics.values()) {
        out.push({ name: spec.name, type: spec.type, stream: spec.stream, toxicity: spec.toxicity, attributes: { ...spec.attributes }, proxy: dep.proxy.name });
      }
    }
    return out;
  }

  /** The first Pareto latency in force (results.chaos.pareto), or null. */
  pareto(): ParetoParams | null {
    for (const dep of this.deps.values()) {
      for (const { spec } of dep.toxics.values()) {
        if (!isPareto(spec)) continue;
        const cap = spec.attributes['cap'];
        return { scaleMs: num(spec.attributes, 'scale', 0), alpha: num(spec.attributes, 'alpha', 1), capMs: typeof cap === 'number' ? cap : null };
      }
    }
    return null;
  }

  /** What a reader of the results must know about how the chaos was applied. */
  note(): string {
    if (this.mode === 'embedded') return 'network chaos through the embedded Toxiproxy-API server (per-chunk seeded Pareto latency)';
    const approximated = [...this.deps.values()].filter((d) => [...d.toxics.values()].some((t) => isPareto(t.spec))).map((d) => d.name);
    const base = `network chaos through the Toxiproxy server at ${this.url} (TOXIPROXY_URL)`;
    return approximated.length === 0
      ? base
      : `${base}; Pareto latency on ${approximated.join(', ')} approximated by re-drawing a latency toxic every ${RESAMPLE_MS} ms (requests within one period share a draw)`;
  }

  /** Removes every proxy it created; stops the embedded server. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const dep of this.deps.values()) {
      for (const entry of dep.toxics.values()) if (entry.resampler) clearInterval(entry.resampler);
      await dep.proxy.remove().catch(() => undefined);
    }
    this.deps.clear();
    await this.closeServer?.();
  }
}
