/**
 * The callback scheduler: takes "call me back" requests, and calls back when the queue has a free agent or at
 * the time the caller chose, oldest request first, with a cap on calls in progress, retries with a delay, and a
 * record of every attempt.
 *
 * Pure logic over injected ports (clock, queue status, originator, store): no sockets, no real time.
 * The callback call runs a short flow and enters the queue with `QUEUE_PRIO` above normal callers, so the
 * person keeps their place ahead of everyone who called after them.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../runtime/clock.js';
import type { Logger, QueueStatusProvider } from '../runtime/services.js';
import type { CallbackConfig } from './config.js';
import { allowed, CALLBACK_NUMBER, dialString, maskNumber } from './number-policy.js';
import type { CallbackAttempt, CallbackRecord, CallbackRequestInput, CallbackResult, CallbackStore, OriginateResult, Originator } from './types.js';

export interface CallbackSchedulerDeps {
  config: CallbackConfig;
  clock: Clock;
  queues: QueueStatusProvider;
  originator: Originator;
  store: CallbackStore;
  logger: Logger;
  /** Request ids; tests pass a counter. */
  newId?: () => string;
}

// `TOUCHTONE_<NAME>` stays within the 32 characters Stasis argument and channel variable names allow here.
const VAR_NAME = /^[A-Za-z][A-Za-z0-9_]{0,21}$/;
const MAX_VARS = 32;
const MAX_VAR_VALUE = 256;

/**
 * @example
 *   const scheduler = new CallbackScheduler({ config, clock, queues, originator: ari, store, logger });
 *   await scheduler.start();
 *   const result = await scheduler.request({ callId, caller: '+4930123', number: '+4930123', queue: 'support',
 *     requestedAt: clock.now(), vars: { account: '123' }, flow: 'acme-hotline' });
 */
export class CallbackScheduler {
  private readonly config: CallbackConfig;
  private readonly newId: () => string;
  /** Open requests (waiting or calling), by id. */
  private readonly open = new Map<string, CallbackRecord>();
  private readonly inFlight = new Set<string>();
  private timer: TimerHandle | undefined;
  private ticking = false;
  private tickAgain = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private readonly settling = new Set<Promise<void>>();
  /** Calls in progress that wait for their outcome, by request id. */
  private readonly awaiting = new Map<string, (result: OriginateResult) => void>();

  constructor(private readonly deps: CallbackSchedulerDeps) {
    this.config = deps.config;
    this.newId = deps.newId ?? (() => randomUUID());
  }

  /**
   * Loads open requests from the store and starts dispatching. A request that was `calling` when the process
   * stopped is retried: whether that call got through is unknown, and a second call beats a lost one.
   */
  async start(): Promise<void> {
    for (const record of await this.deps.store.open()) {
      const resumed: CallbackRecord = record.state === 'calling' ? { ...record, state: 'waiting', reason: 'interrupted by a restart', updatedAt: this.deps.clock.now() } : { ...record };
      if (record.state === 'calling') await this.deps.store.update(resumed);
      this.open.set(resumed.id, resumed);
    }
    this.kick();
  }

  /**
   * Stores a request after checking the number. Asking twice for the same number (or from the same call) while one
   * is open returns the open one with `duplicate: true`.
   */
  async request(input: CallbackRequestInput): Promise<CallbackResult> {
    if (this.stopped) return fail('callback-stopped', 'Callbacks are not taken while Touchtone shuts down; the caller should stay in the queue.');
    const checked = this.check(input);
    if (!checked.ok) return checked;
    const existing = [...this.open.values()].find((r) => r.number === input.number || r.callId === input.callId);
    if (existing) return { ok: true, record: { ...existing, vars: { ...existing.vars } }, duplicate: true };
    if (this.open.size >= this.config.maxPending) {
      return fail('callback-full', `${this.config.maxPending} callbacks are already waiting; the caller should stay in the queue \`${input.queue}\`.`);
    }
    const record: CallbackRecord = {
      id: this.newId(),
      callId: input.callId,
      caller: input.caller,
      number: input.number,
      queue: input.queue,
      ...(input.position !== undefined ? { position: input.position } : {}),
      requestedAt: input.requestedAt,
      ...(input.at !== undefined ? { at: input.at } : {}),
      vars: checked.vars,
      flow: input.flow,
      state: 'waiting',
      attempts: 0,
      updatedAt: this.deps.clock.now(),
    };
    await this.deps.store.add(record);
    this.open.set(record.id, record);
    this.deps.logger.info({ callbackId: record.id, callId: record.callId, number: maskNumber(record.number), queue: record.queue }, 'callback requested');
    this.kick();
    return { ok: true, record: { ...record, vars: { ...record.vars } }, duplicate: false };
  }

