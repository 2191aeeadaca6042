/**
 * Reads `touchtone.yaml` (optional) and the `TOUCHTONE_*` environment into one validated `TouchtoneConfig`.
 * Problems come back as the same `Diagnostic`s flows use, with positions in the file, so they print the same way.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { locate as locateIn, type SourceFile } from '../flow/source.js';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { Diagnostic, Position, Range } from '../flow/diagnostics.js';
import { hasErrors, pointer as makePointer, pointerSegments } from '../flow/diagnostics.js';
import { configSchema, SETTINGS, type Setting, type TouchtoneConfig } from './schema.js';
import { resolveCallbackConfig, type ConfigResult } from '../callbacks/config.js';

/** The default file name looked up in the working folder. */
export const CONFIG_FILE = 'touchtone.yaml';

export interface LoadConfigOptions {
  cwd: string;
  /** An explicit file (`--config`); it must exist. */
  file?: string;
  env: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  config?: TouchtoneConfig;
  diagnostics: Diagnostic[];
  /** The file read, if any, with its text (for code frames). */
  file?: string;
  source?: string;
  /** Settings whose value came from the environment (names only, never values). */
  fromEnv: string[];
}

const ajv = new Ajv2020({ allErrors: true, strict: false });
const validateConfig = ajv.compile(configSchema);

/**
 * Loads and validates the configuration. Relative paths (`flowsDir`, `store.path`, `sounds.dir`) are resolved against
 * the folder of the file, or `cwd` when there is no file.
 * @example const { config, diagnostics } = loadConfig({ cwd: process.cwd(), env: process.env });
 */
export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const diagnostics: Diagnostic[] = [];
  const file = options.file ? resolve(options.cwd, options.file) : resolve(options.cwd, CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  let source: string | undefined;
  let locate: (ptr: string, atKey?: boolean) => Range | undefined = () => undefined;
  const present = existsSync(file);
  if (options.file && !present) {
    diagnostics.push({ code: 'config-not-found', severity: 'error', message: `The configuration file \`${options.file}\` does not exist.`, hint: 'Check the path given to `--config`, or leave it out to use defaults.' });
    return { diagnostics, fromEnv: [] };
  }
  if (present) {
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      diagnostics.push(unreadable(options.file ?? CONFIG_FILE, (error as NodeJS.ErrnoException).code));
      return { diagnostics, fromEnv: [] };
    }
    const lines = new LineCounter();
    const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false });
    const toPos = (offset: number): Position => {
      const { line, col } = lines.linePos(offset);
      return { line, col, offset };
    };
    for (const e of doc.errors) {
      diagnostics.push({ code: 'config-yaml-syntax', severity: 'error', file, message: `${e.message.split('\n')[0]}`, hint: 'Fix the YAML syntax at this position.', range: { start: toPos(e.pos[0]), end: toPos(e.pos[1]) } });
    }
    if (hasErrors(diagnostics)) return { diagnostics, file, source, fromEnv: [] };
    const value: unknown = doc.toJS() ?? {};
    if (typeof value !== 'object' || Array.isArray(value) || value === null) {
      diagnostics.push({ code: 'config-not-a-map', severity: 'error', file, pointer: '', message: `The configuration file must be a map of settings, not \`${Array.isArray(value) ? 'a list' : String(value)}\`.`, hint: 'See `touchtone.example.yaml` for the shape.', range: { start: toPos(0), end: toPos(0) } });
      return { diagnostics, file, source, fromEnv: [] };
    }
    raw = value as Record<string, unknown>;
    // A group whose keys are all commented out (`sounds:` alone) reads as null; it means "all defaults".
    for (const [key, v] of Object.entries(raw)) if (v === null && schemaAt(`/${key}`)?.properties) raw[key] = {};
    const sourceFile: SourceFile = { file, text: source, lineCounter: lines, doc };
    locate = (ptr, atKey) => locateIn(sourceFile, ptr, atKey);
  }
  const fromEnv = applyEnv(raw, options.env, diagnostics);
  if (!validateConfig(raw)) {
    for (const error of validateConfig.errors ?? []) {
      const d = toDiagnostic(error, present ? file : undefined);
      const fromVar = settingAt(d.pointer ?? '');
      if (fromVar?.env && fromEnv.includes(fromVar.env)) {
        d.message = `${d.message.replace(/\.$/, '')} (from \`${fromVar.env}\`).`;
      } else if (d.pointer !== undefined) {
        const range = locate(d.pointer, d.atKey);
        if (range) d.range = range;
      }
      diagnostics.push(d);
    }
  }
  if (hasErrors(diagnostics)) return { diagnostics, file: present ? file : undefined, source, fromEnv };
  const base = present ? resolve(file, '..') : options.cwd;
  const config = withDefaults(raw, base, options.cwd, fromEnv);
  if (!isLoopback(config.http.host) && !config.http.token) {
    diagnostics.push({
      code: 'config-token-required',
      severity: 'error',
      file: present ? file : undefined,
      pointer: '/http/host',
      message: `The server is set to listen on \`${config.http.host}\`, beyond loopback, but no token is set.`,
      hint: 'Set `TOUCHTONE_TOKEN` (at least 16 characters) or `http.token`, or listen on `127.0.0.1`.',
      range: locate('/http/host'),
    });
    return { diagnostics, file: present ? file : undefined, source, fromEnv };
  }
  const ari = ariProblem(config);
  if (ari) {
    const fromVar = SETTINGS.find((s) => s.path === pointerSegments(ari.pointer).join('.'))?.env;
    const viaEnv = fromVar !== undefined && fromEnv.includes(fromVar);
    diagnostics.push({
      ...ari,
      severity: 'error',
      file: present && !viaEnv ? file : undefined,
      message: viaEnv ? `${ari.message.replace(/\.$/, '')} (from \`${fromVar}\`).` : ari.message,
      range: viaEnv ? undefined : (locate(ari.pointer) ?? locate('/ari')),
    });
    return { diagnostics, file: present ? file : undefined, source, fromEnv };
  }
  const callbacks = callbackSettings(config);
  if (callbacks && !callbacks.ok) {
    const pointer = callbacks.code === 'callback-bad-allow' ? '/callbacks/allow' : callbacks.code === 'callback-bad-caller-id' ? '/callbacks/callerId' : '/callbacks/endpoint';
    diagnostics.push({
      code: 'config-bad-callbacks',
      severity: 'error',
      file: present ? file : undefined,
      pointer,
      message: config.callbacks.endpoint ? callbacks.message : 'Callbacks are on (`callbacks.enabled`), but `callbacks.endpoint` is not set.',
      hint: 'Set `callbacks.endpoint` (or `TOUCHTONE_CALLBACK_ENDPOINT`) to a dial template such as `PJSIP/{number}@trunk`, or turn callbacks off.',
      range: locate(pointer) ?? locate('/callbacks'),
    });
    return { diagnostics, file: present ? file : undefined, source, fromEnv };
  }
  return { config, diagnostics, file: present ? file : undefined, source, fromEnv };
}

