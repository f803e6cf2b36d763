/**
 * Checking an external Toxiproxy (`TOXIPROXY_URL`) before a run relies on it. Without the
 * check, an unset-but-stale variable or a CI service container that did not start surfaces
 * as undici's bare "fetch failed" in the middle of a scenario; with it, the run stops at
 * once with the URL and the two ways out. Loading scenarios is pure; a command that runs
 * them calls `checkExternalToxiproxy` after loading and before anything starts.
 */
import path from 'node:path';
import { UsageError } from '../../scenario/load.ts';
import type { ResolvedScenario } from '../../scenario/types.ts';

/** How long a server gets to answer GET /version. */
export const TOXIPROXY_CHECK_TIMEOUT_MS = 3000;

export class ToxiproxyUnreachableError extends Error {
  override name = 'ToxiproxyUnreachableError';
  /** What is wrong, with the URL. */
  readonly problem: string;
  /** What the user can do about it. */
  readonly fix: string;

  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    const problem = `TOXIPROXY_URL=${url}: no Toxiproxy server answers there (${reason})`;
    const fix = `unset TOXIPROXY_URL to use the embedded Toxiproxy-API server, or start Toxiproxy at that address (${startHint(url)})`;
    super(`${problem}\n  fix: ${fix}`);
    this.problem = problem;
    this.fix = fix;
  }
}

function startHint(url: string): string {
  try {
    const parsed = new URL(url);
    return `toxiproxy-server -host ${parsed.hostname.replace(/^\[|\]$/g, '')} -port ${parsed.port || '80'}`;
  } catch {
    return 'e.g. TOXIPROXY_URL=http://127.0.0.1:8474 with toxiproxy-server -host 127.0.0.1 -port 8474';
  }
}

/** The errno code (ECONNREFUSED...) of a failed fetch, else its message. */
function fetchFailureReason(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError') return `no answer to GET /version within ${timeoutMs} ms`;
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(error);
}

/** Resolves when a Toxiproxy answers GET /version at `url`; throws ToxiproxyUnreachableError otherwise. */
export async function checkToxiproxyUrl(url: string, timeoutMs = TOXIPROXY_CHECK_TIMEOUT_MS): Promise<void> {
  let endpoint: URL;
  try {
    endpoint = new URL('/version', url);
  } catch {
    throw new ToxiproxyUnreachableError(url, 'not a URL; expected e.g. http://127.0.0.1:8474');
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new ToxiproxyUnreachableError(url, `unsupported protocol ${endpoint.protocol}; expected http:`);
  let response: Response;
  try {
    response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new ToxiproxyUnreachableError(url, fetchFailureReason(error, timeoutMs));
  }
  await response.body?.cancel();
  if (!response.ok) throw new ToxiproxyUnreachableError(url, `GET /version answered HTTP ${response.status}, not a Toxiproxy API`);
}

/**
 * An external Toxiproxy (TOXIPROXY_URL) that does not answer is a configuration error of
 * the run (a UsageError: exit 2, naming the URL, the service scenario and the fix), found
 * before any scenario starts, not as "fetch failed" in the middle of one. Resolves at once
 * when TOXIPROXY_URL is unset or no scenario is a service.
 */
export async function checkExternalToxiproxy(scenarios: readonly ResolvedScenario[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const url = env['TOXIPROXY_URL'];
  const service = scenarios.find((s) => s.kind === 'service');
  if (!url || !service) return;
  try {
    await checkToxiproxyUrl(url);
  } catch (error) {
    if (!(error instanceof ToxiproxyUnreachableError)) throw error;
    const where = path.relative(process.cwd(), service.file) || service.file;
    throw new UsageError(`${error.problem}; the service scenario ${JSON.stringify(service.name)} (${where}) sends its dependency traffic through it\n  fix: ${error.fix}`);
  }
}
