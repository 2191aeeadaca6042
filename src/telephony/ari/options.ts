/**
 * Options of the ARI adapter, and how they are read from the environment. Credentials are kept out of every log
 * line and error message: `describeOptions()` is what may be printed.
 */
import type { Clock } from '../../runtime/clock.js';
import type { DepartmentTarget } from '../port.js';
import type { InboundSocketOptions } from './event-server.js';

/** The logger the adapter writes to (pino-compatible: object first, then message). */
export interface AriLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** A logger that drops everything. */
export const silentLogger: AriLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface AriOptions {
  /** Asterisk HTTP server, for example `http://127.0.0.1:8088` (env `TOUCHTONE_ARI_URL`). */
  url: string;
  /** ARI user (env `TOUCHTONE_ARI_USER`). */
  username: string;
  /** ARI password (env `TOUCHTONE_ARI_PASSWORD`); never logged. */
  password: string;
  /** Stasis application name (env `TOUCHTONE_ARI_APP`, default `touchtone`). */
  app?: string;
  /** Dialled number → flow, when `Stasis()` names no flow. */
  routes?: Readonly<Record<string, string>>;
  /** Flow when neither the Stasis arguments nor the route map name one. */
  defaultFlow?: string;
  /** Where a call goes when it cannot be resumed (re-attach without a taker, or orphaned too long). */
  safeDestination?: Extract<DepartmentTarget, { kind: 'dialplan' }>;
  /** Dialplan context that runs `Queue()` for `enqueue` (default `touchtone-queue`). */
  queueContext?: string;
  /** Copy `TOUCHTONE_*` variables to dialled channels (agents' screen-pop) with Asterisk's `__` prefix. Default true. */
  inheritVariables?: boolean;
  logger?: AriLogger;
  /** Timers for pings, backoff and bounds. Defaults to the system clock. */
  clock?: Clock;
  requestTimeoutMs?: number;
  maxSockets?: number;
  /**
   * Send the requests a caller waits for in a menu (play, stop a prompt, music on hold, ringing) over the event
   * websocket when Asterisk takes requests there (20.14+, 21.9+, 22.4+). Every other request, and all of them
   * while the socket is down, use HTTP (see `SOCKET_SAFE` in `rest-client.ts`). Default true.
   */
  requestsOverWebsocket?: boolean;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  connectTimeoutMs?: number;
  playbackStartTimeoutMs?: number;
  /**
   * The same bound on a call taken back after a (re)connect, until one of our playbacks has started. A prompt the
   * previous process started plays on ahead of ours when no saved state names it (ARI stops a playback only by its
   * id), and our first prompt must not be given up while it ends. Default 30 s.
   */
  foundPlaybackStartTimeoutMs?: number;
  /** How long a re-found call may wait for the re-attach handler to claim it before it goes to the safe destination. */
  orphanLimitMs?: number;
  /**
   * How long a call found in the listing after a (re)connect waits for its own `StasisStart` before it counts as
   * left by a previous process. Asterisk lists a channel as soon as it enters `Stasis()`, and its `StasisStart`
   * travels on the websocket, in no fixed order with the listing: without the wait, a caller who dialled in during
   * the listing would be taken back (and, with no saved state, sent to the safe destination) instead of served.
   */
  takeBackGraceMs?: number;
  /**
   * How often the adapter checks that Asterisk still delivers our app's events (a user event sent to the app must
   * come back on the socket). Asterisk deactivates an app by name when an old connection of it closes, even after
   * a new connection took the app over; the new socket stays open but hears nothing, and new calls fail `Stasis()`.
   * Also checked right after every (re)connect. 0 turns the periodic check off.
   */
  appProbeIntervalMs?: number;
  /**
   * Let Asterisk open the event websocket to us (`websocket_client.conf`, Asterisk 22.5+) instead of connecting
   * to it. REST still goes to `url`.
   */
  inboundSocket?: InboundSocketOptions;
}

