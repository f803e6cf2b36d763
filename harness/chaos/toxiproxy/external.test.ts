import { closedPort } from '../../../test/support/ports.ts';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../scenario/load.ts';
import type { ResolvedScenario } from '../../scenario/types.ts';
import { checkExternalToxiproxy } from './external.ts';
import { startEmbeddedToxiproxy } from './index.ts';

/** Only the fields the check reads: the kind, the name and the file. */
const scenario = (kind: 'function' | 'service'): ResolvedScenario => ({ kind, name: `a-${kind}`, file: `/work/scenarios/a-${kind}.scenario.ts` }) as unknown as ResolvedScenario;


describe('checkExternalToxiproxy: an unreachable TOXIPROXY_URL stops the run before it starts', () => {
  it('names the URL, the service scenario and the fix in a UsageError', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const check = checkExternalToxiproxy([scenario('function'), scenario('service')], { TOXIPROXY_URL: url });
    await expect(check).rejects.toBeInstanceOf(UsageError);
    await expect(check).rejects.toThrow(`TOXIPROXY_URL=${url}: no Toxiproxy server answers there (ECONNREFUSED); the service scenario "a-service"`);
    await expect(check).rejects.toThrow(/\n {2}fix: unset TOXIPROXY_URL to use the embedded Toxiproxy-API server, or start Toxiproxy/);
  });

  it('asks nothing when TOXIPROXY_URL is unset or no scenario is a service', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    await expect(checkExternalToxiproxy([scenario('service')], {})).resolves.toBeUndefined();
    await expect(checkExternalToxiproxy([scenario('function')], { TOXIPROXY_URL: url })).resolves.toBeUndefined();
  });

  it('passes when a Toxiproxy API answers at the URL', async () => {
    const proxy = await startEmbeddedToxiproxy();
    try {
      await expect(checkExternalToxiproxy([scenario('service')], { TOXIPROXY_URL: proxy.url })).resolves.toBeUndefined();
    } finally {
      await proxy.close();
    }
  });
});
