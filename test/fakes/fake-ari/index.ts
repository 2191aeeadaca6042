/** The fake ARI server for tests and benchmarks. */
export { FakeAri, ariTimestamp } from './fake-ari-server.js';
export type { EndpointBehaviour, FakeAriOptions, FakeChannel, FakePlayback, RecordedRequest } from './fake-ari-server.js';
