/**
 * What every data source shares, whatever its backend: a timeout, a cache with a TTL, a circuit breaker,
 * secret verification with lockouts, and the rule that a lookup returns a value and never throws.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../runtime/clock.js';
import type { DataSource, LookupRecord, LookupRequest, LookupResult, Logger } from '../runtime/services.js';
import { PinGuard, lockoutScope } from './lockout.js';

/**
 * A backend's answer when it checked the secrets itself (a module that asks the bank's core system): the record
 * when they matched, undefined when they did not or the account does not exist.
 */
export interface VerifiedAnswer {
  verified: typeof VERIFIED;
  record: LookupRecord | undefined;
}
export const VERIFIED: unique symbol = Symbol('verified');

type BackendAnswer = LookupRecord | undefined | VerifiedAnswer;

function isVerified(answer: BackendAnswer): answer is VerifiedAnswer {
  return answer !== undefined && (answer as { verified?: unknown }).verified === VERIFIED;
}

/**
 * A backend: the record for a key, or undefined when there is none. Throws `LookupFailure` (or anything) on errors.
 * It sees `verify` only to check the secrets itself, and then answers with a `VerifiedAnswer`.
 */
export type Backend = ((key: string, signal: AbortSignal, verify?: Readonly<Record<string, string>>) => Promise<BackendAnswer>) & {
  /** Lets go of what the backend holds open (a database), once no flow version uses it. */
  close?: () => void;
};

/** A failure with a stable code; other exceptions become `source-failed`. */
export class LookupFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What `guardSource` adds around a backend. */
export interface GuardOptions {
  name: string;
  clock: Clock;
  logger: Logger;
  timeoutMs: number;
  cacheTtlMs?: number;
  /** Consecutive failures that open the circuit. Default 5. */
  breakerThreshold?: number;
  /** How long an open circuit rejects lookups before one trial. Default 30 s. */
  breakerCooldownMs?: number;
  pins: PinGuard;
}

const MAX_CACHE = 10_000;

function sameSecret(a: string, b: string): boolean {
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Waits for the backend, the timeout or the caller's abort, whichever comes first. */
function race(backend: Backend, key: string, verify: Readonly<Record<string, string>> | undefined, outer: AbortSignal, clock: Clock, timeoutMs: number): Promise<BackendAnswer> {
  const controller = new AbortController();
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clock.clearTimeout(timer);
      outer.removeEventListener('abort', onAbort);
      fn();
    };
    const timer = clock.setTimeout(() => {
      controller.abort(new LookupFailure('timeout', `no answer within ${timeoutMs} ms`));
      finish(() => reject(new LookupFailure('timeout', `no answer within ${timeoutMs} ms`)));
    }, timeoutMs);
    const onAbort = () => {
      controller.abort(outer.reason);
      finish(() => reject(new LookupFailure('aborted', 'the call left the step')));
    };
    if (outer.aborted) return onAbort();
    outer.addEventListener('abort', onAbort, { once: true });
    backend(key, controller.signal, verify).then(
      (record) => finish(() => resolve(record)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

/**
 * Wraps a backend into a `DataSource`.
 * @example const source = guardSource(async (key) => table.get(key), { name: 'prices', clock, logger, timeoutMs: 3000, pins });
 */
export function guardSource(backend: Backend, options: GuardOptions): DataSource {
  const cache = new Map<string, { until: number; record: BackendAnswer }>();
  const threshold = options.breakerThreshold ?? 5;
  const cooldown = options.breakerCooldownMs ?? 30_000;
  let failures = 0;
  let openUntil = 0;
  let trialRunning = false;

  async function fetchRecord(key: string, signal: AbortSignal, verify: Readonly<Record<string, string>> | undefined): Promise<BackendAnswer> {
    const now = options.clock.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.record;
    if (failures >= threshold) {
      if (now < openUntil || trialRunning) throw new LookupFailure('circuit-open', `source \`${options.name}\` failed ${failures} times in a row; waiting before trying again`);
      trialRunning = true;
    }
    try {
      const record = await race(backend, key, verify, signal, options.clock, options.timeoutMs);
      failures = 0;
      // An answer that depends on the secret is never cached.
      if (options.cacheTtlMs && !isVerified(record)) {
        if (cache.size >= MAX_CACHE) cache.delete(cache.keys().next().value!);
        cache.set(key, { until: options.clock.now() + options.cacheTtlMs, record });
      }
      return record;
    } catch (error) {
      // An abort by the caller says nothing about the backend's health.
      if (!(error instanceof LookupFailure && error.code === 'aborted')) {
        failures++;
        if (failures >= threshold) openUntil = options.clock.now() + cooldown;
      }
      throw error;
    } finally {
      trialRunning = false;
    }
  }

  return {
    async lookup(request: LookupRequest): Promise<LookupResult> {
      const started = options.clock.now();
      const verify = request.verify && Object.keys(request.verify).length ? request.verify : undefined;
      const scope = verify ? lockoutScope(options.name, request.key) : '';
      try {
        if (verify && !options.pins.allowed(scope, request.callId, started)) return { status: 'locked' };
        const answer = await fetchRecord(request.key, request.signal, verify);
        if (isVerified(answer)) {
          if (!verify) return answer.record ? { status: 'found', record: answer.record } : { status: 'notFound' };
          if (!answer.record) {
            options.pins.failed(scope, options.clock.now());
            return { status: 'notFound' };
          }
          options.pins.succeeded(scope, options.clock.now());
          return { status: 'found', record: answer.record };
        }
        const record = answer;
        if (!verify) return record ? { status: 'found', record } : { status: 'notFound' };
        // Same answer for a missing account and a wrong secret, and both count against the account.
        const ok = record !== undefined && Object.entries(verify).every(([field, value]) => sameSecret(String(record[field] ?? '\u0000missing'), value));
        if (!ok) {
          options.pins.failed(scope, options.clock.now());
          return { status: 'notFound' };
        }
        options.pins.succeeded(scope, options.clock.now());
        const visible = Object.fromEntries(Object.entries(record).filter(([field]) => !(field in verify)));
        return { status: 'found', record: visible };
      } catch (error) {
        const code = error instanceof LookupFailure ? error.code : 'source-failed';
        const message = error instanceof Error ? error.message : String(error);
        options.logger.warn({ source: options.name, callId: request.callId, code, error: message, ms: options.clock.now() - started }, 'lookup failed');
        return { status: 'error', code, message };
      }
    },
  };
}