  /** Cancels a waiting request (the person called in again, or an admin removed it). False if not waiting. */
  async cancel(id: string, reason = 'cancelled'): Promise<boolean> {
    const record = this.open.get(id);
    if (!record || record.state !== 'waiting') return false;
    await this.finish(record, 'cancelled', reason);
    this.kick();
    return true;
  }

  /**
   * Reports how a placed callback call ended (the server calls it when the call that carries
   * `TOUCHTONE_CALLBACK_ID` ends): `ok` when the person reached the queue, else the reason, and the request is
   * retried. Returns false when no call of that request is waiting for an outcome.
   */
  outcome(id: string, result: OriginateResult): boolean {
    const finish = this.awaiting.get(id);
    if (!finish) return false;
    finish(result);
    return true;
  }

  /** Open requests in dispatch order, for the dashboard. */
  list(): CallbackRecord[] {
    return this.ordered().map((r) => ({ ...r, vars: { ...r.vars } }));
  }

  /** Number of callback calls in progress. */
  get active(): number {
    return this.inFlight.size;
  }

  /**
   * Stops dispatching without waiting for calls in progress: their requests stay `calling` in the store and are
   * tried again by the next `start()`. Waiting requests stay stored too. Leaves no timers.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const finish of [...this.awaiting.values()]) finish({ ok: false, reason: 'scheduler stopped' });
    await Promise.all([...this.settling]);
  }

  private check(input: CallbackRequestInput): { ok: true; vars: Record<string, string> } | { ok: false; code: 'callback-bad-number' | 'callback-not-confirmed' | 'callback-not-allowed' | 'callback-bad-request'; message: string } {
    const where = `(call \`${printable(input.callId, 64)}\`)`;
    if (typeof input.number !== 'string' || !CALLBACK_NUMBER.test(input.number)) {
      return fail('callback-bad-number', `The callback number \`${printable(input.number, 24)}\` is not a phone number ${where}; it must be 3 to 20 digits with an optional leading +.`);
    }
    const own = input.number === input.caller;
    if (!own && input.confirmed !== true) {
      return fail('callback-not-confirmed', `The callback number \`${maskNumber(input.number)}\` is not the caller's own and was not confirmed ${where}; read it back and let the caller confirm it.`);
    }
    if ((!own || this.config.restrictCallerToAllowList) && !allowed(input.number, this.config.allowPatterns)) {
      return fail('callback-not-allowed', `The callback number \`${maskNumber(input.number)}\` matches no allow-list pattern ${where}; add a pattern to the callback allow-list if such numbers should be called.`);
    }
    if (!input.queue || !Number.isFinite(input.requestedAt) || (input.at !== undefined && !Number.isFinite(input.at))) {
      return fail('callback-bad-request', `The callback request ${where} needs a queue and valid times.`);
    }
    const entries = Object.entries(input.vars ?? {});
    if (entries.length > MAX_VARS) return fail('callback-bad-request', `The callback request ${where} carries ${entries.length} variables; at most ${MAX_VARS} are kept.`);
    const vars: Record<string, string> = {};
    for (const [name, value] of entries) {
      if (!VAR_NAME.test(name)) return fail('callback-bad-request', `The callback variable \`${printable(name, 40)}\` ${where} is not a variable name; use letters, digits and \`_\`.`);
      // Channel variable values can reach the dialplan and agents' screens: keep them one printable line.
      vars[name] = String(value).replace(/[\0-\x1f\x7f]/g, ' ').slice(0, MAX_VAR_VALUE);
    }
    return { ok: true, vars };
  }

  private ordered(): CallbackRecord[] {
    return [...this.open.values()].sort((a, b) => a.requestedAt - b.requestedAt || a.id.localeCompare(b.id));
  }

  /** Runs a dispatch pass now (or right after the one running). */
  private kick(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    const pass = this.tick()
      .catch((error: unknown) => this.deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'callback dispatch failed'))
      .finally(() => {
        this.ticking = false;
        this.settling.delete(pass);
        if (this.tickAgain) {
          this.tickAgain = false;
          this.kick();
        } else this.arm();
      });
    this.settling.add(pass);
  }

  private async tick(): Promise<void> {
    const now = this.deps.clock.now();
    for (const record of this.ordered()) {
      if (record.state === 'waiting' && now - record.requestedAt > this.config.maxAgeMs) await this.finish(record, 'expired', 'no agent became free in time');
    }
    let slots = this.config.maxConcurrent - this.inFlight.size;
    if (slots <= 0) return;
    const due = this.ordered().filter((r) => r.state === 'waiting' && (r.nextAttemptAt ?? 0) <= now && (r.at === undefined || r.at <= now));
    const free = new Map<string, number>();
    for (const record of due) {
      if (slots <= 0 || this.stopped) break;
      if (record.at === undefined) {
        if (!free.has(record.queue)) free.set(record.queue, await this.freeAgents(record.queue));
        const left = free.get(record.queue)!;
        if (left <= 0) continue;
        free.set(record.queue, left - 1);
      }
      // The request may have been cancelled while we asked AMI.
      if (this.open.get(record.id)?.state !== 'waiting') continue;
      slots--;
      await this.dispatch(record);
    }
  }

  /** Free agents not already spoken for by a callback call in progress for the same queue. */
  private async freeAgents(queue: string): Promise<number> {
    const status = await this.deps.queues.status(queue, this.abort.signal);
    // Unknown (AMI down) means wait: calling someone back into a queue with nobody there breaks the promise.
    if (!status) return 0;
    const calling = [...this.inFlight].filter((id) => this.open.get(id)?.queue === queue).length;
    return status.free - calling;
  }

  private async dispatch(record: CallbackRecord): Promise<void> {
    const attempt = record.attempts + 1;
    const startedAt = this.deps.clock.now();
    const calling: CallbackRecord = { ...record, state: 'calling', attempts: attempt, updatedAt: startedAt };
    delete calling.nextAttemptAt;
    this.open.set(record.id, calling);
    this.inFlight.add(record.id);
    await this.deps.store.update(calling);
    this.deps.logger.info({ callbackId: record.id, attempt, number: maskNumber(record.number), queue: record.queue }, 'calling back');
    const call = this.originate(calling)
      .then((result) => this.settle(calling, attempt, startedAt, result))
      .catch((error: unknown) => this.deps.logger.error({ callbackId: record.id, err: error instanceof Error ? error.message : String(error) }, 'callback attempt could not be recorded'))
      .finally(() => this.settling.delete(call));
    this.settling.add(call);
  }

  private originate(record: CallbackRecord): Promise<OriginateResult> {
    let endpoint: string;
    try {
      endpoint = dialString(this.config.endpoint, record.number);
    } catch (error) {
      return Promise.resolve({ ok: false, reason: error instanceof Error ? error.message : String(error) });
    }
    const vars: Record<string, string> = {};
    // Same naming as the queue step's screen-pop variables: `TOUCHTONE_` plus the name in upper case.
    for (const [name, value] of Object.entries(record.vars)) vars[`TOUCHTONE_${name.toUpperCase()}`] = value;
    Object.assign(vars, {
      TOUCHTONE_CALLBACK_ID: record.id,
      TOUCHTONE_CALLBACK_QUEUE: record.queue,
      TOUCHTONE_CALLBACK_FLOW: record.flow,
      TOUCHTONE_CALLBACK_REQUESTED_AT: new Date(record.requestedAt).toISOString(),
      TOUCHTONE_QUEUE_PRIO: String(this.config.priority),
      QUEUE_PRIO: String(this.config.priority),
    });
    const request = { endpoint, flow: this.config.flow, vars, ...(this.config.callerId !== undefined ? { callerId: this.config.callerId } : {}) };
    return new Promise<OriginateResult>((resolve) => {
      const done = (result: OriginateResult): void => {
        if (this.awaiting.get(record.id) !== done) return;
        this.awaiting.delete(record.id);
        this.deps.clock.clearTimeout(timer);
        resolve(result);
      };
      // One bound on the whole attempt (placing it and, for placed calls, the reported outcome), so a stuck
      // adapter or a lost report cannot hold a slot for ever.
      const timer = this.deps.clock.setTimeout(() => done({ ok: false, reason: `no outcome within ${this.config.originateTimeoutMs} ms` }), this.config.originateTimeoutMs);
      this.awaiting.set(record.id, done);
      // The port promises not to throw; contain it anyway, since a throw here would strand the slot.
      Promise.resolve()
        .then(() => this.deps.originator.originate(request))
        .then(
          (result) => {
            if (!(result.ok && result.placed)) done(result);
          },
          (error: unknown) => done({ ok: false, reason: error instanceof Error ? error.message : String(error) }),
        );
    });
  }

  private async settle(record: CallbackRecord, attempt: number, startedAt: number, result: OriginateResult): Promise<void> {
    if (this.stopped) {
      // Leave the request `calling` in the store: the next start tries it again.
      this.inFlight.delete(record.id);
      return;
    }
    const endedAt = this.deps.clock.now();
    const entry: CallbackAttempt = { requestId: record.id, attempt, startedAt, endedAt, ok: result.ok, ...(result.reason !== undefined ? { reason: result.reason } : {}) };
    try {
      await this.deps.store.addAttempt(entry);
      if (result.ok) await this.finish(record, 'done');
      else if (attempt >= this.config.maxAttempts) await this.finish(record, 'failed', result.reason ?? 'failed');
      else {
        const retry: CallbackRecord = { ...record, state: 'waiting', nextAttemptAt: endedAt + this.config.retryDelayMs, updatedAt: endedAt, reason: result.reason ?? 'failed' };
        this.open.set(record.id, retry);
        await this.deps.store.update(retry);
      }
    } finally {
      this.inFlight.delete(record.id);
      this.deps.logger.info({ callbackId: record.id, attempt, ok: result.ok, reason: result.reason }, 'callback attempt ended');
      this.kick();
    }
  }

  private async finish(record: CallbackRecord, state: 'done' | 'failed' | 'cancelled' | 'expired', reason?: string): Promise<void> {
    this.open.delete(record.id);
    const final: CallbackRecord = { ...record, state, updatedAt: this.deps.clock.now() };
    delete final.nextAttemptAt;
    if (reason !== undefined) final.reason = reason;
    await this.deps.store.update(final);
  }

  /** Sets the one timer: the next retry or chosen time, or the next queue poll while anything waits for an agent. */
  private arm(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped || this.open.size === 0) return;
    const now = this.deps.clock.now();
    let wake = Infinity;
    for (const record of this.open.values()) {
      if (record.state !== 'waiting') continue;
      const ready = Math.max(record.nextAttemptAt ?? now, record.at ?? now);
      // Waiting for a time: wake exactly then. Waiting for an agent: ask again after `pollMs`. Due but not
      // dispatched at a chosen time means every slot is busy: the end of a call in progress kicks the next pass.
      if (ready > now) wake = Math.min(wake, ready);
      else if (record.at === undefined) wake = Math.min(wake, now + this.config.pollMs);
      wake = Math.min(wake, record.requestedAt + this.config.maxAgeMs + 1);
    }
    if (wake === Infinity) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, Math.max(wake - now, 0));
  }
}

/** A caller-supplied value, cut to `max` characters and with control characters shown as `?`, for messages. */
function printable(value: unknown, max: number): string {
  return String(value).slice(0, max).replace(/[\0-\x1f\x7f]/g, '?');
}

function fail<C extends string>(code: C, message: string): { ok: false; code: C; message: string } {
  return { ok: false, code, message };
}
