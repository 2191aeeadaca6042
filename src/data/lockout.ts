/**
 * Limits on secret checks (PINs): a number of attempts per call, and per account a lockout with a delay that
 * doubles each time the account locks again. Account state lives in a `LockoutRepository` (SQLite in
 * production, so lockouts survive restarts and are shared by every call); attempts per call stay in memory.
 * Scopes are hashed, so neither the account number nor the PIN is ever stored in clear here.
 */
import { createHash } from 'node:crypto';

/** The lockout state of one account in one source. */
export interface LockoutRecord {
  /** Failures since the last success or lockout. */
  failures: number;
  lockedUntil?: number;
  /** How many times the account has been locked: the next lock lasts base × 2^lockouts. */
  lockouts: number;
  updatedAt: number;
}

/** Where lockout states live: SQLite (`store.lockouts`) or memory. */
export interface LockoutRepository {
  get(scope: string): LockoutRecord | undefined;
  put(scope: string, record: LockoutRecord): void;
  clear(scope: string): void;
}

/** Limits on secret checks. */
export interface LockoutPolicy {
  /** Wrong secrets in a row before the account locks. Default 3. */
  maxFailures: number;
  /** First lock length. Default 5 minutes. */
  baseLockMs: number;
  /** Longest lock. Default 24 hours. */
  maxLockMs: number;
  /** Secret checks allowed in one call (right or wrong). Default 3. */
  perCallAttempts: number;
}

/** 3 failures lock for 5 minutes, doubling up to 24 hours; 3 checks per call. */
export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = { maxFailures: 3, baseLockMs: 5 * 60_000, maxLockMs: 24 * 3600_000, perCallAttempts: 3 };

/** In-memory repository, for tests and for running without a database. */
export function createMemoryLockouts(): LockoutRepository {
  const map = new Map<string, LockoutRecord>();
  return {
    get: (scope) => map.get(scope),
    put: (scope, record) => void map.set(scope, { ...record }),
    clear: (scope) => void map.delete(scope),
  };
}

/** The scope of an account in a source: a hash, so the repository holds no account numbers. */
export function lockoutScope(source: string, key: string): string {
  return createHash('sha256').update(`${source}\u0000${key}`).digest('hex').slice(0, 32);
}

/**
 * Decides whether a secret may be checked, and records the outcome.
 * @example const guard = new PinGuard(createMemoryLockouts()); if (guard.allowed(scope, callId, now)) { … guard.failed(scope, callId, now) }
 */
export class PinGuard {
  private readonly perCall = new Map<string, number>();

  constructor(
    private readonly repo: LockoutRepository,
    private readonly policy: LockoutPolicy = DEFAULT_LOCKOUT_POLICY,
  ) {}

  /** False when the account is locked or the call has used its attempts. Counts the attempt when true. */
  allowed(scope: string, callId: string, now: number): boolean {
    const used = this.perCall.get(callId) ?? 0;
    if (used >= this.policy.perCallAttempts) return false;
    const record = this.repo.get(scope);
    if (record?.lockedUntil !== undefined && now < record.lockedUntil) return false;
    // Bound the map: calls end, but nobody tells the guard; drop the oldest entries.
    if (this.perCall.size > 10_000) this.perCall.delete(this.perCall.keys().next().value!);
    this.perCall.set(callId, used + 1);
    return true;
  }

  /** Records a wrong secret; returns true when this failure locked the account. */
  failed(scope: string, now: number): boolean {
    const record = this.repo.get(scope) ?? { failures: 0, lockouts: 0, updatedAt: now };
    const failures = record.failures + 1;
    if (failures >= this.policy.maxFailures) {
      const lockMs = Math.min(this.policy.maxLockMs, this.policy.baseLockMs * 2 ** record.lockouts);
      this.repo.put(scope, { failures: 0, lockouts: record.lockouts + 1, lockedUntil: now + lockMs, updatedAt: now });
      return true;
    }
    this.repo.put(scope, { ...record, failures, updatedAt: now });
    return false;
  }

  /** A right secret clears the failures (the lock count stays, so repeated abuse still escalates). */
  succeeded(scope: string, now: number): void {
    const record = this.repo.get(scope);
    if (record && (record.failures > 0 || record.lockedUntil !== undefined)) {
      this.repo.put(scope, { failures: 0, lockouts: record.lockouts, updatedAt: now });
    }
  }
}
