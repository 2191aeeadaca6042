/**
 * Test harness: a fake ARI plus the real adapter, with bounded waits on conditions (never fixed sleeps).
 */
import { createAriAdapter, type AriAdapter, type AriOptions } from '../../src/telephony/ari/index.js';
import type { CallPort, PortEvent } from '../../src/telephony/port.js';
import { FakeAri, type FakeAriOptions } from '../fakes/fake-ari/index.js';

export const PASSWORD = 'fake-secret';

/** Resolves when `check()` is truthy; fails after `timeoutMs`. Re-checks on every fake activity and every few ms. */
export async function waitFor<T>(check: () => T | undefined | false | null, what: string, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A call as a test sees it: the port and every event it received. */
export interface TestCall {
  port: CallPort;
  events: PortEvent[];
}

export interface Rig {
  fake: FakeAri;
  ari: AriAdapter;
  calls: TestCall[];
  logs: Array<{ level: string; msg: string; obj: object }>;
  /** Waits for the n-th call (0-based) to arrive. */
  call(n?: number): Promise<TestCall>;
  close(): Promise<void>;
}

/** Starts a fake and an adapter connected to it. `onCall` runs for each new call after its events are recorded. */
export async function startRig(
  opts: { fake?: FakeAriOptions; ari?: Partial<AriOptions>; onCall?: (call: TestCall) => void; start?: boolean } = {},
): Promise<Rig> {
  const fake = await FakeAri.start({ password: PASSWORD, ...opts.fake });
  const logs: Rig['logs'] = [];
  const logger = Object.fromEntries(
    (['debug', 'info', 'warn', 'error'] as const).map((level) => [level, (obj: object, msg: string) => logs.push({ level, msg, obj })]),
  ) as unknown as AriOptions['logger'];
  const ari = createAriAdapter({
    url: fake.url,
    username: 'touchtone',
    password: PASSWORD,
    logger,
    pingIntervalMs: 200,
    pongTimeoutMs: 200,
    backoffInitialMs: 10,
    backoffMaxMs: 50,
    requestTimeoutMs: 1000,
    ...opts.ari,
  });
  const calls: TestCall[] = [];
  ari.onCall((port) => {
    const call: TestCall = { port, events: [] };
    port.onEvent((e) => call.events.push(e));
    calls.push(call);
    opts.onCall?.(call);
  });
  if (opts.start !== false) {
    await ari.start();
    // Requests move onto the websocket once the fake answered one there; tests start after that, so each test's
    // requests take one path.
    const viaSocket = opts.ari?.requestsOverWebsocket !== false && fake.socketRequests;
    await waitFor(() => ari.status().connected && fake.eventFilters.has('touchtone') && (!viaSocket || ari.status().requestsVia === 'websocket'), 'adapter connected');
  }
  return {
    fake,
    ari,
    calls,
    logs,
    call: (n = 0) => waitFor(() => calls[n], `call ${n}`),
    close: async () => {
      await ari.stop();
      await fake.close();
    },
  };
}

/** Events of one type. */
export function eventsOf<T extends PortEvent['type']>(call: TestCall, type: T): Array<Extract<PortEvent, { type: T }>> {
  return call.events.filter((e): e is Extract<PortEvent, { type: T }> => e.type === type);
}
