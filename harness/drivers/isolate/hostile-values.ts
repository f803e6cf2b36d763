/**
 * Reading values a target hands back (thrown values, returned promises, worker 'error'
 * payloads) without running the target's code by accident. `String(x)`, `x.stack`,
 * `x.then` and `instanceof` all run user code on a Proxy, a getter or a hostile
 * toString, and one throw there used to take the worker or the host down with it.
 * Every read here is guarded and every text is bounded.
 */

const MAX_TEXT = 4000;

export interface DescribedValue {
  /** "TypeError: ..." for errors, "non-Error thrown: ..." for anything else. */
  message: string;
  stack: string | null;
  /** Error name, or the typeof of a non-error ("object", "string"...). */
  kind: string;
  /** The `code` property of an error (ERR_WORKER_OUT_OF_MEMORY...), when it is a string. */
  code: string | null;
}

function bounded(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}...` : text;
}

/** A property read that never throws and only accepts strings. */
function stringProperty(value: object, key: string): string | null {
  try {
    const read = (value as Record<string, unknown>)[key];
    return typeof read === 'string' ? bounded(read) : null;
  } catch {
    return null;
  }
}

function isErrorLike(value: object): boolean {
  try {
    return value instanceof Error;
  } catch {
    return false;
  }
}

/** "[object Foo]" without calling the value's own toString; "[object ?]" when even that throws. */
function objectTag(value: object): string {
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return '[object ?]';
  }
}

function describePrimitive(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return bounded(JSON.stringify(value));
    case 'symbol':
      return stringProperty(Object(value) as object, 'description') ?? 'Symbol()';
    case 'function':
      return '[function]';
    default:
      return String(value as number | bigint | boolean | undefined | null);
  }
}

/** Describes any thrown or reported value; never throws. */
export function describeThrown(value: unknown): DescribedValue {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return { message: `non-Error thrown: ${describePrimitive(value)}`, stack: null, kind: value === null ? 'null' : typeof value, code: null };
  }
  const object = value as object;
  if (!isErrorLike(object)) {
    return { message: `non-Error thrown: ${objectTag(object)}`, stack: null, kind: typeof value, code: null };
  }
  const name = stringProperty(object, 'name') ?? 'Error';
  const message = stringProperty(object, 'message') ?? '';
  return { message: `${name}: ${message}`, stack: stringProperty(object, 'stack'), kind: name, code: stringProperty(object, 'code') };
}

/**
 * Children a target started (spawn, then exit) must not outlive the host that ran it. The
 * host leads its own process group (it is forked detached), so SIGTERM to the group ends
 * them; the host itself handles SIGTERM and is exiting anyway. Not a group leader: ESRCH.
 */
export function endTargetChildren(): void {
  try {
    process.kill(-process.pid, 'SIGTERM');
  } catch {
    // Not a process group leader, or nothing left: nothing to end.
  }
}

/** Promise-like check that survives a throwing `then` getter (a throwing getter counts as not thenable). */
export function safeThen(value: unknown): ((resolve: (v: unknown) => void, reject: (e: unknown) => void) => unknown) | null {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return null;
  try {
    const then = (value as { then?: unknown }).then;
    return typeof then === 'function' ? (then as (resolve: (v: unknown) => void, reject: (e: unknown) => void) => unknown).bind(value) : null;
  } catch {
    return null;
  }
}
