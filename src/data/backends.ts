/**
 * The backends behind `lookup` sources: SQLite (read-only), HTTP/JSON, files (YAML, JSON, CSV) and modules.
 * Each turns a key into a record or undefined, and throws `LookupFailure` with a code on errors; `lookup-guard.ts`
 * adds timeouts, caching, the circuit breaker and secret checks.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Clock } from '../runtime/clock.js';
import type { LookupRecord } from '../runtime/services.js';
import { openSqliteLookup, seedDatabase, type SqliteLookup } from '../store/sqlite-lookup.js';
import { parseCsv } from './csv.js';
import { readJsonPath } from './json-path.js';
import { LookupFailure, VERIFIED, type Backend } from './lookup-guard.js';

function asRecord(row: unknown): LookupRecord | undefined {
  return row !== null && typeof row === 'object' && !Array.isArray(row) ? (row as LookupRecord) : undefined;
}

/**
 * A table or named read-only query in a SQLite file. When the file is missing and a `.sql` file with the same
 * name lies beside it, the database is built from that seed first.
 */
export function sqliteBackend(spec: { file: string; table?: string; query?: string; key?: string }): Backend {
  let lookup: SqliteLookup | undefined;
  const close = () => {
    lookup?.close();
    lookup = undefined;
  };
  return Object.assign(async (key: string) => {
    if (!lookup) {
      const seed = spec.file.replace(/\.(db|sqlite3?)$/i, '') + '.sql';
      try {
        if (seed !== spec.file && existsSync(seed)) seedDatabase(spec.file, seed);
        lookup = openSqliteLookup({ file: spec.file, ...(spec.table ? { table: spec.table } : {}), ...(spec.query ? { query: spec.query } : {}), ...(spec.key ? { key: spec.key } : {}) });
      } catch (error) {
        const code = (error as { code?: string }).code;
        throw new LookupFailure(typeof code === 'string' && code.startsWith('sqlite-') ? code : 'sqlite-open-failed', error instanceof Error ? error.message : String(error));
      }
    }
    try {
      return asRecord(lookup.get(key));
    } catch (error) {
      throw new LookupFailure('sqlite-failed', error instanceof Error ? error.message : String(error));
    }
  }, { close });
}

/** An `http:` source as the flow declares it. */
export interface HttpSpec {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  map?: Record<string, string>;
  retries?: number;
}

/** The largest HTTP answer a lookup accepts. */
/** A lookup answer is a small record; a huge body would hold memory and block the event loop while parsed. */
const MAX_BODY_BYTES = 1_000_000;

/** Reads a body as text, refusing it as soon as it is longer than `limit` bytes, before it is all in memory. */
async function readBounded(response: Response, limit: number, where: string): Promise<string> {
  const tooLarge = () => new LookupFailure('http-bad-body', `${where} answered more than ${limit} bytes`);
  if (Number(response.headers.get('content-length') ?? 0) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > limit) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const PLACEHOLDER = /\$\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}/g;

/**
 * Fills `${key}` and `${env.NAME}` in a URL, header or body template. The key is encoded for where it goes
 * (URL component, or JSON string content in a body); environment values come from the server's config, not from
 * the caller, and are inserted as they are.
 */
export function fillTemplate(template: string, key: string, env: Readonly<Record<string, string | undefined>>, encode: (s: string) => string): string {
  return template.replace(PLACEHOLDER, (_all, path: string) => {
    if (path === 'key') return encode(key);
    if (path.startsWith('env.')) {
      const value = env[path.slice(4)];
      if (value === undefined) throw new LookupFailure('http-missing-env', `the environment variable \`${path.slice(4)}\` is not set: set it for the server`);
      return value;
    }
    throw new LookupFailure('http-bad-template', `\`\${${path}}\` cannot be used in an HTTP source: use \`\${key}\` or \`\${env.NAME}\``);
  });
}

const jsonString = (s: string) => JSON.stringify(s).slice(1, -1);

/**
 * What the server's config (or environment) adds to an HTTP source, so the flow file holds neither hosts per
 * installation nor secrets: a base URL for relative `url`s, and headers such as `authorization`.
 */
