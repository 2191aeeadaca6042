/**
 * Settings of the callback scheduler. They come from configuration (never from a flow or a caller): the endpoint
 * template decides where calls go, and the allow-list which numbers a caller may type.
 */
import { compileAllowList, NUMBER_PLACEHOLDER, type AllowPattern } from './number-policy.js';

export interface CallbackSettings {
  /** Dial string with `{number}`, for example `PJSIP/{number}@trunk` or `Local/{number}@callbacks-out`. */
  endpoint: string;
  /** Caller ID shown to the person called back, for example `"ACME" <+4930123456>`. */
  callerId?: string;
  /** The flow the callback call runs: it says who calls and puts the person in the queue. */
  flow: string;
  /** Patterns a typed (not the caller's own) number must match: `+49X.`, `0[1-9]XXXXXX.`. Empty: typed numbers are refused. */
  allow: string[];
  /** Also hold the caller's own number to the allow-list (caller ID can be spoofed to a premium number). */
  restrictCallerToAllowList: boolean;
  /** Tries per request, including the first. */
  maxAttempts: number;
  /** Wait between tries. */
  retryDelayMs: number;
  /** Callback calls in progress at once. */
  maxConcurrent: number;
  /** Requests waiting at once; more are refused so a flood cannot grow the list without bound. */
  maxPending: number;
  /** How often queues are asked whether an agent is free. */
  pollMs: number;
  /** Bound on one originate, so a stuck adapter cannot hold a slot for ever. */
  originateTimeoutMs: number;
  /** A request older than this is dropped as `expired`. */
  maxAgeMs: number;
  /** `QUEUE_PRIO` of the callback call: higher than normal callers (0), so it goes ahead of newer callers. */
  priority: number;
}

/** The checked settings, with the allow-list compiled. */
export interface CallbackConfig extends CallbackSettings {
  allowPatterns: AllowPattern[];
}

export const CALLBACK_DEFAULTS: Omit<CallbackSettings, 'endpoint'> = {
  flow: 'callback',
  allow: [],
  restrictCallerToAllowList: false,
  maxAttempts: 3,
  retryDelayMs: 120_000,
  maxConcurrent: 2,
  maxPending: 1000,
  pollMs: 5_000,
  originateTimeoutMs: 60_000,
  maxAgeMs: 4 * 3_600_000,
  priority: 10,
};

const LIMITS: Record<string, [number, number]> = {
  maxAttempts: [1, 20],
  retryDelayMs: [0, 86_400_000],
  maxConcurrent: [1, 1000],
  maxPending: [1, 1_000_000],
  pollMs: [100, 3_600_000],
  originateTimeoutMs: [1000, 600_000],
  maxAgeMs: [60_000, 7 * 86_400_000],
  priority: [1, 1_000_000],
};

export type ConfigResult = { ok: true; config: CallbackConfig } | { ok: false; code: string; message: string };

/**
 * Applies defaults and checks the settings.
 *
 * @example resolveCallbackConfig({ endpoint: 'PJSIP/{number}@trunk', allow: ['+49X.'] })
 */
export function resolveCallbackConfig(input: Partial<CallbackSettings> & { endpoint: string }): ConfigResult {
  const settings: CallbackSettings = { ...CALLBACK_DEFAULTS, ...input };
  if (!settings.endpoint.includes(NUMBER_PLACEHOLDER) || /[\s\0-\x1f\x7f]/.test(settings.endpoint)) {
    return bad('callback-bad-endpoint', `The callback endpoint \`${settings.endpoint.slice(0, 80)}\` must contain \`{number}\` and no spaces or control characters, for example \`PJSIP/{number}@trunk\`.`);
  }
  if (settings.callerId !== undefined && /[\0-\x1f\x7f]/.test(settings.callerId)) {
    return bad('callback-bad-caller-id', 'The callback caller ID contains a control character; write it on one line, for example `"ACME" <+4930123456>`.');
  }
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(settings.flow)) {
    return bad('callback-bad-flow', `The callback flow \`${settings.flow.slice(0, 80)}\` is not a flow name; use lowercase words joined by \`-\`.`);
  }
  for (const [key, [min, max]] of Object.entries(LIMITS)) {
    const value = settings[key as keyof CallbackSettings];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return bad('callback-bad-setting', `The callback setting \`${key}\` is \`${String(value)}\`; set a whole number from ${min} to ${max}.`);
    }
  }
  const { patterns, bad: unreadable } = compileAllowList(settings.allow);
  if (unreadable.length) {
    return bad('callback-bad-allow', `The callback allow-list pattern \`${unreadable[0]!.slice(0, 40)}\` cannot be read; use digits, X, Z, N, [1-5] and a trailing \`.\`, with an optional leading +.`);
  }
  return { ok: true, config: { ...settings, allowPatterns: patterns } };
}

/**
 * Reads the settings from `TOUCHTONE_CALLBACK_*`. `undefined` when `TOUCHTONE_CALLBACK_ENDPOINT` is unset
 * (callbacks are off).
 */
export function callbackConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ConfigResult | undefined {
  const endpoint = env.TOUCHTONE_CALLBACK_ENDPOINT;
  if (!endpoint) return undefined;
  const numbers: [keyof CallbackSettings, string][] = [
    ['maxAttempts', 'TOUCHTONE_CALLBACK_MAX_ATTEMPTS'],
    ['retryDelayMs', 'TOUCHTONE_CALLBACK_RETRY_DELAY_MS'],
    ['maxConcurrent', 'TOUCHTONE_CALLBACK_MAX_CONCURRENT'],
  ];
  const input: Partial<CallbackSettings> & { endpoint: string } = { endpoint };
  if (env.TOUCHTONE_CALLBACK_CALLER_ID) input.callerId = env.TOUCHTONE_CALLBACK_CALLER_ID;
  if (env.TOUCHTONE_CALLBACK_FLOW) input.flow = env.TOUCHTONE_CALLBACK_FLOW;
  if (env.TOUCHTONE_CALLBACK_ALLOW) input.allow = env.TOUCHTONE_CALLBACK_ALLOW.split(',').map((s) => s.trim()).filter(Boolean);
  for (const [key, name] of numbers) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') (input as Record<string, unknown>)[key] = /^\d+$/.test(raw) ? Number(raw) : raw;
  }
  return resolveCallbackConfig(input);
}

function bad(code: string, message: string): ConfigResult {
  return { ok: false, code, message };
}
