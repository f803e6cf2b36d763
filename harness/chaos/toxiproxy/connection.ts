/**
 * A proxied TCP connection: the accepted client socket, a socket dialled to the upstream, and a
 * Link per direction (upstream = client -> server, downstream = server -> client).
 */
import net, { type Socket } from 'node:net';
import type { HostPort } from './address.ts';
import { Link, type LinkOwner } from './link.ts';
import type { Random } from './random.ts';
import type { Scheduler } from './stages/stage.ts';
import type { ToxicJson, ToxicStream } from './types.ts';

/** After a toxic closes a connection, give the peers this long to finish before destroying. */
const GRACEFUL_CLOSE_LIMIT_MS = 2_000;

export interface ConnectionOptions {
  client: Socket;
  upstream: HostPort;
  /** Toxics of the proxy when the connection is accepted, in creation order. */
  toxics: readonly ToxicJson[];
  randomFor(toxicName: string): Random;
  scheduler: Scheduler;
  onFinished(connection: ProxiedConnection): void;
}

export class ProxiedConnection implements LinkOwner {
  private readonly client: Socket;
  private readonly server: Socket;
  private readonly links: Record<ToxicStream, Link>;
  private readonly randomFor: (toxicName: string) => Random;
  private readonly onFinished: (connection: ProxiedConnection) => void;
  private openSockets = 2;
  private closing = false;
  private graceTimer: NodeJS.Timeout | null = null;

  constructor(options: ConnectionOptions) {
    this.client = options.client;
    this.randomFor = options.randomFor;
    this.onFinished = options.onFinished;
    // Writes made while the dial is in progress are buffered by the socket, so the client's
    // first bytes are not lost.
    this.server = net.connect({ ...options.upstream, allowHalfOpen: true, noDelay: true });
    this.client.setNoDelay(true);
    this.links = {
      upstream: new Link(this.client, this.server, this, options.scheduler),
      downstream: new Link(this.server, this.client, this, options.scheduler),
    };
    for (const socket of [this.client, this.server]) {
      // Any socket error (refused dial, reset by a peer) tears the whole pair down.
      socket.on('error', () => this.destroy());
      socket.once('close', this.onSocketClosed);
    }
    for (const toxic of options.toxics) this.addToxic(toxic);
  }

  addToxic(toxic: ToxicJson): void {
    this.links[toxic.stream].addToxic(toxic, this.randomFor(toxic.name));
  }

  updateToxic(toxic: ToxicJson): void {
    this.links[toxic.stream].updateToxic(toxic);
  }

  removeToxic(toxic: ToxicJson): void {
    this.links[toxic.stream].removeToxic(toxic.name);
  }

  /** Abrupt close (proxy disabled or deleted, server shutting down). */
  destroy(): void {
    this.stopLinks();
    this.client.destroy();
    this.server.destroy();
  }

  closeGracefully(): void {
    if (this.closing) return;
    this.closing = true;
    this.stopLinks();
    // end() sends FIN after data already written; input keeps being read (and discarded) so
    // the kernel does not answer with RST, which could discard what the peer has not read yet.
    this.client.end();
    this.server.end();
    this.graceTimer = setTimeout(() => this.destroy(), GRACEFUL_CLOSE_LIMIT_MS);
    this.graceTimer.unref();
  }

  resetToward(sink: Socket): void {
    this.stopLinks();
    const other = sink === this.client ? this.server : this.client;
    if (!sink.destroyed) sink.resetAndDestroy();
    other.destroy();
  }

  private stopLinks(): void {
    this.links.upstream.stop();
    this.links.downstream.stop();
  }

  private readonly onSocketClosed = (): void => {
    this.openSockets--;
    if (this.openSockets > 0) return;
    this.stopLinks();
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.onFinished(this);
  };
}