/**
 * The callback scheduler's settings from the `callbacks` group, checked; undefined when callbacks are off.
 * @example const settings = callbackSettings(config); if (settings?.ok) new CallbackScheduler({ config: settings.config, … })
 */
export function callbackSettings(config: TouchtoneConfig): ConfigResult | undefined {
  const c = config.callbacks;
  if (!c.enabled) return undefined;
  // No endpoint is refused by the same check as a bad one (`callback-bad-endpoint`).
  return resolveCallbackConfig({
    endpoint: c.endpoint ?? '',
    ...(c.callerId ? { callerId: c.callerId } : {}),
    allow: c.allow,
    maxConcurrent: c.maxConcurrent,
    maxAttempts: c.retries + 1,
    retryDelayMs: c.retryDelayMs,
    flow: c.flow,
  });
}

/** A config file that exists but cannot be read: a folder, or a file the server's user may not read. */
function unreadable(name: string, errno: string | undefined): Diagnostic {
  const why = errno === 'EISDIR' ? 'is a folder, not a file' : errno === 'EACCES' || errno === 'EPERM' ? 'may not be read by this user' : `cannot be read (${errno ?? 'unknown error'})`;
  return {
    code: 'config-unreadable',
    severity: 'error',
    message: `The configuration file \`${name}\` ${why}.`,
    hint: errno === 'EISDIR' ? 'Give `--config` the path of a YAML file, such as `touchtone.yaml`.' : 'Let the user that runs Touchtone read the file (`chmod o+r`, or run as its owner).',
  };
}

/**
 * The ARI settings the adapter would refuse at connect time, reported as configuration errors instead: a URL
 * that is not `http(s)://host`, one with credentials in it, or a URL without a password (Asterisk answers 401).
 */