/** Options with every default filled in. */
export type ResolvedAriOptions = Required<Omit<AriOptions, 'routes' | 'defaultFlow' | 'safeDestination' | 'inboundSocket'>> &
  Pick<AriOptions, 'routes' | 'defaultFlow' | 'safeDestination' | 'inboundSocket'>;

/** The error for an unusable ARI configuration. */
export class AriConfigError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads `TOUCHTONE_ARI_URL`, `TOUCHTONE_ARI_USER`, `TOUCHTONE_ARI_PASSWORD` and `TOUCHTONE_ARI_APP`;
 * `overrides` win. Returns undefined when no URL is set (the server then runs without telephony).
 */
export function ariOptionsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: Partial<AriOptions> = {}): AriOptions | undefined {
  const url = overrides.url ?? env.TOUCHTONE_ARI_URL;
  if (!url) return undefined;
  const username = overrides.username ?? env.TOUCHTONE_ARI_USER ?? '';
  const password = overrides.password ?? env.TOUCHTONE_ARI_PASSWORD ?? '';
  if (!username || !password) {
    throw new AriConfigError('ARI_CREDENTIALS_MISSING', 'TOUCHTONE_ARI_URL is set but `TOUCHTONE_ARI_USER` or `TOUCHTONE_ARI_PASSWORD` is empty; set both to the user in ari.conf.');
  }
  const app = overrides.app ?? env.TOUCHTONE_ARI_APP;
  return { ...overrides, url, username, password, ...(app ? { app } : {}) };
}

/** Fills in defaults and checks the values. Throws `AriConfigError` (without echoing the password). */
export function resolveOptions(options: AriOptions, fallbackClock: Clock): ResolvedAriOptions {
  let parsed: URL;
  try {
    parsed = new URL(options.url);
  } catch {
    throw new AriConfigError('ARI_URL_INVALID', `ARI URL \`${options.url.replace(/\/\/[^@/]*@/, '//…@')}\` is not a URL; use for example \`http://127.0.0.1:8088\`.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AriConfigError('ARI_URL_INVALID', `ARI URL scheme \`${parsed.protocol}\` is not supported; use \`http:\` or \`https:\`.`);
  }
  if (parsed.username || parsed.password) {
    throw new AriConfigError('ARI_URL_CREDENTIALS', 'The ARI URL carries credentials; put them in `TOUCHTONE_ARI_USER` and `TOUCHTONE_ARI_PASSWORD` instead.');
  }
  const app = options.app ?? 'touchtone';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(app)) {
    throw new AriConfigError('ARI_APP_INVALID', `ARI application name \`${app.slice(0, 64)}\` is not valid; use letters, digits, \`_\` and \`-\`.`);
  }
  return {
    url: options.url,
    username: options.username,
    password: options.password,
    app,
    routes: options.routes,
    defaultFlow: options.defaultFlow,
    safeDestination: options.safeDestination,
    inboundSocket: options.inboundSocket,
    queueContext: options.queueContext ?? 'touchtone-queue',
    inheritVariables: options.inheritVariables ?? true,
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? fallbackClock,
    requestTimeoutMs: options.requestTimeoutMs ?? 5000,
    maxSockets: options.maxSockets ?? 16,
    requestsOverWebsocket: options.requestsOverWebsocket ?? true,
    pingIntervalMs: options.pingIntervalMs ?? 5000,
    pongTimeoutMs: options.pongTimeoutMs ?? 3000,
    backoffInitialMs: options.backoffInitialMs ?? 250,
    backoffMaxMs: options.backoffMaxMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    playbackStartTimeoutMs: options.playbackStartTimeoutMs ?? 3000,
    foundPlaybackStartTimeoutMs: options.foundPlaybackStartTimeoutMs ?? 30_000,
    orphanLimitMs: options.orphanLimitMs ?? 10_000,
    takeBackGraceMs: options.takeBackGraceMs ?? 250,
    appProbeIntervalMs: options.appProbeIntervalMs ?? 10_000,
  };
}
