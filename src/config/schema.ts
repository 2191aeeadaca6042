/**
 * The settings of `touchtone serve`, as one JSON Schema (2020-12) plus the environment variable of each setting.
 * The README's settings table is checked against `SETTINGS` by a test, so the docs cannot drift from the code.
 */

/** How a setting's value is parsed from its environment variable. */
export type EnvKind = 'string' | 'integer' | 'boolean' | 'list';

/** One setting: where it lives in `touchtone.yaml`, its variable, its default, and whether it is a secret. */
export interface Setting {
  /** Dotted path in the file (`http.port`). */
  path: string;
  /** The environment variable that overrides it, if any. */
  env?: string;
  kind: EnvKind | 'object';
  default?: string | number | boolean;
  /** Secrets are never printed, logged or returned by the API. */
  secret?: boolean;
  description: string;
}

/** Every setting, in the order the README lists them. */
export const SETTINGS: readonly Setting[] = [
  { path: 'flowsDir', env: 'TOUCHTONE_FLOWS_DIR', kind: 'string', default: 'flows', description: 'Folder of flow files (`*.yaml`, not `*.test.yaml`) to serve; watched for changes.' },
  { path: 'http.host', env: 'TOUCHTONE_HTTP_HOST', kind: 'string', default: '127.0.0.1', description: 'Address the admin API and dashboard listen on. Beyond loopback, a token is required for every route.' },
  { path: 'http.port', env: 'TOUCHTONE_HTTP_PORT', kind: 'integer', default: 8080, description: 'Port of the admin API and dashboard (`0` picks a free port).' },
  { path: 'http.token', env: 'TOUCHTONE_TOKEN', kind: 'string', secret: true, description: 'Bearer token for the admin API (at least 16 characters, no spaces). Without one, a one-time token is made at start and shown only in the dashboard URL.' },
  { path: 'http.bodyLimit', env: 'TOUCHTONE_HTTP_BODY_LIMIT', kind: 'string', default: '512kb', description: 'Largest request body the API accepts.' },
  { path: 'store.path', env: 'TOUCHTONE_STORE_PATH', kind: 'string', default: '.touchtone/touchtone.db', description: 'SQLite file for call records, flow versions and overrides (`:memory:` keeps nothing).' },
  { path: 'store.retentionDays', env: 'TOUCHTONE_STORE_RETENTION_DAYS', kind: 'integer', default: 30, description: 'Days call records and traces are kept.' },
  { path: 'ari.url', env: 'TOUCHTONE_ARI_URL', kind: 'string', description: 'Asterisk ARI base URL (`http://127.0.0.1:8088`). Unset: calls come from the built-in simulator only.' },
  { path: 'ari.user', env: 'TOUCHTONE_ARI_USER', kind: 'string', default: 'touchtone', description: 'ARI user (from `ari.conf`).' },
  { path: 'ari.password', env: 'TOUCHTONE_ARI_PASSWORD', kind: 'string', secret: true, description: 'ARI password; required with `ari.url`.' },
  { path: 'ari.app', env: 'TOUCHTONE_ARI_APP', kind: 'string', default: 'touchtone', description: 'Stasis application name the dialplan sends calls to.' },
  { path: 'ari.requestsOverWebsocket', env: 'TOUCHTONE_ARI_REQUESTS_OVER_WEBSOCKET', kind: 'boolean', default: true, description: 'Send prompts, their barge-in stops, music on hold and ringing over the ARI event websocket when Asterisk takes requests there (20.14+, 21.9+, 22.4+); everything else, and all of it while the socket is down, goes over HTTP. `false`: HTTP only.' },
  { path: 'ari.routes', kind: 'object', description: 'Dialled number to flow name, for calls whose `Stasis()` names no flow (`{ "100": acme-hotline }`).' },
  { path: 'ami.host', env: 'TOUCHTONE_AMI_HOST', kind: 'string', description: 'Asterisk AMI host, for queue status. Unset: queue status is unknown and flows use `whenUnknown`.' },
  { path: 'ami.port', env: 'TOUCHTONE_AMI_PORT', kind: 'integer', default: 5038, description: 'AMI port.' },
  { path: 'ami.user', env: 'TOUCHTONE_AMI_USER', kind: 'string', default: 'touchtone', description: 'AMI user (from `manager.conf`).' },
  { path: 'ami.secret', env: 'TOUCHTONE_AMI_SECRET', kind: 'string', secret: true, description: 'AMI secret.' },
  { path: 'callbacks.enabled', env: 'TOUCHTONE_CALLBACKS_ENABLED', kind: 'boolean', default: false, description: 'Take "call me back" requests from `queue` steps and call back when an agent is free. Off: the callback key is refused and the caller queues.' },
  { path: 'callbacks.endpoint', env: 'TOUCHTONE_CALLBACK_ENDPOINT', kind: 'string', description: 'Where callbacks are dialled: a template with `{number}`, such as `PJSIP/{number}@trunk` or `Local/{number}@callbacks-out` (a dialplan context). Required when callbacks are on.' },
  { path: 'callbacks.callerId', env: 'TOUCHTONE_CALLBACK_CALLER_ID', kind: 'string', description: 'Caller ID the person called back sees, for example `"ACME" <+4930123456>`.' },
  { path: 'callbacks.allow', env: 'TOUCHTONE_CALLBACK_ALLOW', kind: 'list', description: 'Patterns a number other than the caller\'s own must match (`+49X.`, `0[1-9]XXXXXX.`); comma-separated in the variable. Empty: only the caller\'s own number is called back.' },
  { path: 'callbacks.maxConcurrent', env: 'TOUCHTONE_CALLBACK_MAX_CONCURRENT', kind: 'integer', default: 2, description: 'Callback calls in progress at once.' },
  { path: 'callbacks.retries', env: 'TOUCHTONE_CALLBACK_RETRIES', kind: 'integer', default: 2, description: 'Further tries after a callback that was not answered or failed.' },
  { path: 'callbacks.retryDelayMs', env: 'TOUCHTONE_CALLBACK_RETRY_DELAY_MS', kind: 'integer', default: 120000, description: 'Wait between tries.' },
  { path: 'callbacks.flow', env: 'TOUCHTONE_CALLBACK_FLOW', kind: 'string', default: 'callback', description: 'The flow the callback call runs ("This is your callback from ACME. Press 1 …").' },
  { path: 'sounds.dir', env: 'TOUCHTONE_SOUNDS_DIR', kind: 'string', description: 'Folder of sound files, to warn about prompts with no sound file.' },
  { path: 'log.level', env: 'TOUCHTONE_LOG_LEVEL', kind: 'string', default: 'info', description: 'Log level: `trace`, `debug`, `info`, `warn`, `error` or `fatal`.' },
  { path: 'shutdown.graceMs', env: 'TOUCHTONE_SHUTDOWN_GRACE_MS', kind: 'integer', default: 30000, description: 'On SIGTERM, how long calls in progress may run on before they are handed to the dialplan.' },
];

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** The JSON Schema of `touchtone.yaml`. Unknown keys are errors, so typos are caught. */
export const configSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    flowsDir: { type: 'string', minLength: 1 },
    http: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        // The API reads `Bearer <token>` up to the first space, so a token with a space could never match.
        token: { type: 'string', minLength: 16, pattern: '^\\S+$' },
        bodyLimit: { type: 'string', pattern: '^[0-9]+(b|kb|mb)$' },
      },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string', minLength: 1 },
        retentionDays: { type: 'integer', minimum: 1, maximum: 3650 },
      },
    },
    ari: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // Checked in full (scheme, host, no credentials) by `loadConfig`, with a message per problem.
        url: { type: 'string' },
        user: { type: 'string', minLength: 1 },
        password: { type: 'string' },
        // Asterisk's limit, which the ARI adapter also enforces.
        app: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 64 },
        requestsOverWebsocket: { type: 'boolean' },
        routes: { type: 'object', propertyNames: { pattern: '^[0-9*#+A-Za-z_-]+$' }, additionalProperties: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' } },
      },
    },
    ami: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        user: { type: 'string', minLength: 1 },
        secret: { type: 'string' },
      },
    },
    callbacks: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        endpoint: { type: 'string', minLength: 1 },
        callerId: { type: 'string' },
        allow: { type: 'array', items: { type: 'string', minLength: 1 } },
        maxConcurrent: { type: 'integer', minimum: 1, maximum: 1000 },
        retries: { type: 'integer', minimum: 0, maximum: 19 },
        retryDelayMs: { type: 'integer', minimum: 0, maximum: 86_400_000 },
        flow: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$' },
      },
    },
    sounds: { type: 'object', additionalProperties: false, properties: { dir: { type: 'string', minLength: 1 } } },
    log: { type: 'object', additionalProperties: false, properties: { level: { enum: LOG_LEVELS } } },
    shutdown: { type: 'object', additionalProperties: false, properties: { graceMs: { type: 'integer', minimum: 0, maximum: 3_600_000 } } },
  },
} as const;

/** The settings after defaults and the environment are applied. */
export interface TouchtoneConfig {
  flowsDir: string;
  http: { host: string; port: number; token?: string; bodyLimit: string };
  store: { path: string; retentionDays: number };
  ari: { url?: string; user: string; password?: string; app: string; requestsOverWebsocket: boolean; routes: Record<string, string> };
  ami: { host?: string; port: number; user: string; secret?: string };
  callbacks: { enabled: boolean; endpoint?: string; callerId?: string; allow: string[]; maxConcurrent: number; retries: number; retryDelayMs: number; flow: string };
  sounds: { dir?: string };
  log: { level: string };
  shutdown: { graceMs: number };
}