function ariProblem(config: TouchtoneConfig): (Pick<Diagnostic, 'code' | 'message' | 'hint'> & { pointer: string }) | undefined {
  const { url, password } = config.ari;
  if (url === undefined) return undefined;
  const example = 'Use the address of Asterisk\'s HTTP server, for example `http://127.0.0.1:8088`.';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !parsed.hostname) {
    return { code: 'config-bad-value', pointer: '/ari/url', message: `\`ari.url\` \`${url.replace(/\/\/[^@/]*@/, '//…@')}\` is not a URL with a host.`, hint: example };
  }
  if (parsed.username || parsed.password) {
    return { code: 'config-bad-value', pointer: '/ari/url', message: '`ari.url` carries a user or password.', hint: 'Remove them from the URL and set `ari.user` and `ari.password` (or `TOUCHTONE_ARI_USER` and `TOUCHTONE_ARI_PASSWORD`).' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { code: 'config-bad-value', pointer: '/ari/url', message: `\`ari.url\` must start with \`http://\` or \`https://\`, not \`${parsed.protocol}//\`.`, hint: `${example} The event websocket is derived from it.` };
  }
  if (!password) {
    return { code: 'config-ari-password-missing', pointer: '/ari/password', message: '`ari.url` is set, but `ari.password` is not, so Asterisk would refuse every request.', hint: 'Set `TOUCHTONE_ARI_PASSWORD` (or `ari.password`) to the password of the ARI user in `ari.conf`.' };
  }
  return undefined;
}

/** Whether a host name or address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function settingAt(ptr: string): Setting | undefined {
  const path = pointerSegments(ptr).join('.');
  return SETTINGS.find((s) => s.path === path);
}

/** Copies `TOUCHTONE_*` variables into the raw settings; a badly typed variable is a diagnostic. */
function applyEnv(raw: Record<string, unknown>, env: LoadConfigOptions['env'], diagnostics: Diagnostic[]): string[] {
  const used: string[] = [];
  for (const setting of SETTINGS) {
    if (!setting.env) continue;
    const text = env[setting.env];
    if (text === undefined || text === '') continue;
    let value: unknown = text;
    if (setting.kind === 'list') value = text.split(',').map((item) => item.trim()).filter(Boolean);
    if (setting.kind === 'boolean') {
      value = /^(true|1|yes|on)$/i.test(text.trim()) ? true : /^(false|0|no|off)$/i.test(text.trim()) ? false : undefined;
      if (value === undefined) {
        diagnostics.push({ code: 'config-bad-env', severity: 'error', message: `The variable \`${setting.env}\` must be \`true\` or \`false\`, not \`${text}\`.`, hint: `Set \`${setting.env}\` to \`true\` or \`false\`, or unset it.` });
        continue;
      }
    }
    if (setting.kind === 'integer') {
      value = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : undefined;
      if (value === undefined) {
        diagnostics.push({ code: 'config-bad-env', severity: 'error', message: `The variable \`${setting.env}\` must be a whole number${setting.secret ? '' : `, not \`${text}\``}.`, hint: `Set \`${setting.env}\` to a number, or unset it to use the file or the default.` });
        continue;
      }
    }
    const segs = setting.path.split('.');
    let target = raw;
    for (const seg of segs.slice(0, -1)) {
      const next = target[seg];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) target[seg] = {};
      target = target[seg] as Record<string, unknown>;
    }
    target[segs[segs.length - 1]!] = value;
    used.push(setting.env);
  }
  return used;
}

