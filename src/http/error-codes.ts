/**
 * The codes the server reports outside flow files: configuration problems, admin API errors and server-side flow
 * checks. Like the flow codes (`src/flow/codes.ts`), a code is never reused or renamed; the README's server
 * section lists them and a test keeps the list, the code and the docs in step.
 */
export const serverCodes = {
  // Configuration (touchtone.yaml and TOUCHTONE_* variables)
  'config-not-found': 'The file given to `--config` does not exist.',
  'config-unreadable': 'The configuration file is a folder, or the server\'s user may not read it.',
  'config-yaml-syntax': '`touchtone.yaml` is not valid YAML.',
  'config-not-a-map': '`touchtone.yaml` is not a map of settings.',
  'config-unknown-setting': 'A key that is not a setting (often a typo); the hint lists the known ones.',
  'config-bad-type': 'A setting has the wrong type (a word where a number belongs).',
  'config-bad-value': 'A setting has a value outside what it accepts.',
  'config-bad-env': 'A `TOUCHTONE_*` variable cannot be read as the setting needs.',
  'config-token-required': 'The server would listen beyond loopback without an admin token.',
  'config-ari-password-missing': '`ari.url` is set without `ari.password`; Asterisk would refuse every request.',
  'config-bad-callbacks': 'Callbacks are on, but `callbacks.endpoint` is missing or a callback setting cannot be used.',
  'listen-failed': 'The server cannot listen on the configured address and port.',
  'store-open-failed': 'The store file cannot be opened (a folder without write access, a damaged file).',
  // Admin API
  'auth-required': 'A request without the right bearer token.',
  'auth-not-configured': 'A mutating request while the server has no token.',
  'auth-rate-limited': 'Too many requests with a wrong token from one client; wait for the window to end.',
  'bad-request-body': 'The JSON body does not match the route\u2019s schema.',
  'bad-json': 'The body is not JSON.',
  'body-encoding-unsupported': 'The body\'s charset or `Content-Encoding` is one the server does not read (415).',
  'body-unreadable': 'The body does not match its `Content-Encoding`, or ended early.',
  'body-too-large': 'The body is larger than `http.bodyLimit`.',
  'not-found': 'No such API route, page or file.',
  'method-not-allowed': 'A method other than GET on the probes or the dashboard\'s files; `Allow` lists the methods that work.',
  'internal-error': 'The server failed; the log has the details.',
  'flow-not-found': 'No flow of that name.',
  'flow-not-running': 'The flow has no valid version to call, draw or compare with.',
  'flow-invalid': 'A publish, rollback or canary that does not validate; `diagnostics` say why.',
  'version-not-found': 'A rollback to, or a graph of, a version the flow never had.',
  'canary-not-found': 'Promote or stop for a flow that has no canary.',
  'canary-unchanged': 'A canary with the same text as the running version.',
  'call-not-found': 'No call (or browser-phone call) with that id.',
  'override-not-found': 'Clearing an hours override that does not exist.',
  'schedule-not-found': 'An hours override for a schedule no running flow defines under `hours:`.',
  'override-until-past': 'An hours override whose `until` has already passed.',
  'shutting-down': 'A new browser-phone call while the server stops.',
  'too-many-calls': 'A new browser-phone call while 50 are already in progress.',
  // Server-side flow checks
  'flow-name-mismatch': 'A flow published under another name than its `flow:`.',
  'flow-name-duplicate': 'A flow file whose `flow:` name another file in the flows folder already serves; it is not loaded.',
  'compile-failed': 'A flow that validated but did not compile (a bug: please report it).',
  'sound-missing': 'With `sounds.dir` set, a prompt whose sound file is not there (a warning).',
  // Taking calls back after a restart or reconnect (log entries)
  'call-not-resumed': 'A call found inside the app after a (re)connect could not be resumed (no usable saved state, or its flow version could not be rebuilt in time): it began at its flow\'s error step, or went to the dialplan\'s safe destination when the flow has none.',
  'safe-destination-failed': 'Asterisk refused to move a call to the safe destination; the call was hung up.',
  'call-kept-bridged': 'A call found talking to a department (in its transfer bridge) could not be resumed; it stays in the conversation.',
  'call-after-bridge': 'The department hung up on a call kept in its conversation without a flow; the caller began at the flow\'s error step, or went to the safe destination.',
  'call-orphaned': 'The ARI adapter let a call go that no session here held (nobody resumed it within the orphan limit, or the event socket stayed down past it): its record is closed as sent to the safe destination (or hung up when there is none).',
} as const;

export type ServerCode = keyof typeof serverCodes;
