/**
 * AMI: queue status for the `queue` step. The only module that talks the Asterisk Manager Interface.
 * See docs/asterisk-queues-callbacks.md.
 */
export { createAmiQueueStatus, amiOptionsFromEnv, parseSummary, type AmiQueueStatus, type AmiQueueStatusOptions } from './queue-status.js';
export { AmiClient, type AmiClientOptions, type AmiHealth, type AmiResult, type AmiFailureCode } from './client.js';
export { AmiHeaderError, encodeAction } from './protocol.js';
