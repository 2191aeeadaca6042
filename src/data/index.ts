/**
 * The data layer: `lookup` sources, opening hours and PIN limits. `createDataSourceFactory` builds a flow's
 * sources from their definitions (`data:` in the flow file).
 *
 * @example
 *   const data = createDataSourceFactory({ store, env: process.env, clock: systemClock, logger });
 *   const prices = data.create('prices', { file: { path: 'prices.csv', key: 'code' } }, '/srv/flows');
 *   await prices.lookup({ key: '1234', signal, callId });  // { status: 'found', record: { code: '1234', … } }
 */
import { isAbsolute, resolve } from 'node:path';
import type { Clock } from '../runtime/clock.js';
import { systemClock } from '../runtime/clock.js';
import { durationMs } from '../flow/duration.js';
import type { DataSourceDef } from '../flow/types.js';
import { silentLogger, type DataSource, type DataSourceFactory, type Logger } from '../runtime/services.js';
import { fileBackend, httpBackend, moduleBackend, sqliteBackend, type HttpSite } from './backends.js';
import { createMemoryLockouts, DEFAULT_LOCKOUT_POLICY, PinGuard, type LockoutPolicy, type LockoutRepository } from './lockout.js';
import { guardSource, LookupFailure, type Backend } from './lookup-guard.js';

export { createHoursService, parseWeekly, parseShifts, parseDays, checkHours, createMemoryOverrides } from './hours.js';
export type { HoursProblem, HoursOverride, HoursOverrideSource, HoursOverrideStore } from './hours.js';
export { PinGuard, createMemoryLockouts, lockoutScope, DEFAULT_LOCKOUT_POLICY } from './lockout.js';
export type { LockoutPolicy, LockoutRecord, LockoutRepository } from './lockout.js';
export { parseJsonPath, readJsonPath } from './json-path.js';
export { parseCsv } from './csv.js';
export { LookupFailure } from './lookup-guard.js';
export type { HttpSite } from './backends.js';

/** Default lookup timeout when the source names none. */
export const DEFAULT_LOOKUP_TIMEOUT_MS = 3_000;

/** Options of `createDataSourceFactory`. */
export interface DataSourceFactoryOptions {
  /** Where PIN lockouts live (the store); in memory when absent. */
  store?: { lockouts: LockoutRepository };
  /** Environment for `${env.NAME}` in HTTP headers and URLs. */
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  logger?: Logger;
  lockoutPolicy?: Partial<LockoutPolicy>;
  /** Per HTTP source name: base URL for relative URLs and extra headers (secrets), from the server's config. */
  http?: Record<string, HttpSite>;
}

/** `orders` → `TOUCHTONE_ORDERS_URL`, `order-api` → `TOUCHTONE_ORDER_API_URL`: the environment's base URL of a source. */
export function baseUrlVariable(source: string): string {
  return `TOUCHTONE_${source.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`;
}

function backendFor(def: DataSourceDef, flowDir: string, options: DataSourceFactoryOptions, clock: Clock, name: string): Backend {
  const env = options.env ?? {};
  const at = (path: string) => (isAbsolute(path) ? path : resolve(flowDir, path));
  if ('sqlite' in def) return sqliteBackend({ ...def.sqlite, file: at(def.sqlite.file ?? `${name}.db`) });
  if ('http' in def) {
    const site = options.http?.[name] ?? {};
    const baseUrl = site.baseUrl ?? env[baseUrlVariable(name)];
    return httpBackend(def.http, env, clock, { ...site, ...(baseUrl ? { baseUrl } : {}) });
  }
  if ('file' in def) return fileBackend({ path: at(def.file.path), key: def.file.key }, clock);
  if ('module' in def) return moduleBackend({ ...def.module, path: at(def.module.path) });
  return async () => {
    throw new LookupFailure('source-unknown-kind', `source \`${name}\` names no kind: use \`sqlite\`, \`http\`, \`file\` or \`module\``);
  };
}


/**
 * Creates the factory the engine uses to build each flow's data sources. Sources are cached per flow folder and
 * definition, so every call of a flow, and every version with the same definition, shares one cache, one circuit
 * breaker and one open database. When the last version using a definition closes its source (the engine drops
 * versions nobody uses), the entry goes and its database is closed.
 */
export function createDataSourceFactory(options: DataSourceFactoryOptions = {}): DataSourceFactory {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const pins = new PinGuard(options.store?.lockouts ?? createMemoryLockouts(), { ...DEFAULT_LOCKOUT_POLICY, ...options.lockoutPolicy });
  const built = new Map<string, { source: DataSource; backend: Backend; holders: number }>();
  return {
    // `close()` gives a source back; the last one closes what it holds.
    create(name, def, flowDir): DataSource {
      const id = `${flowDir}\u0000${name}\u0000${JSON.stringify(def)}`;
      let entry = built.get(id);
      if (!entry) {
        const backend = backendFor(def, flowDir, options, clock, name);
        const source = guardSource(backend, {
          name,
          clock,
          logger,
          timeoutMs: durationMs(def.timeout, DEFAULT_LOOKUP_TIMEOUT_MS),
          ...(def.cacheTtl ? { cacheTtlMs: durationMs(def.cacheTtl, 0) } : {}),
          pins,
        });
        built.set(id, (entry = { source, backend, holders: 0 }));
      }
      const held = entry;
      held.holders++;
      let open = true;
      return {
        // A source given back never reaches its backend again: the backend may have closed its database, and a
        // lookup would open it anew with nobody left to close it.
        lookup: (request) => (open ? held.source.lookup(request) : Promise.resolve({ status: 'error', code: 'source-closed', message: `source \`${name}\` was given back with its flow version` })),
        close: () => {
          if (!open) return;
          open = false;
          if (--held.holders > 0 || built.get(id) !== held) return;
          built.delete(id);
          held.backend.close?.();
        },
      };
    },
  };
}
