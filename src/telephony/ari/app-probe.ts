/**
 * Checks that Asterisk still delivers our app's events: it sends the app a user event and expects it back on the
 * event socket. Asterisk unregisters an app *by name* when an old connection of it finishes closing, even one a
 * newer connection already replaced (`stasis_app_unregister()` from the session cleanup in
 * `res/ari/ari_websockets.c`). The new socket then stays open and answers pings, but hears nothing, and new calls
 * fail `Stasis()`. A reconnect registers the app again, so a probe that does not come back recycles the socket.
 */
import type { Clock, TimerHandle } from '../../runtime/clock.js';
import type { AriEvent } from './ari-types.js';
import type { AriLogger } from './options.js';
import { ok, type AriRestClient } from './rest-client.js';

/** The user event's name. */
export const PROBE_EVENT = 'touchtone-probe';

export interface AppProbeOptions {
  rest: AriRestClient;
  clock: Clock;
  log: AriLogger;
  app: string;
  /** Distinguishes this process's probes. */
  tag: string;
  /** How long a probe may take to come back. */
  timeoutMs: number;
  /** Time between probes once the first ones (at 0, 250 and 500 ms after a connect) came back; 0: only those. */
  intervalMs: number;
  /** Whether the event socket is open now. */
  connected(): boolean;
  /** Drops the socket so that it reconnects. */
  recycle(reason: string): void;
}

/** The app probe of one adapter: `opened()` on every (re)connect, `closed()` when the socket drops. */
export class AppProbe {
  private timer: TimerHandle | undefined;
  private seq = 0;
  private heardSinceOpen = 0;
  private readonly waiting = new Map<string, () => void>();
  private eventAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  /** When a probe last came back. */
  checkedAt: number | undefined;

  constructor(private readonly options: AppProbeOptions) {}

  /** The socket (re)opened: probe now, then again soon, since the race lands just after a connect. */
  opened(): void {
    this.heardSinceOpen = 0;
    void this.check();
  }

  closed(): void {
    this.clearTimer();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    for (const settle of this.waiting.values()) settle();
    this.waiting.clear();
  }

  /** Every event of our app passes here: any of them proves the app registered, and one may be a probe. */
  event(event: AriEvent): void {
    this.eventAt = this.options.clock.now();
    if (event.type !== 'ChannelUserevent' || event.eventname !== PROBE_EVENT) return;
    const id = event.userevent?.probe;
    if (typeof id === 'string') this.waiting.get(id)?.();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async check(): Promise<void> {
    this.clearTimer();
    const { clock, log, app } = this.options;
    if (this.stopped || !this.options.connected()) return;
    const result = await this.probe();
    // Refused (an Asterisk without user events): nothing to check on this connection; the warning said so.
    if (this.stopped || result === 'refused') return;
    if (result === 'silent') {
      if (!this.options.connected()) return;
      log.error({ code: 'ARI_APP_INACTIVE', app }, 'a probe sent to our ARI app did not come back; reconnecting to register the app again');
      this.options.recycle('app inactive');
      return;
    }
    if (result === 'heard') {
      this.checkedAt = clock.now();
      this.heardSinceOpen += 1;
    }
    // Heard, or unanswered (a slow Asterisk): probing goes on, so one lost answer does not end the checks.
    const interval = this.options.intervalMs;
    if (interval <= 0) return;
    const delay = this.heardSinceOpen < 3 ? Math.min(interval, 250 * Math.max(1, this.heardSinceOpen)) : interval;
    this.timer = clock.setTimeout(() => void this.check(), delay);
  }

  /**
   * `heard`: the probe came back. `silent`: it did not (or Asterisk says the app is gone). `refused`: Asterisk
   * refuses user events (4xx). `unanswered`: the request got no answer or a server error; the next probe will tell.
   */
  private async probe(): Promise<'heard' | 'silent' | 'refused' | 'unanswered'> {
    const { clock, rest, log, app } = this.options;
    const id = `${this.options.tag}-${++this.seq}`;
    const sentAt = clock.now();
    let timer: TimerHandle | undefined;
    const heard = new Promise<boolean>((resolve) => {
      this.waiting.set(id, () => resolve(true));
      // A busy socket may deliver the probe late; any event of our app since it was sent also proves the app alive.
      timer = clock.setTimeout(() => resolve(this.eventAt >= sentAt), this.options.timeoutMs);
    });
    const sent = await rest.request<{ message?: unknown }>('POST', `/events/user/${PROBE_EVENT}`, { application: app }, { variables: { probe: id } });
    // 404 `Application not found`: our socket is open but the app is gone (the same race, after Asterisk's cleanup).
    const unregistered = sent.status === 404 && /application/i.test(String(sent.body?.message ?? ''));
    let result: 'heard' | 'silent' | 'refused' | 'unanswered';
    if (ok(sent)) result = (await heard) ? 'heard' : 'silent';
    else if (unregistered) result = 'silent';
    else if (sent.status >= 400 && sent.status < 500) {
      result = 'refused';
      log.warn({ code: 'ARI_PROBE_REFUSED', status: sent.status }, 'Asterisk refused the app probe (a user event); the app is not checked on this connection');
    } else {
      result = 'unanswered';
      log.debug({ code: 'ARI_PROBE_UNANSWERED', status: sent.status, error: sent.error }, 'the app probe got no answer; the next one will tell');
    }
    clock.clearTimeout(timer!);
    this.waiting.delete(id);
    return result;
  }
}
