/** The set of named proxies behind the API: create, populate, update, delete, reset. */
import { proxyAlreadyExists, proxyNotFound } from './api-error.ts';
import { EmbeddedProxy } from './embedded-proxy.ts';
import { checkListenAllowed, LOOPBACK_ONLY, type ListenPolicy } from './listen-policy.ts';
import { parsePopulate, parseProxyCreate, parseProxyUpdate } from './proxy-spec.ts';
import type { Scheduler } from './stages/stage.ts';
import type { ProxyJson } from './types.ts';
import type { ProxySpec } from './proxy-spec.ts';

export class ProxyRegistry {
  private readonly proxies = new Map<string, EmbeddedProxy>();

  constructor(
    private readonly seed: number,
    private readonly scheduler: Scheduler,
    /** Which listen addresses creates and updates may ask for (loopback only by default). */
    private readonly listenPolicy: ListenPolicy = LOOPBACK_ONLY,
  ) {}

  /** GET /proxies: an object keyed by proxy name. */
  list(): Record<string, ProxyJson> {
    const result: Record<string, ProxyJson> = {};
    for (const [name, proxy] of this.proxies) result[name] = proxy.toJSON();
    return result;
  }

  get(name: string): EmbeddedProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw proxyNotFound();
    return proxy;
  }

  async create(body: unknown): Promise<ProxyJson> {
    const spec = parseProxyCreate(body);
    checkListenAllowed(spec.listen, this.listenPolicy);
    if (this.proxies.has(spec.name)) throw proxyAlreadyExists();
    return (await this.add(spec)).toJSON();
  }

  /**
   * POST /populate: validates every entry first, then creates each proxy, replacing an
   * existing one of the same name unless its listen and upstream are unchanged.
   */
  async populate(body: unknown): Promise<ProxyJson[]> {
    const specs = parsePopulate(body);
    // Every address is checked before any proxy is created: a refused one changes nothing.
    for (const spec of specs) checkListenAllowed(spec.listen, this.listenPolicy);
    const result: ProxyJson[] = [];
    for (const spec of specs) {
      const existing = this.proxies.get(spec.name);
      if (existing && sameAddresses(existing.spec(), spec)) {
        await existing.update({ ...existing.spec(), enabled: spec.enabled });
        result.push(existing.toJSON());
        continue;
      }
      if (existing) await this.remove(spec.name);
      result.push((await this.add(spec)).toJSON());
    }
    return result;
  }

  async update(name: string, body: unknown): Promise<ProxyJson> {
    const proxy = this.get(name);
    const spec = parseProxyUpdate(proxy.spec(), body);
    checkListenAllowed(spec.listen, this.listenPolicy);
    await proxy.update(spec);
    return proxy.toJSON();
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.stop();
  }

  /** POST /reset: every proxy enabled again, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
  }

  async closeAll(): Promise<void> {
    const proxies = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  }

  private async add(spec: ProxySpec): Promise<EmbeddedProxy> {
    const proxy = new EmbeddedProxy({ spec, seed: this.seed, scheduler: this.scheduler });
    // Registered before binding so a concurrent create of the same name gets 409.
    this.proxies.set(spec.name, proxy);
    try {
      if (spec.enabled) await proxy.start();
    } catch (err) {
      this.proxies.delete(spec.name);
      throw err;
    }
    return proxy;
  }
}

function sameAddresses(a: ProxySpec, b: ProxySpec): boolean {
  return a.listen === b.listen && a.upstream === b.upstream;
}
