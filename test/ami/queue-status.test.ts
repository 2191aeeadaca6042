/**
 * The AMI queue status provider against a fake AMI over real TCP on 127.0.0.1. Timers (action timeouts, the
 * handshake bound, reconnect backoff) run on a VirtualClock, so no test sleeps; `vi.waitFor` only waits for
 * socket I/O to arrive.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServer } from 'node:net';
import { VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { AmiClient } from '../../src/telephony/ami/client.js';
import { AmiHeaderError } from '../../src/telephony/ami/protocol.js';
import { amiOptionsFromEnv, createAmiQueueStatus, type AmiQueueStatus } from '../../src/telephony/ami/queue-status.js';
import { FakeAmi } from '../fakes/fake-ami.js';

const TIMEOUT = 1000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startFake(fake = new FakeAmi({ queues: { support: { loggedIn: 3, available: 1, callers: 2, holdTime: 40 } } })): Promise<FakeAmi> {
  await fake.listen();
  cleanups.push(() => fake.close());
  return fake;
}

function provider(port: number, clock: VirtualClock, overrides: { username?: string; secret?: string } = {}): AmiQueueStatus {
  const queues = createAmiQueueStatus({
    host: '127.0.0.1',
    port,
    username: overrides.username ?? 'touchtone',
    secret: overrides.secret ?? 's3cret',
    timeoutMs: TIMEOUT,
    logger: silentLogger,
    clock,
    backoff: { initialMs: 100, maxMs: 400 },
  });
  cleanups.push(() => queues.close());
  return queues;
}

const signal = (): AbortSignal => new AbortController().signal;
const connected = async (queues: AmiQueueStatus): Promise<void> => vi.waitFor(() => expect(queues.status().connected).toBe(true));

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('AMI queue status', () => {
  it('reports members logged in, free, callers waiting and hold time from QueueSummary', async () => {
    const fake = await startFake();
    const queues = provider(fake.port, new VirtualClock());
    await connected(queues);
    expect(await queues.status('support', signal())).toEqual({ loggedIn: 3, free: 1, waiting: 2, holdTimeSec: 40 });
    const [login] = fake.actionsNamed('Login');
    expect(login?.get('Events')).toBe('off');
    expect(fake.actionsNamed('QueueSummary')[0]?.get('Queue')).toBe('support');
    expect(queues.status()).toEqual({ connected: true });
  });

  it('matches answers to questions by ActionID when several are in flight', async () => {
    const fake = await startFake(
      new FakeAmi({ queues: { a: { loggedIn: 1, available: 0, callers: 5, holdTime: 10 }, b: { loggedIn: 4, available: 4, callers: 0, holdTime: 0 } } }),
    );
    const queues = provider(fake.port, new VirtualClock());
    await connected(queues);
    const [a, b] = await Promise.all([queues.status('a', signal()), queues.status('b', signal())]);
    expect(a).toEqual({ loggedIn: 1, free: 0, waiting: 5, holdTimeSec: 10 });
    expect(b).toEqual({ loggedIn: 4, free: 4, waiting: 0, holdTimeSec: 0 });
    const ids = fake.actionsNamed('QueueSummary').map((x) => x.get('ActionID'));
    expect(new Set(ids).size).toBe(2);
  });

  it('reports a queue with no members as zeros', async () => {
    const fake = await startFake(new FakeAmi({ queues: { support: { loggedIn: 0, available: 0, callers: 0, holdTime: 0 } } }));
    const queues = provider(fake.port, new VirtualClock());
    await connected(queues);
    expect(await queues.status('support', signal())).toEqual({ loggedIn: 0, free: 0, waiting: 0, holdTimeSec: 0 });
  });

  it('is unknown for a queue Asterisk does not have', async () => {
    const fake = await startFake();
    const queues = provider(fake.port, new VirtualClock());
    await connected(queues);
    expect(await queues.status('sales', signal())).toBeUndefined();
  });

  it('is unknown at once when AMI refuses the connection, and shows AMI down', async () => {
    const clock = new VirtualClock();
    const queues = provider(await closedPort(), clock);
    const started = clock.now();
    expect(await queues.status('support', signal())).toBeUndefined();
    expect(clock.now()).toBe(started);
    await vi.waitFor(() => expect(queues.status().lastError).toMatch(/cannot reach AMI at `127\.0\.0\.1:\d+`: ECONNREFUSED/));
    expect(queues.status().connected).toBe(false);
  });

  it('is unknown when AMI does not answer within the timeout, and no sooner', async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const queues = provider(fake.port, clock);
    await connected(queues);
    fake.mode = 'silent';
    let result: unknown = 'pending';
    void queues.status('support', signal()).then((r) => (result = r));
    await vi.waitFor(() => expect(fake.actionsNamed('QueueSummary')).toHaveLength(1));
    await clock.advance(TIMEOUT - 1);
    expect(result).toBe('pending');
    await clock.advance(1);
    expect(result).toBeUndefined();
  });

  it('stops waiting when the call leaves the step (abort)', async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const queues = provider(fake.port, clock);
    await connected(queues);
    fake.mode = 'silent';
    const controller = new AbortController();
    const answer = queues.status('support', controller.signal);
    await vi.waitFor(() => expect(fake.actionsNamed('QueueSummary')).toHaveLength(1));
    const before = clock.now();
    controller.abort();
    expect(await answer).toBeUndefined();
    expect(clock.now()).toBe(before);
    // The question itself is still bounded by its timeout, and leaves nothing behind.
    await clock.advance(TIMEOUT);
    expect(clock.pending).toBe(0);
  });

  it('shares one question among callers entering the same queue at once; one leaving does not cancel the others', async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const queues = provider(fake.port, clock);
    await connected(queues);
    const leaving = new AbortController();
    const first = queues.status('support', leaving.signal);
    const second = queues.status('SUPPORT', signal());
    leaving.abort();
    expect(await first).toBeUndefined();
    expect(await second).toEqual({ loggedIn: 3, free: 1, waiting: 2, holdTimeSec: 40 });
    expect(fake.actionsNamed('QueueSummary')).toHaveLength(1);
    fake.queues.support!.available = 0;
    expect(await queues.status('support', signal())).toMatchObject({ free: 0 });
    expect(fake.actionsNamed('QueueSummary')).toHaveLength(2);
  });

  it('reconnects after two timeouts in a row (a half-open connection)', async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const queues = provider(fake.port, clock);
    await connected(queues);
    fake.mode = 'silent';
    for (let i = 1; i <= 2; i++) {
      const answer = queues.status('support', signal());
      await vi.waitFor(() => expect(fake.actionsNamed('QueueSummary')).toHaveLength(i));
      await clock.advance(TIMEOUT);
      expect(await answer).toBeUndefined();
    }
    await vi.waitFor(() => expect(queues.status().connected).toBe(false));
    expect(queues.status().lastError).toMatch(/stopped answering/);
    fake.mode = 'answer';
    await clock.advance(100);
    await connected(queues);
    expect(fake.connections).toBe(2);
    expect(await queues.status('support', signal())).toEqual({ loggedIn: 3, free: 1, waiting: 2, holdTimeSec: 40 });
  });

  it('gives up on an AMI that accepts TCP but never greets, then retries', async () => {
    const fake = await startFake();
    fake.mode = 'mute';
    const clock = new VirtualClock();
    const queues = provider(fake.port, clock);
    await vi.waitFor(() => expect(fake.connections).toBe(1));
    await clock.advance(TIMEOUT);
    await vi.waitFor(() => expect(queues.status().lastError).toMatch(/did not complete the login within 1000 ms/));
    fake.mode = 'answer';
    await clock.advance(100);
    await connected(queues);
  });

  it('reconnects after the connection drops, failing questions in between', async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const queues = provider(fake.port, clock);
    await connected(queues);
    fake.dropAll();
    await vi.waitFor(() => expect(queues.status().connected).toBe(false));
    expect(queues.status().lastError).toMatch(/closed the connection/);
    expect(await queues.status('support', signal())).toBeUndefined();
    await clock.advance(100);
    await connected(queues);
    expect(fake.logins).toBe(2);
    expect(await queues.status('support', signal())).toEqual({ loggedIn: 3, free: 1, waiting: 2, holdTimeSec: 40 });
  });

  it('fails an in-flight question at once when the connection drops', async () => {
    const fake = await startFake();
    const clock = new VirtualClock();
    const queues = provider(fake.port, clock);
    await connected(queues);
    fake.mode = 'silent';
    const answer = queues.status('support', signal());
    await vi.waitFor(() => expect(fake.actionsNamed('QueueSummary')).toHaveLength(1));
    fake.dropAll();
    expect(await answer).toBeUndefined();
    expect(clock.now()).toBe(new VirtualClock().now());
  });

  it('backs off exponentially up to the cap while AMI is down', async () => {
    const clock = new VirtualClock();
    const queues = provider(await closedPort(), clock);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      // After a refused connect only the reconnect timer is left (the handshake timer is cleared).
      await vi.waitFor(() => expect(clock.pending === 1 && clock.nextDue()! - clock.now() !== TIMEOUT).toBe(true));
      const delay = clock.nextDue()! - clock.now();
      delays.push(delay);
      await clock.advance(delay);
    }
    expect(delays).toEqual([100, 200, 400, 400, 400]);
    await queues.close();
    expect(clock.pending).toBe(0);
  });

  it('shows a failed login, with the fix, and answers unknown', async () => {
    const fake = await startFake();
    const queues = provider(fake.port, new VirtualClock(), { secret: 'wrong' });
    await vi.waitFor(() => expect(queues.status().lastError).toMatch(/AMI login as `touchtone` failed: Authentication failed; check the user and secret/));
    expect(queues.status().connected).toBe(false);
    expect(await queues.status('support', signal())).toBeUndefined();
  });
});

describe('AMI header injection', () => {
  const attempts = [
    'support\r\nAction: Originate\r\nChannel: PJSIP/666',
    'support\nAction: Originate',
    'support\r',
    'support&Action=Originate',
    'support;Originate',
    'q'.repeat(10 * 1024),
    '../support',
    '',
  ];

  it.each(attempts.map((a) => [JSON.stringify(a.slice(0, 40)), a]))('never sends queue name %s to AMI', async (_label, name) => {
    const fake = await startFake();
    const queues = provider(fake.port, new VirtualClock());
    await connected(queues);
    expect(await queues.status(name, signal())).toBeUndefined();
    expect(fake.actionsNamed('QueueSummary')).toHaveLength(0);
    expect(fake.raw).not.toMatch(/Originate/);
    expect(queues.status().connected).toBe(true);
  });

  it('refuses to send a raw action whose value carries CR/LF, and sends nothing', async () => {
    const fake = await startFake();
    const client = new AmiClient({ host: '127.0.0.1', port: fake.port, username: 'touchtone', secret: 's3cret', timeoutMs: TIMEOUT, logger: silentLogger, clock: new VirtualClock() });
    cleanups.push(() => client.close());
    await vi.waitFor(() => expect(client.health().connected).toBe(true));
    const before = fake.raw.length;
    const result = await client.action({ Action: 'QueueSummary', Queue: 'x\r\nAction: Originate' });
    expect(result).toMatchObject({ ok: false, code: 'ami-bad-header' });
    expect(fake.raw.length).toBe(before);
  });

  it('refuses credentials with a line break before connecting', () => {
    expect(() => provider(1, new VirtualClock(), { secret: 'x\r\nAction: Originate' })).toThrow(AmiHeaderError);
    expect(() => provider(1, new VirtualClock(), { username: 'a\nb' })).toThrow(AmiHeaderError);
  });
});

describe('AMI settings from the environment', () => {
  it('is off without TOUCHTONE_AMI_HOST', () => {
    expect(amiOptionsFromEnv({}, silentLogger)).toEqual({ ok: true, options: undefined });
  });

  it('reads host, port, user, secret and timeout', () => {
    const result = amiOptionsFromEnv({ TOUCHTONE_AMI_HOST: '127.0.0.1', TOUCHTONE_AMI_PORT: '5039', TOUCHTONE_AMI_USER: 'tt', TOUCHTONE_AMI_SECRET: 'pw' }, silentLogger);
    expect(result).toMatchObject({ ok: true, options: { host: '127.0.0.1', port: 5039, username: 'tt', secret: 'pw', timeoutMs: 2000 } });
  });

  it.each([
    [{ TOUCHTONE_AMI_PORT: '70000' }, 'ami-bad-port'],
    [{ TOUCHTONE_AMI_TIMEOUT_MS: '5' }, 'ami-bad-timeout'],
    [{ TOUCHTONE_AMI_USER: '' }, 'ami-no-user'],
  ])('rejects %o with %s', (env, code) => {
    expect(amiOptionsFromEnv({ TOUCHTONE_AMI_HOST: 'h', TOUCHTONE_AMI_USER: 'u', ...env }, silentLogger)).toMatchObject({ ok: false, code });
  });
});
