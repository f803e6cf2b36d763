/**
 * Which addresses the embedded Toxiproxy may listen on. Its API answers any local process
 * (the service under test included), so without a rule a local caller could open a proxy on
 * 0.0.0.0 and expose a dependency to the network. Only loopback listen addresses are
 * accepted (127.0.0.0/8, ::1, localhost) unless the scenario allows others explicitly
 * (`network: { allowNonLoopbackListen: true }`).
 */
import net from 'node:net';
import { ApiError } from './api-error.ts';
import { parseListenAddress } from './address.ts';

export interface ListenPolicy {
  allowNonLoopbackListen: boolean;
}

export const LOOPBACK_ONLY: ListenPolicy = { allowNonLoopbackListen: false };

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Loopback by address (IPv4-mapped IPv6 included) or the name localhost; other names could resolve anywhere. */
export function isLoopbackHost(host: string): boolean {
  if (host.toLowerCase() === 'localhost') return true;
  const family = net.isIP(host);
  if (family === 0) return false;
  return LOOPBACK.check(host, family === 6 ? 'ipv6' : 'ipv4');
}

/** The rule's refusal, a 403 shaped like Toxiproxy's errors ({"error", "status"}). */
export function nonLoopbackListen(listen: string): ApiError {
  return new ApiError(
    `listen address ${JSON.stringify(listen)} is not loopback: the slo-harness embedded Toxiproxy listens only on 127.0.0.0/8, ::1 or localhost ` +
      '(a scenario allows other addresses with network: { allowNonLoopbackListen: true })',
    403,
  );
}

/** Throws the 403 when `listen` is not loopback and the policy does not allow it; malformed addresses are left to the 400 checks. */
export function checkListenAllowed(listen: string, policy: ListenPolicy): void {
  if (policy.allowNonLoopbackListen) return;
  let host: string;
  try {
    host = parseListenAddress(listen).host;
  } catch {
    return;
  }
  if (!isLoopbackHost(host)) throw nonLoopbackListen(listen);
}
