/**
 * `simulateCall`: one call through a flow on a virtual clock, driven by a test. Keys go in with `press`, time
 * passes only with `wait` (or while an `expect…` waits for something to happen), and assertions read what the
 * caller heard, the step, the variables and the outcome.
 *
 * @example
 *   const call = await simulateCall('flows/acme-hotline.yaml', { now: '2026-12-07T10:00:00+01:00' });
 *   await call.expectPrompt('main-menu');
 *   await call.press('0');
 *   await call.expectOutcome({ kind: 'queued', queue: 'support' });
 */
import type { FlowDoc } from '../flow/types.js';
import { VirtualClock, settle } from '../runtime/clock.js';
import type { CallbackRequester, CallOutcome, Services, TraceEntry } from '../runtime/services.js';
import { Engine } from '../runtime/engine.js';
import type { CallSession } from '../runtime/call-session.js';
import { createInMemoryServices } from '../runtime/in-memory-services.js';
import { SimulatedPhone, type SimulatorBehaviour } from '../telephony/simulator/simulated-phone.js';
import type { CallFacts, DepartmentTarget, PortEventListener } from '../telephony/port.js';
import type { CallSetup, DepartmentFake, PromptMatcher } from './scenario-types.js';
import { fakeDataSources, fakeHours, queueStatus, type LookupBehaviour } from './fakes.js';
import { loadCompiledFlow, type FlowInput } from './load-flow.js';
import { checkSimulateOptions, durationArg, keysArg } from './check-options.js';
import { sameValue } from './same-value.js';

/** The default start of a simulated call: a Monday morning. */
export const DEFAULT_NOW = '2026-01-05T09:00:00Z';
/** How long `expect…` lets virtual time run before it gives up. */
const DEFAULT_WITHIN_MS = 10 * 60_000;

/** Options of `simulateCall`: the call's world (see `CallSetup`) plus programmatic hooks. */
export interface SimulateOptions extends Omit<CallSetup, 'lookups'> {
  lookups?: Record<string, LookupBehaviour>;
  /** Replace any service outright (a real data source factory, a recording sink …). */
  services?: Partial<Services>;
  /** Share a clock between calls. Default: a new virtual clock at `now`. */
  clock?: VirtualClock;
}

/** One thing the caller heard. */
export interface HeardItem {
  /** The flow's prompt name, when the item came from `prompts:`. */
  prompt?: string;
  text: string;
  at: number;
}

