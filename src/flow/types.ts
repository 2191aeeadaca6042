/**
 * The flow language, as TypeScript types. This is the shape a flow has *after* it passed the JSON Schema
 * (`schemas/flow.schema.json`), so every optional field here is optional in YAML too.
 *
 * Conventions used throughout:
 * - A `Duration` is a string with a unit: `500ms`, `5s`, `2m`, or `0`.
 * - A `StepRef` names a step in `steps`, or one of the actions `back`, `top`, `repeat` where the field says so.
 * - A `Template` is a string in which `${path.to.var}` is replaced by the variable's value (see `src/flow/template.ts`).
 * - A `Digit` is one of `0123456789*#` (and `ABCD`, which some phones send).
 */

export type Duration = string;
export type StepRef = string;
export type Template = string;
export type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** Every key a phone can send: the one list the schema, the simulator, the ARI adapter and the CLI check against. */
export const DIGITS: readonly Digit[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'];
const DIGIT_SET: ReadonlySet<string> = new Set(DIGITS);

/** True for one phone key. */
export function isDigit(value: unknown): value is Digit {
  return typeof value === 'string' && DIGIT_SET.has(value);
}

/** True for one or more phone keys (`1234#`). */
export function isKeys(value: string): boolean {
  return value.length > 0 && [...value].every((c) => DIGIT_SET.has(c));
}

/** Actions a key or option may name instead of a step. */
export type KeyAction = 'back' | 'top' | 'repeat';
export const KEY_ACTIONS: readonly KeyAction[] = ['back', 'top', 'repeat'];

export interface FlowDoc {
  /** The flow's name: lowercase words joined by `-`. Dialplans name it in `Stasis(touchtone,<flow>)`. */
  flow: string;
  description?: string;
  /** The default language of calls (`en`, `de`, `fr-CA` …). */
  language: string;
  /** Every language the flow's prompts are written in. Defaults to `[language]`. */
  languages?: string[];
  /** The step a call starts at. */
  start: StepRef;
  /** Flow-wide defaults for timers, retries and limits. */
  defaults?: FlowDefaults;
  /** Parameters a sub-flow takes (only in files used through `subflow`). Values are defaults, `null` = required. */
  params?: Record<string, string | number | boolean | null>;
  /** Variables with initial values. */
  variables?: Record<string, string | number | boolean>;
  prompts?: Record<string, PromptDef>;
  hours?: Record<string, HoursDef>;
  departments?: Record<string, DepartmentDef>;
  queues?: Record<string, QueueDef>;
  data?: Record<string, DataSourceDef>;
  /** Keys that work everywhere: as the first key of any menu or input entry. */
  keys?: Record<string, StepRef | KeyAction>;
  steps: Record<string, StepDef>;
}

export interface FlowDefaults {
  /** First-digit timeout. Default `5s`. */
  timeout?: Duration;
  /** Gap allowed between keys. Default `3s`. */
  interDigitTimeout?: Duration;
  /** Wait after a complete entry for a terminator. Default `0` (immediate match). */
  termTimeout?: Duration;
  /** Default retries for noInput and noMatch. Default 2 (three attempts). */
  retries?: number;
  /** Barge-in default for prompts. Default true. */
  bargeIn?: boolean;
  /** Cap on step transitions per call. Default 500. */
  maxSteps?: number;
  /**
   * Where a call goes on an internal error or when it exceeds `maxSteps`, and where a call taken back after a
   * restart without its saved state begins. Default: hang up (a call taken back goes to the dialplan fallback).
   */
  error?: StepRef;
}

/** A prompt: a sound file plus the text it says (per language, or one text for all). */
export type PromptDef =
  | string
  | {
      sound?: string;
      text: string | Record<string, string>;
      /** Approximate length, used by the simulator's virtual clock. Default: from the text. */
      duration?: Duration;
    };

/** One thing to play. A bare string names a prompt. */
export type PlayItem =
  | string
  | { prompt: string }
  /** `sound` and `text` may be templates: `{ sound: "products/${product.sound}", text: "${product.name}" }`. */
  | { sound: Template; text?: Template }
  | { number: Template }
  | { digits: Template }
  | { characters: Template }
  | { money: Template; currency?: string }
  | { date: Template }
  | { time: Template }
  | { recording: Template }
  /** Speak the opening state of a schedule: "we are open until 18:00" / "we open again on Monday at 9:00". */
  | { opening: string }
  | { silence: Duration };

export type PromptList = PlayItem | PlayItem[];

export interface HoursDef {
  timezone: string;
  /** Day ranges (`mon-fri`, `sat`, `sun`, `mon,wed`) to time ranges (`08:00-12:00,13:00-17:00`), or `closed`. */
  weekly: Record<string, string>;
  holidays?: { country: string; region?: string; state?: string; types?: string[] };
  /** Dates the office is closed (`2026-12-24`). */
  closed?: string[];
  /** Special opening hours on given dates, overriding `weekly`: `{ 2026-12-31: "09:00-12:00" }`. */
  special?: Record<string, string>;
}

export type DepartmentDef =
  | { dial: string; ringTimeout?: Duration; callerId?: string; description?: string }
  | { context: string; extension?: string; priority?: number; description?: string }
  | { queue: string; description?: string };

export interface QueueDef {
  /** The Asterisk queue name (from queues.conf). Defaults to the key. */
  asteriskQueue?: string;
  /** What to assume when AMI cannot tell: `open` (agents free) or `closed` (no agents). Default `open`. */
  whenUnknown?: 'open' | 'closed';
  /** Dialplan context that runs `Queue()` for this queue. Default from config. */
  context?: string;
}

export type DataSourceDef =
  | { sqlite: { file?: string; table?: string; query?: string; key?: string }; timeout?: Duration; cacheTtl?: Duration; description?: string }
  | {
      http: { url: Template; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: Template; map?: Record<string, string>; retries?: number };
      timeout?: Duration;
      cacheTtl?: Duration;
      description?: string;
    }
  | { file: { path: string; key: string }; timeout?: Duration; cacheTtl?: Duration; description?: string }
  | { module: { path: string; export?: string }; timeout?: Duration; cacheTtl?: Duration; description?: string };

/** How a no-input or no-match is handled. `retries: 2` means three attempts in all. */
export interface RetryPolicy {
  retries?: number;
  /** Escalating prompts: attempt 1 plays the first, attempt 2 the second, later attempts the last. */
  prompt?: PromptList;
  /** Where to go when the retries run out. Defaults to the step's `exhausted`. */
  next?: StepRef;
}

// ---------------------------------------------------------------------------------------------------------------
// Steps. Every step is a map with exactly one kind key (`play`, `menu` …) plus that kind's branch keys.
// ---------------------------------------------------------------------------------------------------------------

interface StepCommon {
  description?: string;
  /** Clear the type-ahead buffer when the step is entered (for example before a PIN). */
  flush?: boolean;
}

export interface PlayStep extends StepCommon {
  play: PromptList;
  bargeIn?: boolean;
  next: StepRef;
}

export interface MenuSpec {
  /** The prompt on the first attempt. */
  prompt: PromptList;
  /** The prompt on repeats (after a no-input or no-match, or the `repeat` key). Defaults to `prompt`. */
  shortPrompt?: PromptList;
  /** Keys (one or more digits) to steps or actions. */
  options: Record<string, StepRef | KeyAction>;
  /** Direct-dial patterns in Asterisk style (`1XX`, `[2-4]XX`, X=0-9, Z=1-9, N=2-9): the digits go to `into`. */
  patterns?: Record<string, { next: StepRef; into?: string }>;
  timeout?: Duration;
  interDigitTimeout?: Duration;
  termTimeout?: Duration;
  bargeIn?: boolean;
  noInput?: RetryPolicy;
  noMatch?: RetryPolicy;
  /** Overrides of the flow-wide keys for this menu; `null` switches a global key off. */
  keys?: Record<string, StepRef | KeyAction | null>;
}

export interface MenuStep extends StepCommon {
  menu: MenuSpec;
  /** Where to go when noInput or noMatch runs out and names no `next`. */
  exhausted?: StepRef;
}

export interface InputSpec {
  prompt: PromptList;
  /** Variable that receives the digits (without the terminator). */
  into: string;
  /** Length: `4` or `6-10`. Alternatively `minDigits`/`maxDigits`. */
  digits?: string | number;
  minDigits?: number;
  maxDigits?: number;
  /** The key that ends the entry. Default `#`. `none` disables it. */
  terminator?: Digit | 'none';
  timeout?: Duration;
  interDigitTimeout?: Duration;
  termTimeout?: Duration;
  /** A regular expression the whole entry must match, else it is a no-match. */
  pattern?: string;
  bargeIn?: boolean;
  /** Read the entry back (after `intro`, if any) and ask the caller to confirm with 1 (or re-enter with 2). */
  confirm?: { intro?: PromptList; prompt: PromptList; yes?: Digit; no?: Digit };
  /** Never logged, traced or shown; may not be spoken or used as a lookup key. */
  secret?: boolean;
  noInput?: RetryPolicy;
  noMatch?: RetryPolicy;
  keys?: Record<string, StepRef | KeyAction | null>;
}

export interface InputStep extends StepCommon {
  input: InputSpec;
  next: StepRef;
  exhausted?: StepRef;
}

export interface LookupSpec {
  source: string;
  key: Template;
  into: string;
  timeout?: Duration;
  /** Fields that must equal these values for `found` (for example a PIN), compared without logging. */
  verify?: Record<string, Template>;
  /** Play this while the lookup runs, once it has taken longer than `after`. */
  filler?: { after?: Duration; play?: PromptList; musicOnHold?: string };
}

export interface LookupStep extends StepCommon {
  lookup: LookupSpec;
  found: StepRef;
  notFound: StepRef;
  error: StepRef;
  /** With `verify`: where to go when the verified account is locked out. Defaults to `notFound`. */
  locked?: StepRef;
}

export interface BranchCase {
  /** A CEL expression over variables and `call` facts. */
  if: string;
  then: StepRef;
}

export interface BranchStep extends StepCommon {
  branch: BranchCase[];
  else: StepRef;
}

export interface HoursStep extends StepCommon {
  hours: string;
  open: StepRef;
  closed: StepRef;
  /** Defaults to `closed`. */
  holiday?: StepRef;
}

export interface TransferStep extends StepCommon {
  transfer: string;
  /** Announcement before dialling. */
  prompt?: PromptList;
  /**
   * Optional: without it, an answered transfer ends the flow (outcome `transferred`). With it (`dial:` departments
   * only), the caller is bridged and the flow waits until the department hangs up, then continues here.
   */
  answered?: StepRef;
  busy?: StepRef;
  noAnswer?: StepRef;
  failed?: StepRef;
  /** Channel variables for the department (`TOUCHTONE_*`): the agent's screen-pop, the dialplan's routing. */
  vars?: Record<string, Template>;
}

export interface QueueSpec {
  name: string;
  /** Announce the estimated wait before queueing. */
  announceWait?: boolean;
  /** No agents logged in. */
  noAgents?: StepRef;
  /** Agents logged in but none free. Default: queue anyway. */
  noFreeAgents?: StepRef;
  /**
   * Offer a callback: the caller presses this key instead of holding. `offerAfterWait` is how long to listen for
   * the key after the offer; `offerAbove` makes the offer only when the estimated wait is longer; `refused` is the
   * step when the request is not taken (default: queue as normal).
   */
  callback?: {
    key: Digit;
    prompt?: PromptList;
    next: StepRef;
    offerAfterWait?: Duration;
    offerAbove?: Duration;
    refused?: StepRef;
    /** A variable holding a number the caller typed and confirmed (an `input` with `confirm`); default: the caller's own. */
    number?: string;
  };
  /** Channel variables for the agent's screen-pop (`TOUCHTONE_*`). */
  vars?: Record<string, Template>;
}

export interface QueueStep extends StepCommon {
  queue: QueueSpec;
}

export interface RecordSpec {
  /** `voicemail` or `callback`: how the store files the recording. */
  purpose?: 'voicemail' | 'callback';
  prompt?: PromptList;
  maxDuration?: Duration;
  /** Silence that ends the recording. */
  maxSilence?: Duration;
  beep?: boolean;
  terminator?: Digit | 'none';
  into?: string;
}

export interface RecordStep extends StepCommon {
  record: RecordSpec;
  next: StepRef;
  failed?: StepRef;
}

export type SetValue = string | number | boolean | { expr: string };

export interface SetStep extends StepCommon {
  set: Record<string, SetValue>;
  next: StepRef;
}

export interface LanguageStep extends StepCommon {
  language: string;
  next: StepRef;
}

export interface HangupStep extends StepCommon {
  hangup: true | PromptList | { prompt?: PromptList; reason?: string };
}

export interface SubflowStep extends StepCommon {
  subflow: { file: string; params?: Record<string, Template | number | boolean>; into?: string };
  next: StepRef;
}

export interface ReturnStep extends StepCommon {
  return: true | Record<string, Template | number | boolean>;
}

export type StepDef =
  | PlayStep
  | MenuStep
  | InputStep
  | LookupStep
  | BranchStep
  | HoursStep
  | TransferStep
  | QueueStep
  | RecordStep
  | SetStep
  | LanguageStep
  | HangupStep
  | SubflowStep
  | ReturnStep;

export type StepKind =
  | 'play'
  | 'menu'
  | 'input'
  | 'lookup'
  | 'branch'
  | 'hours'
  | 'transfer'
  | 'queue'
  | 'record'
  | 'set'
  | 'language'
  | 'hangup'
  | 'subflow'
  | 'return';

export const STEP_KINDS: readonly StepKind[] = [
  'play',
  'menu',
  'input',
  'lookup',
  'branch',
  'hours',
  'transfer',
  'queue',
  'record',
  'set',
  'language',
  'hangup',
  'subflow',
  'return',
];

/** The kind of a step: the one key of the step that names a kind. */
export function stepKind(step: object): StepKind | undefined {
  for (const kind of STEP_KINDS) if (kind in step) return kind;
  return undefined;
}