export interface HttpSite {
  baseUrl?: string;
  headers?: Record<string, string>;
}

function absoluteUrl(url: string, baseUrl: string | undefined): string {
  if (/^https?:\/\//i.test(url)) return url;
  if (!baseUrl) {
    throw new LookupFailure('http-no-base-url', `the URL \`${url}\` is relative and no base URL is configured: set one for the source in the config or its \`TOUCHTONE_<SOURCE>_URL\` environment variable`);
  }
  return baseUrl.replace(/\/+$/, '') + '/' + url.replace(/^\/+/, '');
}

/**
 * An HTTP/JSON API. 404 means not found; other non-2xx, network errors and bodies that are not JSON objects are
 * errors. 5xx, 429 and network errors are retried `retries` times with doubling backoff on the injected clock.
 */
export function httpBackend(spec: HttpSpec, env: Readonly<Record<string, string | undefined>>, clock: Clock, site: HttpSite = {}): Backend {
  const retries = spec.retries ?? 1;
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = clock.setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clock.clearTimeout(timer);
        reject(signal.reason);
      }, { once: true });
    });
  return async (key, signal) => {
    const url = absoluteUrl(fillTemplate(spec.url, key, env, encodeURIComponent), site.baseUrl);
    const headers: Record<string, string> = { accept: 'application/json', ...site.headers };
    for (const [name, value] of Object.entries(spec.headers ?? {})) headers[name] = fillTemplate(value, key, env, encodeURIComponent);
    const method = spec.method ?? 'GET';
    const body = method === 'POST' && spec.body !== undefined ? fillTemplate(spec.body, key, env, jsonString) : undefined;
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal });
      } catch (error) {
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new LookupFailure('aborted', 'aborted');
        if (attempt < retries) {
          await sleep(100 * 2 ** attempt, signal);
          continue;
        }
        throw new LookupFailure('http-network', `cannot reach \`${new URL(url).host}\`: ${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)}`);
      }
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      if ((response.status >= 500 || response.status === 429) && attempt < retries) {
        await response.body?.cancel();
        await sleep(100 * 2 ** attempt, signal);
        continue;
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel();
        throw new LookupFailure('http-status', `\`${method} ${new URL(url).pathname}\` answered ${response.status}`);
      }
      const where = `\`${method} ${new URL(url).pathname}\``;
      const type = response.headers.get('content-type');
      if (type && !/\bjson\b/i.test(type)) {
        await response.body?.cancel();
        throw new LookupFailure('http-bad-body', `${where} answered \`${type.split(';')[0]!.slice(0, 60)}\`, not JSON`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readBounded(response, MAX_BODY_BYTES, where));
      } catch (error) {
        if (error instanceof LookupFailure) throw error;
        throw new LookupFailure('http-bad-body', `\`${method} ${new URL(url).pathname}\` did not answer with JSON`);
      }
      if (parsed === null) return undefined;
      if (!spec.map) {
        const record = asRecord(parsed);
        if (!record) throw new LookupFailure('http-bad-body', `\`${method} ${new URL(url).pathname}\` answered JSON that is not an object: add a \`map\``);
        return record;
      }
      const record: Record<string, unknown> = {};
      for (const [name, path] of Object.entries(spec.map)) record[name] = readJsonPath(parsed, path);
      return record;
    }
  };
}

/**
 * A table in a YAML, JSON or CSV file: a list of rows (the `key` column finds one) or a map from key to row.
 * The file is re-read when its modification time changes (checked at most once a second).
 */
