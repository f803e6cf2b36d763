/**
 * One named proxy: a loopback listener (while enabled), its live connections and its toxics.
 * Toxic changes reach connections that are already open: a new toxic joins the end of each
 * connection's chain for data arriving afterwards; an update applies to data arriving afterwards;
 * a removal releases what that toxic holds at once (Toxiproxy's behaviour, see its issue #148).
 */
import net from 'node:net';
import { formatHostPort, parseListenAddress, parseUpstreamAddress } from './address.ts';
import { ApiError, toxicAlreadyExists, toxicNotFound } from './api-error.ts';
import { ProxiedConnection } from './connection.ts';
import type { ProxySpec } from './proxy-spec.ts';
import { toxicRandom } from './random.ts';
import type { Scheduler } from './stages/stage.ts';
import type { ProxyJson, ToxicJson } from './types.ts';

/** Go's wording for the common bind failures, so error texts match a real Toxiproxy. */
function describeListenError(err: NodeJS.ErrnoException): string {
  const goWording: Record<string, string> = {
    EADDRINUSE: 'bind: address already in use',
    EACCES: 'bind: permission denied',
    EADDRNOTAVAIL: 'bind: cannot assign requested address',
  };
  return (err.code && goWording[err.code]) ?? err.message;
}

export interface EmbeddedProxyOptions {
  spec: ProxySpec;
  seed: number;
  scheduler: Scheduler;
}

export class EmbeddedProxy {
  readonly name: string;
  private listen: string;
  private upstream: string;
  private enabled = false;
  private listener: net.Server | null = null;
  private readonly connections = new Set<ProxiedConnection>();
  private toxics: ToxicJson[] = [];
  private acceptedCount = 0;

  constructor(private readonly options: EmbeddedProxyOptions) {
    this.name = options.spec.name;
    this.listen = options.spec.listen;
    this.upstream = options.spec.upstream;
  }

  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics.map((toxic) => ({ ...toxic })),
    };
  }

  spec(): ProxySpec {
    return { name: this.name, listen: this.listen, upstream: this.upstream, enabled: this.enabled };
  }

  /** Binds the listen address; `listen` becomes the real address (port 0 resolved). */
  async start(): Promise<void> {
    if (this.enabled) return;
    const address = parseListenAddress(this.listen);
    const listener = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => {
        reject(new ApiError(`listen tcp ${formatHostPort(address)}: ${describeListenError(err)}`, 500));
      };
      listener.once('error', onError);
      listener.listen({ host: address.host, port: address.port, exclusive: true }, () => {
        listener.off('error', onError);
        resolve();
      });
    });
    const bound = listener.address() as net.AddressInfo;
    this.listen = formatHostPort({ host: bound.address, port: bound.port });
    this.listener = listener;
    this.enabled = true;
  }

  /** Stops listening and closes every connection (new connections are refused). */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const listener = this.listener;
    this.listener = null;
    for (const connection of this.connections) connection.destroy();
    this.connections.clear();
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
  }

  /** Applies a validated update: a new address restarts the proxy, `enabled` starts/stops it. */
  async update(spec: ProxySpec): Promise<void> {
    if (spec.listen !== this.listen || spec.upstream !== this.upstream) {
      await this.stop();
      this.listen = spec.listen;
      this.upstream = spec.upstream;
    }
    if (spec.enabled) await this.start();
    else await this.stop();
  }

  getToxic(name: string): ToxicJson {
    const toxic = this.toxics.find((candidate) => candidate.name === name);
    if (!toxic) throw toxicNotFound();
    return toxic;
  }

  listToxics(): ToxicJson[] {
    return this.toxics.map((toxic) => ({ ...toxic }));
  }

  addToxic(toxic: ToxicJson): void {
    if (this.toxics.some((candidate) => candidate.name === toxic.name)) throw toxicAlreadyExists();
    this.toxics.push(toxic);
    for (const connection of this.connections) connection.addToxic(toxic);
  }

  updateToxic(toxic: ToxicJson): void {
    const index = this.toxics.findIndex((candidate) => candidate.name === toxic.name);
    if (index < 0) throw toxicNotFound();
    this.toxics[index] = toxic;
    for (const connection of this.connections) connection.updateToxic(toxic);
  }

  removeToxic(name: string): void {
    const toxic = this.getToxic(name);
    this.toxics = this.toxics.filter((candidate) => candidate !== toxic);
    for (const connection of [...this.connections]) connection.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of [...this.toxics]) this.removeToxic(toxic.name);
  }

  private accept(client: net.Socket): void {
    if (!this.enabled) {
      client.destroy();
      return;
    }
    const index = this.acceptedCount++;
    const connection = new ProxiedConnection({
      client,
      upstream: parseUpstreamAddress(this.upstream),
      toxics: this.toxics,
      randomFor: (toxicName) => toxicRandom(this.options.seed, this.name, index, toxicName),
      scheduler: this.options.scheduler,
      onFinished: (finished) => this.connections.delete(finished),
    });
    this.connections.add(connection);
  }
}
