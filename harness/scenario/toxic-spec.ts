/**
 * Validation of toxic request bodies (pure). Mirrors Toxiproxy's decoding: defaults
 * stream=downstream, toxicity=1, name=`${type}_${stream}`; missing numeric attributes are 0;
 * unknown attributes are ignored; an update merges the given attributes over the current ones
 * and may change toxicity, never name, type or stream. The chaos proxy's API parses request
 * bodies with it, and the scenario schema checks a scenario's toxics with it at load time.
 */
import { badRequestBody, invalidStream, invalidToxicType, missingField } from './toxic-error.ts';
import {
  TOXIC_TYPES,
  type LatencyAttributes,
  type ToxicAttributesByType,
  type ToxicJson,
  type ToxicStream,
  type ToxicType,
} from './toxic-types.ts';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isToxicType(value: unknown): value is ToxicType {
  return typeof value === 'string' && (TOXIC_TYPES as readonly string[]).includes(value);
}

/**
 * Attributes that are times (ms; the slicer's delay is us). Beyond a day they are a mistake,
 * and past 2^31 ms a timer silently fires after 1 ms instead (Node clamps it).
 */
const TIME_ATTRIBUTES = new Set(['latency', 'jitter', 'delay', 'timeout', 'scale', 'cap']);
const MAX_TIME_ATTRIBUTE = 86_400_000;

/** A non-negative finite number (at most a day for times), or the fallback when absent/null. */
function readAmount(source: JsonObject, key: string, fallback: number): number {
  const value = source[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badRequestBody(`attribute ${key} must be a non-negative number`);
  }
  const max = TIME_ATTRIBUTES.has(key) ? MAX_TIME_ATTRIBUTE : Number.MAX_SAFE_INTEGER;
  if (value > max) throw badRequestBody(`attribute ${key} must be at most ${max}${max === MAX_TIME_ATTRIBUTE ? ' (1 day in ms)' : ''}, got ${value}`);
  return value;
}

function readOptionalAmount(source: JsonObject, key: string, fallback: number | undefined): number | undefined {
  return source[key] === undefined || source[key] === null ? fallback : readAmount(source, key, 0);
}

function readLatency(raw: JsonObject, base: LatencyAttributes | undefined): LatencyAttributes {
  const distribution = raw['distribution'] ?? base?.distribution ?? 'uniform';
  if (distribution !== 'uniform' && distribution !== 'pareto') {
    throw badRequestBody('attribute distribution must be "uniform" or "pareto"');
  }
  const result: LatencyAttributes = {
    latency: readAmount(raw, 'latency', base?.latency ?? 0),
    jitter: readAmount(raw, 'jitter', base?.jitter ?? 0),
  };
  if (distribution === 'uniform') return result;
  const alpha = readOptionalAmount(raw, 'alpha', base?.alpha);
  const scale = readOptionalAmount(raw, 'scale', base?.scale);
  if (alpha === undefined || alpha <= 0) throw badRequestBody('pareto latency needs alpha > 0');
  if (scale === undefined) throw badRequestBody('pareto latency needs scale (ms)');
  const cap = readOptionalAmount(raw, 'cap', base?.cap);
  return { ...result, distribution, alpha, scale, ...(cap === undefined ? {} : { cap }) };
}

/** Builds validated attributes of `type` from `raw`, on top of `base` for updates. */
export function readAttributes<T extends ToxicType>(
  type: T,
  raw: unknown,
  base?: ToxicAttributesByType[T],
): ToxicAttributesByType[T] {
  if (raw !== undefined && raw !== null && !isObject(raw)) throw badRequestBody('attributes must be an object');
  const source: JsonObject = isObject(raw) ? raw : {};
  const old = (base ?? {}) as Partial<Record<string, number>>;
  const amount = (key: string): number => readAmount(source, key, old[key] ?? 0);
  const byType: { [K in ToxicType]: () => ToxicAttributesByType[K] } = {
    latency: () => readLatency(source, base as LatencyAttributes | undefined),
    bandwidth: () => ({ rate: amount('rate') }),
    slow_close: () => ({ delay: amount('delay') }),
    timeout: () => ({ timeout: amount('timeout') }),
    reset_peer: () => ({ timeout: amount('timeout') }),
    limit_data: () => ({ bytes: amount('bytes') }),
    slicer: () => {
      const attributes = {
        average_size: amount('average_size'),
        size_variation: amount('size_variation'),
        delay: amount('delay'),
      };
      if (attributes.average_size < 1) throw badRequestBody('slicer needs average_size >= 1');
      return attributes;
    },
  };
  return byType[type]();
}

function readToxicity(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw badRequestBody('toxicity must be a number');
  return value;
}

function readStream(value: unknown): ToxicStream {
  if (value === undefined || value === null || value === '') return 'downstream';
  if (value === 'upstream' || value === 'downstream') return value;
  throw invalidStream();
}

/** Parses the body of POST /proxies/{proxy}/toxics into a complete toxic. */
export function parseToxicCreate(body: unknown): ToxicJson {
  if (!isObject(body)) throw badRequestBody('expected a JSON object');
  const stream = readStream(body['stream']);
  const type = body['type'];
  if (type === undefined || type === '') throw missingField('type');
  if (!isToxicType(type)) throw invalidToxicType();
  const nameValue = body['name'];
  if (nameValue !== undefined && nameValue !== null && typeof nameValue !== 'string') {
    throw badRequestBody('name must be a string');
  }
  const name = typeof nameValue === 'string' && nameValue !== '' ? nameValue : `${type}_${stream}`;
  const toxicity = readToxicity(body['toxicity'], 1);
  return { name, type, stream, toxicity, attributes: readAttributes(type, body['attributes']) } as ToxicJson;
}

/** Applies the body of POST /proxies/{proxy}/toxics/{toxic} to `current`. */
export function parseToxicUpdate(current: ToxicJson, body: unknown): ToxicJson {
  if (!isObject(body)) throw badRequestBody('expected a JSON object');
  const toxicity = readToxicity(body['toxicity'], current.toxicity);
  const attributes = readAttributes(current.type, body['attributes'], current.attributes);
  return { ...current, toxicity, attributes } as ToxicJson;
}
