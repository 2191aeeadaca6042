/**
 * The YAML scenario language (`*.test.yaml`), as TypeScript types: what `parseScenarioFile` produces and the
 * runner executes. The README section "Testing your flows" documents the same format for authors.
 */
import type { Diagnostic, Range } from '../flow/diagnostics.js';

/** Where something is in a scenario file (1-based). */
export interface SourceSpot {
  file: string;
  line: number;
  col: number;
}

/** A fake lookup behaviour for one data source. */
export type LookupFake =
  | { kind: 'error'; code?: string; message?: string }
  | { kind: 'notFound' }
  | { kind: 'locked' }
  /** Answers from the records after `delayMs` of virtual time (a slow backend; the step's timeout still applies). */
  | { kind: 'slow'; delayMs: number };

/** A fake queue state: agents free, all busy, nobody logged in, AMI cannot tell, or exact figures. */
export type QueueFake = 'free' | 'busy' | 'none' | 'unknown' | { loggedIn: number; free: number; waiting?: number; holdTimeSec?: number };

/** How a department answers a transfer. */
export type DepartmentFake = 'answered' | 'busy' | 'noAnswer' | 'failed';

/** How the opening-hours check answers, whatever the clock says. */
export type HoursFake = 'open' | 'closed' | 'holiday';

/** The world a simulated call runs in. Every field is optional; scenario files and `simulateCall` share it. */
export interface CallSetup {
  /** The instant the call starts (ISO 8601 with offset). Default `2026-01-05T09:00:00Z` (a Monday). */
  now?: string;
  caller?: string;
  callerName?: string;
  dialled?: string;
  /** The channel language. */
  language?: string;
  /** `key=value` arguments of `Stasis(touchtone,<flow>,…)`. */
  args?: Record<string, string>;
  /** Records per data source, found by the source's key field. */
  data?: Record<string, Record<string, unknown>[]>;
  lookups?: Record<string, LookupFake>;
  hours?: Record<string, HoursFake>;
  queues?: Record<string, QueueFake>;
  departments?: Record<string, DepartmentFake>;
  /**
   * How long an answered department stays on the line, in ms, when the flow takes the caller back (`answered:`),
   * before it hangs up. Default 30 s. Scenario files write a duration: `talkTime: 2m`.
   */
  talkMs?: number;
  /** How recordings end: `finished` (default) or `failed`. */
  recording?: 'finished' | 'failed';
  /** Prompts (by name) or sound files the phone cannot play, as a missing file on Asterisk: they fail at once. */
  missingSounds?: string[];
  /** How callback requests from `queue` steps are answered: `book` (default) or `refuse`. */
  callbacks?: 'book' | 'refuse';
}

/** A prompt as a test names it: the prompt's name, or a regular expression over its text. */
export type PromptMatcher = string | RegExp;

export type ScenarioStep =
  | { at: SourceSpot; kind: 'press'; keys: string; gapMs: number; times: number }
  | { at: SourceSpot; kind: 'wait'; ms: number }
  | { at: SourceSpot; kind: 'hangup' }
  | { at: SourceSpot; kind: 'expectPrompt'; prompts: PromptMatcher[] }
  | { at: SourceSpot; kind: 'expectStep'; step: string }
  | { at: SourceSpot; kind: 'expectVariable'; values: Record<string, unknown> }
  | { at: SourceSpot; kind: 'expectOutcome'; outcome: Record<string, unknown> };

export interface Scenario {
  name: string;
  at: SourceSpot;
  setup: CallSetup;
  steps: ScenarioStep[];
}

/** What kind of thing of the flow a scenario names. */
export type FlowNameKind = 'schedule' | 'data source' | 'department' | 'queue' | 'step' | 'prompt';

/** A name a scenario file uses that the flow under test must define; checked once the flow is loaded. */
export interface FlowNameRef {
  kind: FlowNameKind;
  name: string;
  /** The scenario key that names it (`hours`, `lookups`, `expect step` …). */
  key: string;
  range: Range;
}

export interface ScenarioFile {
  file: string;
  /** The flow file the scenarios drive, resolved to a path. */
  flowPath?: string;
  /** Where `flow:` names it; absent when the file is named after its flow. */
  flowRange?: Range;
  scenarios: Scenario[];
  diagnostics: Diagnostic[];
  /** The flow's names the file uses (schedules, data sources, steps, prompts …), for `checkFlowNames`. */
  names: FlowNameRef[];
}
