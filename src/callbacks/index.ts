/**
 * Callback instead of waiting: the scheduler, its settings, the number policy and an in-memory store.
 * See docs/asterisk-queues-callbacks.md.
 */
export { CallbackScheduler, type CallbackSchedulerDeps } from './scheduler.js';
export { resolveCallbackConfig, callbackConfigFromEnv, CALLBACK_DEFAULTS, type CallbackConfig, type CallbackSettings } from './config.js';
export { MemoryCallbackStore } from './memory-store.js';
export { ariOriginator, callbackOutcome, type AriOriginate } from './telephony.js';
export { CALLBACK_NUMBER, allowed, compileAllowList, dialString, maskNumber } from './number-policy.js';
export type * from './types.js';
