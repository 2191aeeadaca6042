/**
 * Queue status for the `queue` step, from AMI `QueueSummary` (apps/app_queue.c): agents logged in (`LoggedIn`),
 * free (`Available`: not paused, not busy), callers waiting (`Callers`) and the average hold time (`HoldTime`, s).
 * `QueueSummary` needs no class rights in manager.conf, so the AMI user can be read-only.
 *
 * Anything it cannot tell (AMI down, slow, an error, an unknown queue, a garbled number) is `undefined`:
 * the engine then follows the queue's `whenUnknown`, and callers keep being queued.
 */
import type { Logger, QueueStatus, QueueStatusProvider } from '../../runtime/services.js';
import { AmiClient, type AmiClientOptions, type AmiHealth } from './client.js';
import { intField, type AmiMessage } from './protocol.js';

/** Same settings as the client: where AMI is, who we log in as, the bound on each question. */
export type AmiQueueStatusOptions = AmiClientOptions;

/** The provider plus what readiness and shutdown need. `status()` without arguments is the connection health. */
export type AmiQueueStatus = QueueStatusProvider & {
  status(): AmiHealth;
  close(): Promise<void>;
};

/** Queue names as queues.conf allows them in practice; anything else is never put into an AMI header. */
const QUEUE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,127}$/;

/**
 * Connects to AMI and answers queue status questions.
 *
 * @example
 *   const queues = createAmiQueueStatus({ host: '127.0.0.1', port: 5038, username: 'touchtone', secret, timeoutMs: 2000, logger });
 *   await queues.status('support', signal); // { loggedIn: 3, free: 1, waiting: 2, holdTimeSec: 40 } or undefined
 *   queues.status();                          // { connected: true }
 */
export function createAmiQueueStatus(options: AmiQueueStatusOptions): AmiQueueStatus {
  const client = new AmiClient(options);
  const warned = new Set<string>();
  const warnOnce = (key: string, obj: object, msg: string): void => {
    if (warned.has(key)) return;
    if (warned.size < 1000) warned.add(key);
    options.logger.warn(obj, msg);
  };
  /** Questions on the wire, by queue: callers entering the same queue at once share one `QueueSummary`. */
  const asking = new Map<string, Promise<QueueStatus | undefined>>();

  function queueStatus(queue: string, signal: AbortSignal): Promise<QueueStatus | undefined> {
    if (!QUEUE_NAME.test(queue)) {
      warnOnce(`name:${queue}`, { code: 'ami-bad-queue-name', queue: queue.slice(0, 80) }, 'Queue name is not sent to AMI: use letters, digits, `_`, `.`, `@`, `+` and `-`.');
      return Promise.resolve(undefined);
    }
    if (signal.aborted) return Promise.resolve(undefined);
    const key = queue.toLowerCase();
    let shared = asking.get(key);
    if (!shared) {
      // Bounded by the action timeout, not by any one caller: one caller leaving must not cancel the others.
      shared = ask(queue).finally(() => asking.delete(key));
      asking.set(key, shared);
    }
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      void shared.then((status) => {
        signal.removeEventListener('abort', onAbort);
        resolve(status);
      });
    });
  }

  async function ask(queue: string): Promise<QueueStatus | undefined> {
    const result = await client.action({ Action: 'QueueSummary', Queue: queue });
    if (!result.ok) {
      options.logger.debug({ code: result.code, queue }, result.message);
      return undefined;
    }
    const summary = result.events.find((e) => e.event?.toLowerCase() === 'queuesummary' && e.queue?.toLowerCase() === queue.toLowerCase());
    if (!summary) {
      warnOnce(`unknown:${queue}`, { code: 'ami-unknown-queue', queue }, `Asterisk has no queue \`${queue}\`; check queues.conf or the flow's \`asteriskQueue\`.`);
      return undefined;
    }
    return parseSummary(summary);
  }

  return {
    status: ((queue?: string, signal?: AbortSignal) => {
      if (queue === undefined) return client.health();
      return queueStatus(queue, signal ?? new AbortController().signal);
    }) as AmiQueueStatus['status'],
    close: () => client.close(),
  };
}

/** Reads a `QueueSummary` event; undefined when a field is missing or not a number. */
export function parseSummary(event: AmiMessage): QueueStatus | undefined {
  const loggedIn = intField(event, 'LoggedIn');
  const free = intField(event, 'Available');
  const waiting = intField(event, 'Callers');
  const holdTimeSec = intField(event, 'HoldTime');
  if (loggedIn === undefined || free === undefined || waiting === undefined || holdTimeSec === undefined) return undefined;
  return { loggedIn, free: Math.min(free, loggedIn), waiting, holdTimeSec };
}

/** Settings from the environment: `undefined` when `TOUCHTONE_AMI_HOST` is not set (AMI is optional). */
export function amiOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): { ok: true; options: AmiQueueStatusOptions | undefined } | { ok: false; code: string; message: string } {
  const host = env.TOUCHTONE_AMI_HOST;
  if (!host) return { ok: true, options: undefined };
  const port = Number(env.TOUCHTONE_AMI_PORT ?? '5038');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, code: 'ami-bad-port', message: `TOUCHTONE_AMI_PORT \`${env.TOUCHTONE_AMI_PORT}\` is not a TCP port; set a number from 1 to 65535 (default 5038).` };
  }
  const timeoutMs = Number(env.TOUCHTONE_AMI_TIMEOUT_MS ?? '2000');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 50 || timeoutMs > 60_000) {
    return { ok: false, code: 'ami-bad-timeout', message: `TOUCHTONE_AMI_TIMEOUT_MS \`${env.TOUCHTONE_AMI_TIMEOUT_MS}\` is out of range; set milliseconds from 50 to 60000 (default 2000).` };
  }
  const username = env.TOUCHTONE_AMI_USER ?? 'touchtone';
  if (!username) return { ok: false, code: 'ami-no-user', message: 'TOUCHTONE_AMI_HOST is set but TOUCHTONE_AMI_USER is empty; set the read-only user from manager.conf.' };
  return { ok: true, options: { host, port, username, secret: env.TOUCHTONE_AMI_SECRET ?? '', timeoutMs, logger } };
}
