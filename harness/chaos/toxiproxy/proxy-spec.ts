/** Validation of proxy request bodies (pure), with Toxiproxy's defaults and messages. */
import { badRequestBody, missingField } from './api-error.ts';
import { parseListenAddress, parseUpstreamAddress } from './address.ts';

export interface ProxySpec {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readString(body: Record<string, unknown>, key: string, fallback: string): string {
  const value = body[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw badRequestBody(`${key} must be a string`);
  return value;
}

function readEnabled(body: Record<string, unknown>, fallback: boolean): boolean {
  const value = body['enabled'];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw badRequestBody('enabled must be a boolean');
  return value;
}

/** Rejects malformed addresses with a 400 before anything binds or dials. */
export function validateAddresses(spec: ProxySpec): void {
  try {
    parseListenAddress(spec.listen);
    parseUpstreamAddress(spec.upstream);
  } catch (err) {
    throw badRequestBody((err as Error).message);
  }
}

/** POST /proxies body (and each element of POST /populate); `where` names the element. */
export function parseProxyCreate(body: unknown, where = ''): ProxySpec {
  if (!isObject(body)) throw badRequestBody('expected a JSON object');
  const spec: ProxySpec = {
    name: readString(body, 'name', ''),
    listen: readString(body, 'listen', ''),
    upstream: readString(body, 'upstream', ''),
    enabled: readEnabled(body, true),
  };
  if (spec.name === '') throw missingField(`name${where}`);
  if (spec.upstream === '') throw missingField(`upstream${where}`);
  if (spec.listen === '') spec.listen = '127.0.0.1:0';
  // Toxiproxy lets a disabled proxy hold an address it could not bind yet.
  if (spec.enabled) validateAddresses(spec);
  return spec;
}

/** POST /populate body: an array of proxies with distinct names. */
export function parsePopulate(body: unknown): ProxySpec[] {
  if (!Array.isArray(body)) throw badRequestBody('expected a JSON array of proxies');
  const specs = body.map((item, index) => parseProxyCreate(item, ` at proxy ${index + 1}`));
  const names = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw badRequestBody(`duplicate proxy name ${JSON.stringify(spec.name)}`);
    names.add(spec.name);
  }
  return specs;
}

/** POST/PATCH /proxies/{proxy} body: absent fields keep the current values. */
export function parseProxyUpdate(current: ProxySpec, body: unknown): ProxySpec {
  if (!isObject(body)) throw badRequestBody('expected a JSON object');
  const spec: ProxySpec = {
    name: current.name,
    listen: readString(body, 'listen', current.listen),
    upstream: readString(body, 'upstream', current.upstream),
    enabled: readEnabled(body, current.enabled),
  };
  if (spec.enabled) validateAddresses(spec);
  return spec;
}
