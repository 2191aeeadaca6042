/**
 * `touchtone/testing`: the public test harness for flow authors.
 *
 * - `simulateCall(flow, options)`: one call on a virtual clock, with fakes for data, hours, queues and departments.
 * - `runScenarioFile` / `runTests`: run YAML scenarios (`*.test.yaml`).
 * - `computeCoverage` / `formatCoverage` / `skeletons`: path coverage and scenario skeletons for what is missing.
 *
 * @example
 *   import { simulateCall } from 'touchtone/testing';
 *   const call = await simulateCall('flows/acme-hotline.yaml', { now: '2026-12-07T10:00:00+01:00' });
 *   await call.expectPrompt('main-menu');
 */
export { simulateCall, SimulatedCall, CallExpectationError, DEFAULT_NOW, type SimulateOptions, type HeardItem } from './simulate-call.js';
export { compileFlowFile, loadCompiledFlow, FlowLoadError, type FlowInput } from './load-flow.js';
export { parseScenarioText, promptMatcher, defaultFlowPath } from './scenario-parse.js';
export { checkFlowNames, unknownFlowName } from './flow-names.js';
export type { CallSetup, FlowNameRef, FlowNameKind, Scenario, ScenarioFile, ScenarioStep, SourceSpot, LookupFake, QueueFake, HoursFake, DepartmentFake, PromptMatcher } from './scenario-types.js';
export { runScenario, runScenarioFile, runTests, findTestFiles, type ScenarioResult, type ScenarioFileResult, type TestRun } from './run-scenarios.js';
export { coverageItems, computeCoverage, coveragePercent, missingItems, formatCoverage, type CoverageItem, type FlowCoverage, type CallRecord } from './coverage.js';
export { skeletons, skeletonFor } from './skeletons.js';
export { queueStatus, fakeDataSources, fakeHours, withFakes, type LookupBehaviour } from './fakes.js';
export { CallLog } from './call-log.js';
export { VirtualClock, ClockRangeError } from '../runtime/clock.js';
export { SimulationInputError } from './check-options.js';
export { sameValue } from './same-value.js';
export { callMatchers, type CallMatchers } from './matchers.js';
