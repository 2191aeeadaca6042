/**
 * The Asterisk REST Interface adapter: the only module that talks ARI.
 */
export { createAriAdapter } from './adapter.js';
export type { AriAdapter, AriStatus, OrphanInfo, OriginateRequest, OriginateResult, ReattachInfo } from './adapter.js';
export { ariOptionsFromEnv, AriConfigError, silentLogger } from './options.js';
export type { AriLogger, AriOptions } from './options.js';
export { transferOutcome } from './ari-call.js';