export function fileBackend(spec: { path: string; key: string }, clock: Clock): Backend {
  let table: Map<string, LookupRecord> | undefined;
  let mtime = -1;
  let checkedAt = -Infinity;
  // Synchronous on purpose: table files are small (capped below), a stat costs microseconds once a second, and a
  // lookup that never waits on real I/O also works under the virtual clock of `touchtone simulate --script`,
  // where an asynchronous read would lose the race against the lookup's (virtual) timeout.
  const load = () => {
    let info;
    try {
      info = statSync(spec.path);
    } catch {
      throw new LookupFailure('file-missing', `the data file \`${spec.path}\` does not exist`);
    }
    if (table && info.mtimeMs === mtime) return;
    if (info.size > MAX_TABLE_FILE_BYTES) {
      throw new LookupFailure('file-too-large', `the data file \`${spec.path}\` has ${info.size} bytes; table files may have at most ${MAX_TABLE_FILE_BYTES}: use a \`sqlite\` source for large tables`);
    }
    table = indexRows(parseTable(spec.path, readFileSync(spec.path, 'utf8')), spec.key, spec.path);
    mtime = info.mtimeMs;
  };
  return async (key) => {
    const now = clock.now();
    if (!table || now - checkedAt >= 1000 || now < checkedAt) {
      checkedAt = now;
      load();
    }
    return table!.get(key);
  };
}

/** Table files are read whole on change; larger tables belong in SQLite. */
const MAX_TABLE_FILE_BYTES = 8 * 1024 * 1024;

function parseTable(path: string, text: string): unknown {
  const ext = extname(path).toLowerCase();
  try {
    if (ext === '.csv') return parseCsv(text);
    if (ext === '.json') return JSON.parse(text);
    if (ext === '.yaml' || ext === '.yml') return parseYaml(text);
  } catch (error) {
    throw new LookupFailure('file-bad-content', `\`${path}\` cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new LookupFailure('file-bad-type', `\`${path}\` is not a table file: use \`.csv\`, \`.json\`, \`.yaml\` or \`.yml\``);
}

function indexRows(data: unknown, keyField: string, path: string): Map<string, LookupRecord> {
  const table = new Map<string, LookupRecord>();
  if (Array.isArray(data)) {
    for (const row of data) {
      const record = asRecord(row);
      if (record && record[keyField] !== undefined && record[keyField] !== null) table.set(String(record[keyField]), record);
    }
    return table;
  }
  const map = asRecord(data);
  if (!map) throw new LookupFailure('file-bad-content', `\`${path}\` holds neither a list of rows nor a map of rows`);
  for (const [key, row] of Object.entries(map)) {
    const record = asRecord(row);
    if (record) table.set(key, { [keyField]: key, ...record });
  }
  return table;
}

/**
 * A developer's function: `export async function lookup(key, { signal }) { return record or undefined }`. TypeScript
 * modules load when Touchtone runs under tsx; in production, point at the compiled `.js`. A module that exports
 * `verifiesSecrets = true` checks PINs itself: it gets `{ signal, verify }` and returns the record only when they
 * match (lockouts still apply).
 */
export function moduleBackend(spec: { path: string; export?: string }): Backend {
  type LookupFn = (key: string, context: { signal: AbortSignal; verify?: Readonly<Record<string, string>> }) => unknown;
  let fn: LookupFn | undefined;
  let verifies = false;
  return async (key, signal, verify) => {
    if (!fn) {
      let mod: Record<string, unknown>;
      try {
        mod = (await import(pathToFileURL(spec.path).href)) as Record<string, unknown>;
      } catch (error) {
        throw new LookupFailure('module-load-failed', `cannot load \`${spec.path}\`: ${error instanceof Error ? error.message : String(error)}`);
      }
      const name = spec.export ?? 'lookup';
      const candidate = mod[name] ?? (name === 'lookup' ? mod.default : undefined);
      if (typeof candidate !== 'function') throw new LookupFailure('module-no-function', `\`${spec.path}\` exports no function \`${name}\`: export one, or name it with \`export\``);
      fn = candidate as LookupFn;
      verifies = mod.verifiesSecrets === true;
    }
    const checking = verifies && verify !== undefined;
    const result = await fn(key, checking ? { signal, verify } : { signal });
    let record: LookupRecord | undefined;
    if (result !== undefined && result !== null) {
      record = asRecord(result);
      if (!record) throw new LookupFailure('module-bad-result', `\`${spec.path}\` returned ${Array.isArray(result) ? 'a list' : typeof result}, not a record`);
    }
    return checking ? { verified: VERIFIED, record } : record;
  };
}
