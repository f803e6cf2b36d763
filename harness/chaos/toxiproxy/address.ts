/** Parsing and formatting of Toxiproxy's "host:port" addresses (pure). */

export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses "host:port", "[v6]:port" or ":port". An empty host or "localhost" means loopback
 * (127.0.0.1): the embedded proxy never listens on other interfaces unless told so explicitly.
 */
export function parseListenAddress(text: string): HostPort {
  const trimmed = text.trim();
  if (trimmed === '') return { host: '127.0.0.1', port: 0 };
  const parsed = parseHostPort(trimmed);
  const host = parsed.host === '' || parsed.host === 'localhost' ? '127.0.0.1' : parsed.host;
  return { host, port: parsed.port };
}

/** Parses an upstream "host:port"; the host is required. */
export function parseUpstreamAddress(text: string): HostPort {
  const parsed = parseHostPort(text.trim());
  if (parsed.host === '') throw new Error(`missing host in address ${JSON.stringify(text)}`);
  return parsed;
}

export function parseHostPort(text: string): HostPort {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new Error(`missing port in address ${JSON.stringify(text)}`);
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) throw new Error(`too many colons in address ${JSON.stringify(text)}`);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new Error(`invalid port in address ${JSON.stringify(text)}`);
  }
  return { host, port: Number(portText) };
}

/** Formats like Go's net.JoinHostPort: IPv6 hosts are bracketed. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
