/**
 * Touchtone's library API. The CLI (`touchtone …`) and the server are thin shells over these functions.
 * The test harness for flow authors is a separate entry point: `touchtone/testing`.
 *
 * @example
 *   import { loadFlowFile, compileFlow, Engine, createInMemoryServices, VirtualClock } from 'touchtone';
 *   const loaded = await loadFlowFile('flows/acme-hotline.yaml');
 *   if (!loaded.flow) throw new Error(formatDiagnostics(loaded.diagnostics, loaded.sources));
 *   const engine = new Engine(createInMemoryServices({ clock: new VirtualClock() }));
 *   engine.publish(compileFlow(loaded));
 */

// The flow language: load, validate, format problems.
export type * from './flow/types.js';
export { loadFlowFile, loadFlowText, type LoadedFlow, type LoadOptions } from './flow/load.js';
export { validateFlow } from './flow/validate.js';
export { formatDiagnostics, diagnosticsToJson } from './flow/format.js';
export type { Diagnostic, Severity, Position, Range } from './flow/diagnostics.js';
export { codes } from './flow/codes.js';
export { parseDuration } from './flow/duration.js';
export { renderTemplate, templatePaths } from './flow/template.js';

// Compile and run.
export { compileFlow, CompileError, type CompiledFlow } from './compile/compile-flow.js';
export { Engine, type EngineOptions } from './runtime/engine.js';
export { CallSession, type CallSnapshot } from './runtime/call-session.js';
export { systemClock, VirtualClock, type Clock } from './runtime/clock.js';
export type * from './runtime/services.js';
export { createInMemoryServices, type InMemoryOptions } from './runtime/in-memory-services.js';

// Telephony: the port and its adapters.
export type * from './telephony/port.js';
export { SimulatedPhone, type SimulatorBehaviour } from './telephony/simulator/simulated-phone.js';
export { SimulatorAdapter } from './telephony/simulator/simulator-adapter.js';
export { createAriAdapter, ariOptionsFromEnv, type AriAdapter, type AriOptions } from './telephony/ari/index.js';
export { createAmiQueueStatus, amiOptionsFromEnv } from './telephony/ami/index.js';

// Data, hours and the call record store.
export { createDataSourceFactory } from './data/index.js';
export { createHoursService } from './data/hours.js';
export { sayValue, sayOpening } from './say/index.js';
export { openStore, type Store, type StoreOptions } from './store/index.js';

// Diagrams, the HTTP app and the server.
export { mermaid } from './graph/mermaid.js';
export { createApp } from './http/app.js';
export { startServer, type ServerOptions, type RunningServer } from './server/start-server.js';
