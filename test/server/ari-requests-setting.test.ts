/**
 * `ari.requestsOverWebsocket` from the configuration to the adapter, and `/ready` telling which way requests go.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server/start-server.js';
import { silentLogger } from '../../src/runtime/services.js';
import { FakeAri } from '../fakes/fake-ari/index.js';
import { waitFor } from '../ari/harness.js';
import { ARI_PASSWORD, flowFolder, serverEnv, TOKEN } from './resume-flow.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

type Readiness = { components: { ari?: { detail?: { requestsVia?: string } } } };

async function serve(extraEnv: Record<string, string>): Promise<{ fake: FakeAri; ready: () => Promise<Readiness> }> {
  const fake = await FakeAri.start({ password: ARI_PASSWORD, playbackMs: Infinity });
  cleanups.push(() => fake.close());
  const folder = flowFolder();
  cleanups.push(folder.remove);
  const { config, diagnostics } = loadConfig({ cwd: folder.dir, env: { ...serverEnv(folder.dir, ':memory:', fake), ...extraEnv } });
  expect(diagnostics).toEqual([]);
  const server = await startServer({ config: config!, logger: silentLogger, watch: false });
  cleanups.push(() => server.shutdown('test'));
  const ready = async () => {
    const res = await fetch(new URL('/ready', server.url), { headers: { authorization: `Bearer ${TOKEN}` } });
    return (await res.json()) as Readiness;
  };
  return { fake, ready };
}

describe('ari.requestsOverWebsocket', () => {
  it('by default the prompts of a served call travel on the event websocket, and /ready says so', async () => {
    const { fake, ready } = await serve({});
    await waitFor(() => fake.requests.some((r) => r.via === 'websocket' && r.path === '/ari/asterisk/ping'), 'the socket tried');
    await expect.poll(async () => (await ready()).components.ari?.detail?.requestsVia).toBe('websocket');
    fake.placeCall({ args: ['demo'] });
    await waitFor(() => fake.requests.find((r) => r.path.includes('/play/')), 'the first prompt');
    expect(fake.requests.find((r) => r.path.includes('/play/'))!.via).toBe('websocket');
  });

  it('TOUCHTONE_ARI_REQUESTS_OVER_WEBSOCKET=false keeps every request on HTTP', async () => {
    const { fake, ready } = await serve({ TOUCHTONE_ARI_REQUESTS_OVER_WEBSOCKET: 'false' });
    fake.placeCall({ args: ['demo'] });
    await waitFor(() => fake.requests.find((r) => r.path.includes('/play/')), 'the first prompt');
    expect(fake.requests.filter((r) => r.via === 'websocket')).toEqual([]);
    expect((await ready()).components.ari?.detail?.requestsVia).toBe('http');
  });
});