/** The error an `expect…` throws: its message says what was expected and what happened instead. */
export class CallExpectationError extends Error {
  override name = 'CallExpectationError';
  /** Stable: `expect-prompt`, `expect-step`, `expect-variable` or `expect-outcome`. */
  constructor(
    readonly code: 'expect-prompt' | 'expect-step' | 'expect-variable' | 'expect-outcome',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A simulated call in progress. Obtain one with `simulateCall`.
 */
export class SimulatedCall {
  private cursor = 0;
  private stepCursor = 0;
  private endTime: number | undefined;

  constructor(
    readonly session: CallSession,
    readonly phone: SimulatedPhone,
    readonly clock: VirtualClock,
    readonly engine: Engine,
  ) {
    // The clock may run on past the end (a script's `wait 30s`); the log stamps the outcome with the end itself.
    void session.done.then(
      () => (this.endTime = clock.now()),
      () => (this.endTime = clock.now()),
    );
  }

  /** When the call ended, on its clock (ms since 1970), or undefined while it runs. */
  get endedAt(): number | undefined {
    return this.ended ? (this.endTime ?? this.clock.now()) : undefined;
  }

  /** The outcome once the call has ended (it includes the `step` it ended at), else undefined. */
  get outcome(): CallOutcome | undefined {
    return this.session.outcome;
  }

  get ended(): boolean {
    return this.session.ended;
  }

  /** The step the call is at. */
  get step(): string {
    return this.session.step;
  }

  get vars(): Readonly<Record<string, unknown>> {
    return this.session.vars;
  }

  get trace(): readonly TraceEntry[] {
    return this.session.trace;
  }

  /** Every item played so far, in order. A prompt that could not be played (`missingSounds`) was not heard. */
  heardItems(): HeardItem[] {
    const items: HeardItem[] = [];
    for (const playback of this.phone.playbacks) {
      if (playback.outcome === 'failed') continue;
      for (const media of playback.media) {
        const text = media.text ?? ('name' in media ? media.name : 'value' in media ? media.value : '');
        if (media.kind === 'silence' && !media.text) continue;
        items.push({ ...('prompt' in media && media.prompt ? { prompt: media.prompt } : {}), text, at: playback.startedAt });
      }
    }
    return items;
  }

  /** The texts of everything played so far. */
  heard(): string[] {
    return this.heardItems().map((item) => item.text);
  }

  /** Presses keys, one after another, `gap` apart (default: at once). */
  async press(keys: string, options: { gap?: string | number; times?: number } = {}): Promise<void> {
    keysArg(keys, options.times);
    const gap = durationArg('gap', options.gap ?? 0);
    this.markAction();
    const all = keys.repeat(Math.max(1, options.times ?? 1));
    for (const [i, key] of [...all].entries()) {
      if (i > 0 && gap > 0) await this.clock.advance(gap);
      this.phone.press(key);
      await settle();
    }
  }

  /** Lets virtual time pass (`'6s'`, `'500ms'` or milliseconds). */
  async wait(duration: string | number): Promise<void> {
    const ms = durationArg('wait', duration);
    this.markAction();
    await this.clock.advance(ms);
  }

  /** The caller hangs up. */
  async hangup(): Promise<void> {
    this.markAction();
    this.phone.hangupByCaller();
    await settle();
  }

  /**
   * Waits (in virtual time) until the caller hears a prompt, named or matching a regular expression over its
   * text, after the last prompt an earlier `expectPrompt` matched. Fails listing what was heard instead.
   */
  async expectPrompt(matcher: PromptMatcher, options: { within?: string | number } = {}): Promise<HeardItem> {
    const found = await this.runUntil(() => this.findPrompt(matcher), durationArg('within', options.within ?? DEFAULT_WITHIN_MS));
    if (found) return found;
    const heard = this.heardItems().slice(this.cursor);
    const list = heard.length ? heard.map((h) => `${h.prompt ? `\`${h.prompt}\`` : '(no name)'} "${h.text}"`).join(', ') : 'nothing';
    throw new CallExpectationError(
      'expect-prompt',
      `Expected the caller to hear ${describeMatcher(matcher)}, but heard ${list}${this.where()}.`,
    );
  }

  /** Asserts the step the call is at now. */
  expectStep(step: string): void {
    if (this.step !== step) throw new CallExpectationError('expect-step', `Expected the call to be at step \`${step}\`, but it is at \`${this.step}\`${this.ended ? ' (ended)' : ''}.`);
  }

  /** Steps entered before the latest action do not satisfy a later `reachStep`. */
  private markAction(): void {
    this.stepCursor = Math.max(this.stepCursor, this.trace.length);
  }

  /**
   * Waits (in virtual time) until the call enters `step`: passes if the call is at it now, or entered it since
   * the latest `press`, `wait` or `hangup` (or the step an earlier `reachStep` found).
   */
  async reachStep(step: string, options: { within?: string | number } = {}): Promise<void> {
    const found = await this.runUntil(() => {
      const trace = this.trace;
      if (this.step === step && !this.ended) {
        this.stepCursor = trace.length;
        return true;
      }
      for (let i = this.stepCursor; i < trace.length; i++) {
        const entry = trace[i]!;
        if (entry.type === 'step' && entry.step === step) {
          this.stepCursor = i + 1;
          return true;
        }
      }
      return undefined;
    }, durationArg('within', options.within ?? DEFAULT_WITHIN_MS));
    if (!found) {
      const visited = this.trace.slice(this.stepCursor).flatMap((e) => (e.type === 'step' ? [`\`${e.step}\``] : []));
      throw new CallExpectationError('expect-step', `Expected the call to reach step \`${step}\`, but it went through ${visited.length ? visited.join(', ') : 'no step'}${this.where()}.`);
    }
  }

  /** Asserts a variable's value (deep equality; numbers and numeric strings compare as written). */
  expectVariable(name: string, value: unknown): void {
    const actual = readVar(this.vars, name);
    if (!sameValue(actual, value)) {
      throw new CallExpectationError('expect-variable', `Expected variable \`${name}\` to be \`${JSON.stringify(value)}\`, but it is \`${JSON.stringify(actual)}\`${this.where()}.`);
    }
  }

  /** Runs virtual time until the call ends, then asserts its outcome has these fields (`step` may be left out). */
  async expectOutcome(expected: Partial<CallOutcome> & Record<string, unknown>, options: { within?: string | number } = {}): Promise<CallOutcome> {
    const outcome = await this.runUntilEnd(options);
    const wrong = Object.entries(expected).filter(([k, v]) => !sameValue((outcome as unknown as Record<string, unknown>)[k], v));
    if (!outcome || wrong.length) {
      throw new CallExpectationError('expect-outcome', `Expected outcome ${JSON.stringify(expected)}, but ${outcome ? `the call ended with ${JSON.stringify(outcome)}` : `the call has not ended${this.where()}`}.`);
    }
    return outcome;
  }

  /** Runs virtual time until the call ends (bounded by `within`, default 10 minutes). */
  async runUntilEnd(options: { within?: string | number } = {}): Promise<CallOutcome | undefined> {
    await this.runUntil(() => (this.ended ? true : undefined), durationArg('within', options.within ?? DEFAULT_WITHIN_MS));
    return this.outcome;
  }

  /** Advances from timer to timer until `check` answers or the time budget is spent. */
  private async runUntil<T>(check: () => T | undefined, withinMs: number): Promise<T | undefined> {
    await settle();
    const deadline = this.clock.now() + withinMs;
    for (;;) {
      const result = check();
      if (result !== undefined) return result;
      if (this.ended) return check();
      const next = this.clock.nextDue();
      if (next === undefined || next > deadline) return undefined;
      await this.clock.advanceTo(next);
    }
  }

  private findPrompt(matcher: PromptMatcher): HeardItem | undefined {
    const items = this.heardItems();
    for (let i = this.cursor; i < items.length; i++) {
      const item = items[i]!;
      const hit = typeof matcher === 'string' ? item.prompt === matcher : matcher.test(item.text);
      if (hit) {
        this.cursor = i + 1;
        return item;
      }
    }
    return undefined;
  }

  private where(): string {
    return this.ended ? ` (the call ended at step \`${this.outcome?.step ?? this.step}\` with \`${this.outcome?.kind}\`)` : ` (the call is at step \`${this.step}\`)`;
  }
}

function describeMatcher(matcher: PromptMatcher): string {
  return typeof matcher === 'string' ? `prompt \`${matcher}\`` : `a prompt matching \`${String(matcher)}\``;
}

function readVar(vars: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = vars;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Department fakes are written by department name; the phone knows endpoints (`PJSIP/sales`). */
function departmentEndpoints(doc: FlowDoc, fakes: Record<string, DepartmentFake>): Record<string, DepartmentFake> {
  const out: Record<string, DepartmentFake> = {};
  for (const [name, outcome] of Object.entries(fakes)) {
    const def = doc.departments?.[name];
    const key = def && 'dial' in def ? def.dial : def && 'context' in def ? def.context : name;
    out[key] = outcome;
  }
  return out;
}

/**
 * The simulator answers every dialplan hand-off; a test may want one to fail. This phone reports the faked
 * outcome for dialplan departments and leaves everything else to the simulator.
 */
class FakingPhone extends SimulatedPhone {
  private flowListener: PortEventListener | undefined;

  constructor(
    private readonly virtualClock: VirtualClock,
    facts: Partial<CallFacts>,
    behaviour: SimulatorBehaviour,
    private readonly dialplanFakes: Record<string, DepartmentFake>,
  ) {
    super(virtualClock, facts, behaviour);
  }

  override onEvent(listener: PortEventListener): void {
    this.flowListener = listener;
    super.onEvent(listener);
  }

  override transfer(target: DepartmentTarget): void {
    const fake = target.kind === 'dialplan' ? this.dialplanFakes[target.context] : undefined;
    if (fake === undefined || fake === 'answered' || this.state === 'ended') return super.transfer(target);
    this.commands.push({ at: this.virtualClock.now(), command: 'transfer', args: target });
    this.flowListener?.({ type: 'transfer.result', outcome: fake });
  }
}

let callCounter = 0;

/** `callbacks: refuse`: every callback request is refused, as a full or switched-off scheduler would. */
const refusingCallbacks: CallbackRequester = {
  request: async () => ({ ok: false, code: 'callback-full', reason: 'The test refuses callback requests (`callbacks: refuse`).' }),
};

/**
 * Starts a simulated call to a flow: a file path, a flow document or a compiled flow. The call is answered
 * and its first step has run when the promise resolves.
 */
export async function simulateCall(flow: FlowInput | FlowDoc, options: SimulateOptions = {}): Promise<SimulatedCall> {
  const compiled = await loadCompiledFlow(flow);
  checkSimulateOptions(options, compiled);
  const clock = options.clock ?? new VirtualClock(Date.parse(options.now ?? DEFAULT_NOW));
  const base = createInMemoryServices({
    clock,
    ...(options.data ? { data: options.data } : {}),
    ...(options.queues ? { queues: Object.fromEntries(Object.entries(options.queues).map(([q, f]) => [q, queueStatus(f)])) } : {}),
    ...(options.callbacks === 'refuse' ? { callbacks: refusingCallbacks } : {}),
  });
  let services: Services = { ...base, ...options.services };
  if (options.lookups) services = { ...services, data: fakeDataSources(services.data, options.lookups, clock) };
  if (options.hours) services = { ...services, hours: fakeHours(services.hours, options.hours) };
  const engine = new Engine(services);
  engine.publish(compiled);
  const callId = `sim-${++callCounter}`;
  const endpoints = options.departments ? departmentEndpoints(compiled.doc, options.departments) : undefined;
  const phone = new FakingPhone(
    clock,
    {
      callId,
      channel: `Local/${callId}`,
      caller: options.caller ?? '+15555550100',
      ...(options.callerName ? { callerName: options.callerName } : {}),
      dialled: options.dialled ?? '100',
      ...(options.language ? { language: options.language } : {}),
      flow: compiled.name,
      args: options.args ?? {},
    },
    {
      ...(endpoints ? { departments: endpoints } : {}),
      ...(options.recording ? { recording: { outcome: options.recording } } : {}),
      ...(options.talkMs !== undefined ? { talkMs: options.talkMs } : {}),
      ...(options.missingSounds ? { missingSounds: options.missingSounds } : {}),
    },
    endpoints ?? {},
  );
  const session = engine.startCall(phone, compiled.name);
  await settle();
  return new SimulatedCall(session, phone, clock, engine);
}