function toDiagnostic(error: ErrorObject, file: string | undefined): Diagnostic {
  const at = error.instancePath;
  const where = at === '' ? 'the configuration' : `\`${pointerSegments(at).join('.')}\``;
  const p = error.params as Record<string, unknown>;
  const secret = SETTINGS.find((s) => s.path === pointerSegments(at).join('.'))?.secret;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const known = Object.keys(schemaAt(at)?.properties ?? {});
      return { code: 'config-unknown-setting', severity: 'error', file, pointer: makePointer(...pointerSegments(at), name), atKey: true, message: `\`${name}\` is not a setting of ${where}.`, hint: known.length ? `Known settings here: ${known.map((k) => `\`${k}\``).join(', ')}.` : undefined };
    }
    case 'type':
      return { code: 'config-bad-type', severity: 'error', file, pointer: at, message: `${where} must be ${article(String(p.type))}.`, hint: 'See the settings table in the README.' };
    case 'enum':
      return { code: 'config-bad-value', severity: 'error', file, pointer: at, message: `${where} must be one of ${(p.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}.` };
    case 'minLength':
      return { code: 'config-bad-value', severity: 'error', file, pointer: at, message: `${where} must be at least ${String(p.limit)} characters long.`, hint: secret ? 'Use a long random value, for example from `openssl rand -hex 24`.' : undefined };
    case 'maxLength':
      return { code: 'config-bad-value', severity: 'error', file, pointer: at, message: `${where} must be at most ${String(p.limit)} characters long.` };
    case 'pattern':
      if (PATTERN_RULES[at]) return { code: 'config-bad-value', severity: 'error', file, pointer: at, message: `${where} ${PATTERN_RULES[at]!.rule}.`, hint: PATTERN_RULES[at]!.hint };
      return { code: 'config-bad-value', severity: 'error', file, pointer: at, message: `${where} ${error.message ?? 'is not valid'}.` };
    default:
      return { code: 'config-bad-value', severity: 'error', file, pointer: at, message: `${where} ${error.message ?? 'is not valid'}.` };
  }
}

/** Plain words for the patterns users most often miss; the others print ajv's sentence. */
const PATTERN_RULES: Record<string, { rule: string; hint: string }> = {
  '/http/token': { rule: 'must not contain spaces', hint: 'Use a long random value without spaces, for example from `openssl rand -hex 24`.' },
  '/ari/app': { rule: 'may hold only letters, digits, `_` and `-`', hint: 'Use the name given to `Stasis()` in the dialplan, such as `touchtone`.' },
};

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

type SchemaNode = { properties?: Record<string, SchemaNode> };
function schemaAt(ptr: string): SchemaNode | undefined {
  let node: SchemaNode | undefined = configSchema as unknown as SchemaNode;
  for (const seg of pointerSegments(ptr)) node = node?.properties?.[seg];
  return node;
}

function withDefaults(raw: Record<string, unknown>, fileBase: string, cwd: string, fromEnv: readonly string[]): TouchtoneConfig {
  const get = (path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), raw);
  const val = <T>(path: string): T => (get(path) ?? SETTINGS.find((s) => s.path === path)?.default) as T;
  // A path in the file is relative to the file; a path in a variable is relative to where the command runs.
  const baseOf = (path: string) => (fromEnv.includes(SETTINGS.find((s) => s.path === path)?.env ?? '') ? cwd : fileBase);
  const storePath = val<string>('store.path');
  const soundsDir = val<string | undefined>('sounds.dir');
  return {
    flowsDir: resolve(baseOf('flowsDir'), val<string>('flowsDir')),
    http: { host: val('http.host'), port: val('http.port'), token: val('http.token'), bodyLimit: val('http.bodyLimit') },
    store: { path: storePath === ':memory:' ? storePath : resolve(baseOf('store.path'), storePath), retentionDays: val('store.retentionDays') },
    ari: { url: val('ari.url'), user: val('ari.user'), password: val('ari.password'), app: val('ari.app'), requestsOverWebsocket: val('ari.requestsOverWebsocket'), routes: { ...((get('ari.routes') as Record<string, string>) ?? {}) } },
    ami: { host: val('ami.host'), port: val('ami.port'), user: val('ami.user'), secret: val('ami.secret') },
    callbacks: {
      enabled: val('callbacks.enabled'),
      endpoint: val('callbacks.endpoint'),
      callerId: val('callbacks.callerId'),
      allow: [...(val<string[] | undefined>('callbacks.allow') ?? [])],
      maxConcurrent: val('callbacks.maxConcurrent'),
      retries: val('callbacks.retries'),
      retryDelayMs: val('callbacks.retryDelayMs'),
      flow: val('callbacks.flow'),
    },
    sounds: { dir: soundsDir ? resolve(baseOf('sounds.dir'), soundsDir) : undefined },
    log: { level: val('log.level') },
    shutdown: { graceMs: val('shutdown.graceMs') },
  };
}

/**
 * The configuration with every secret replaced by `****`, for logs and the API.
 * @example logger.info({ config: redactConfig(config) }, 'configuration');
 */
export function redactConfig(config: TouchtoneConfig): unknown {
  const copy = structuredClone(config) as unknown as Record<string, Record<string, unknown>>;
  for (const s of SETTINGS) {
    if (!s.secret) continue;
    const [group, key] = s.path.split('.') as [string, string];
    if (copy[group]?.[key] !== undefined) copy[group]![key] = '****';
  }
  return copy;
}
