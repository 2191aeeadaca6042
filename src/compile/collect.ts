/**
 * Collecting keys: the state shape and behaviour `menu` and `input` share. This is where the rules of
 * `INPUT-SEMANTICS.md` live; the timers are XState `after` transitions, so they run on the actor's (injected) clock
 * and stop when the state is left.
 *
 * States of a collecting step:
 * - on entry, the step reads the type-ahead buffer. If those keys already end the entry (or the caller is
 *   mid-entry), the prompt is skipped (`held`) and the step acts on them;
 * - `prompt`: plays the prompt for this attempt. With barge-in a key stops it and counts; without, keys are dropped;
 * - `first`: the first-digit timeout, from the end of the prompt (no-input when it expires);
 * - `more`: the inter-digit timeout, restarted by each key while a longer entry is possible;
 * - `term`: the completion timeout (only when `termTimeout` > 0);
 * - `confirm` / `confirmWait`: an input's read-back and its yes/no key.
 *
 * Re-prompts: attempt 1 plays `prompt`. After a no-input (no-match) the step plays that counter's prompt for the
 * retry (entry n for the n-th retry, later the last one) followed by `shortPrompt` (else `prompt`). The `repeat`
 * key plays `shortPrompt` (else `prompt`) and counts no attempt.
 */
import type { Digit, FlowDoc, MenuSpec, InputSpec, PlayItem, StepDef } from '../flow/types.js';
import { durationMs } from '../flow/duration.js';
import type { CompileContext, StateConfig } from './step-compiler.js';
import { playingState } from './step-config.js';
import { effect, menuTarget, type EffectArgs } from './effects.js';
import { inputValid, judgeInput, judgeMenu, menuChoice, type InputRules, type MenuChoices, type Verdict } from './digit-matcher.js';
import type { CallContext } from './call-context.js';

interface RetryData {
  retries: number;
  prompts: PlayItem[];
  next?: string;
}

/** What a collecting step's implementations read at run time (registered per step). */
export interface CollectData {
  kind: 'menu' | 'input';
  doc: FlowDoc;
  prompt: PlayItem[];
  shortPrompt: PlayItem[];
  noInput: RetryData;
  noMatch: RetryData;
  exhausted?: string;
  timeoutMs: number;
  interDigitMs: number;
  termMs: number;
  bargeIn: boolean;
  /** Keys that act as the first key of an entry (inputs only; a menu merges them into its choices). */
  keys: Record<string, string>;
  menu?: MenuChoices;
  input?: {
    rules: InputRules;
    into: string;
    next: string;
    secret: boolean;
    confirm?: { intro: PlayItem[]; prompt: PlayItem[]; yes: string; no: string };
  };
}

/** Builds the run-time data common to menus and inputs. */
export function collectData(ctx: CompileContext, kind: 'menu' | 'input', spec: MenuSpec | InputSpec, exhausted: string | undefined): CollectData {
  const d = ctx.defaults;
  const retry = (policy: MenuSpec['noInput']): RetryData => ({
    retries: policy?.retries ?? d.retries,
    prompts: ctx.prompts(policy?.prompt),
    ...(policy?.next ? { next: ctx.target(policy.next) } : {}),
  });
  const prompt = ctx.prompts(spec.prompt);
  const short = 'shortPrompt' in spec && spec.shortPrompt !== undefined ? ctx.prompts(spec.shortPrompt) : prompt;
  return {
    kind,
    doc: ctx.doc,
    prompt,
    shortPrompt: short,
    noInput: retry(spec.noInput),
    noMatch: retry(spec.noMatch),
    ...(exhausted ? { exhausted: ctx.target(exhausted) } : {}),
    timeoutMs: durationMs(spec.timeout, d.timeoutMs),
    interDigitMs: durationMs(spec.interDigitTimeout, d.interDigitMs),
    termMs: durationMs(spec.termTimeout, d.termMs),
    bargeIn: spec.bargeIn ?? d.bargeIn,
    keys: {},
  };
}

/** The state node of a collecting step. */
export function collectState(ctx: CompileContext, data: CollectData, step: StepDef): StateConfig {
  const p = { step: ctx.name };
  const states: Record<string, StateConfig> = {
    prompt: playingState({ type: 'collect.prompt', params: p }, 'first', { type: 'collect.bargeKey', params: p }),
    first: { after: { [data.timeoutMs]: { actions: { type: 'collect.noInput', params: p } } } },
    more: { after: { [data.interDigitMs]: { actions: { type: 'collect.gap', params: p } } } },
  };
  const on: Record<string, unknown> = {
    key: { actions: { type: 'collect.key', params: p } },
    'tt.more': '.more',
    'tt.reprompt': { target: '.prompt', actions: 'collect.unhold' },
  };
  if (data.termMs > 0) {
    states['term'] = { after: { [data.termMs]: { actions: { type: 'collect.accept', params: p } } } };
    on['tt.term'] = '.term';
  }
  if (data.input?.confirm) {
    states['confirm'] = playingState({ type: 'collect.confirmPrompt', params: p }, 'confirmWait', { type: 'collect.confirmKey', params: p });
    states['confirmWait'] = {
      after: { [data.timeoutMs]: { actions: { type: 'collect.noInput', params: p } } },
      on: { key: { actions: { type: 'collect.confirmKey', params: p } } },
    };
    on['tt.confirm'] = '.confirm';
  }
  return {
    entry: [{ type: 'step.enter', params: { step: ctx.name, kind: data.kind, menu: data.kind === 'menu', flush: step.flush === true } }, { type: 'collect.begin', params: p }],
    initial: 'prompt',
    states,
    on,
  };
}

type Args = EffectArgs<{ step: string }>;
/** What feeding one key led to: the step acted (moved, re-prompted), or it waits for more keys. */
type Fed = 'done' | 'more' | 'term';

function retryPrompt(list: PlayItem[], n: number): PlayItem[] {
  if (list.length === 0) return [];
  return [list[Math.min(n, list.length) - 1]!];
}

function reprompt(a: Args, mode: CallContext['promptMode']): void {
  a.ctx.promptMode = mode;
  a.ctx.entry = '';
  a.raise({ type: 'tt.reprompt' });
}

function exhausted(a: Args, data: CollectData, next: string | undefined, counter: string): void {
  const to = next ?? data.exhausted ?? a.rt.defaults.error;
  if (to) return a.go(to);
  a.rt.port.hangup('retries-exhausted');
  a.end({ kind: 'failed', step: a.ctx.step, code: 'retries-exhausted', reason: `${counter} retries ran out and the step names no destination` });
}

/** `judged`: what was refused, when it is not the entry (a wrong key at the confirmation). */
function noMatch(a: Args, data: CollectData, judged?: string): void {
  const { ctx, rt } = a;
  rt.traceEvent({ type: 'match', step: ctx.step, entry: judged ?? mask(data, ctx.entry), result: 'noMatch' });
  // A wrong key must not also hit the re-prompt: drop what was typed ahead.
  ctx.buffer = '';
  ctx.noMatch++;
  if (ctx.noMatch > data.noMatch.retries) return exhausted(a, data, data.noMatch.next, 'noMatch');
  reprompt(a, 'noMatch');
}

function noInput(a: Args, data: CollectData): void {
  const { ctx, rt } = a;
  rt.traceEvent({ type: 'timer', step: ctx.step, timer: 'noInput' });
  ctx.noInput++;
  if (ctx.noInput > data.noInput.retries) return exhausted(a, data, data.noInput.next, 'noInput');
  reprompt(a, 'noInput');
}

function mask(data: CollectData, entry: string): string {
  return data.input?.secret ? '*'.repeat(entry.length) : entry;
}

/** Carries out a menu choice, a global key or an action (`back`, `top`, `repeat`). */
function act(a: Args, data: CollectData, target: string, into?: string): void {
  const { ctx, rt } = a;
  rt.traceEvent({ type: 'match', step: ctx.step, entry: mask(data, ctx.entry), result: target });
  if (target === 'repeat') return reprompt(a, 'repeat');
  if (target === 'back' || target === 'top') {
    const menu = menuTarget(ctx, target);
    return menu ? a.go(menu) : reprompt(a, 'repeat');
  }
  if (into) setVar(a, data, into, ctx.entry);
  a.go(target);
}

function setVar(a: Args, data: CollectData, name: string, value: string): void {
  a.ctx.vars[name] = value;
  if (data.input?.secret && !a.ctx.secrets.includes(name)) a.ctx.secrets.push(name);
  a.rt.traceEvent({ type: 'var', step: a.ctx.step, name, value: data.input?.secret ? '****' : value });
}

/** Accepts the entry as it stands. */
function accept(a: Args, data: CollectData): void {
  const entry = a.ctx.entry;
  if (data.menu) {
    const choice = menuChoice(data.menu, entry);
    return choice ? act(a, data, choice.next, choice.into) : noMatch(a, data);
  }
  const input = data.input!;
  if (!inputValid(input.rules, entry)) return noMatch(a, data);
  if (input.confirm) {
    a.rt.scratch['confirm'] = entry;
    a.raise({ type: 'tt.confirm' });
    return;
  }
  commitInput(a, data);
}

function commitInput(a: Args, data: CollectData): void {
  const input = data.input!;
  a.rt.traceEvent({ type: 'match', step: a.ctx.step, entry: mask(data, a.ctx.entry), result: input.next });
  setVar(a, data, input.into, a.ctx.entry);
  a.go(input.next);
}

function verdictToFed(a: Args, data: CollectData, verdict: Verdict): Fed {
  switch (verdict) {
    case 'reject':
      noMatch(a, data);
      return 'done';
    case 'partial':
    case 'ambiguous':
      return 'more';
    case 'accept':
      if (data.termMs > 0) return 'term';
      accept(a, data);
      return 'done';
  }
}

/** Feeds one key to the entry and acts on the verdict. */
function feed(a: Args, data: CollectData, digit: string): Fed {
  const { ctx } = a;
  if (ctx.entry === '' && data.input) {
    // Flow-wide keys act only as the first key of an entry: a `0` inside an account number is a digit.
    const global = data.keys[digit];
    if (global !== undefined) {
      ctx.entry = digit;
      act(a, data, global);
      return 'done';
    }
  }
  if (data.input) {
    if (digit === data.input.rules.terminator) {
      accept(a, data);
      return 'done';
    }
    ctx.entry += digit;
    return verdictToFed(a, data, judgeInput(data.input.rules, ctx.entry));
  }
  ctx.entry += digit;
  return verdictToFed(a, data, judgeMenu(data.menu!, ctx.entry));
}

function waitFor(a: Args, fed: Fed): void {
  if (fed === 'more') a.raise({ type: 'tt.more' });
  else if (fed === 'term') a.raise({ type: 'tt.term' });
}

function promptFor(ctx: CallContext, data: CollectData): PlayItem[] {
  switch (ctx.promptMode) {
    case 'first':
      return data.prompt;
    case 'repeat':
      return data.shortPrompt;
    case 'noInput':
      return [...retryPrompt(data.noInput.prompts, ctx.noInput), ...data.shortPrompt];
    case 'noMatch':
      return [...retryPrompt(data.noMatch.prompts, ctx.noMatch), ...data.shortPrompt];
  }
}

const dataOf = (a: Args) => a.rt.stepData<CollectData>(a.params.step);

/** The named implementations of collecting steps. */
export const collectImplementations = {
  actions: {
    'collect.begin': effect((a) => {
      const { ctx } = a;
      const data = dataOf(a);
      ctx.entry = '';
      ctx.held = false;
      if (!ctx.buffer) return;
      const keys = ctx.buffer;
      ctx.buffer = '';
      let fed: Fed = 'more';
      for (const digit of keys) {
        fed = feed(a, data, digit);
        if (fed === 'done') break;
      }
      // Keys typed ahead: the caller is already answering, so the prompt is skipped.
      ctx.held = true;
      waitFor(a, fed);
    }),
    'collect.prompt': effect((a) => {
      // Keys typed ahead already decided (or started) the entry: the first prompt is not played.
      if (a.ctx.held) return;
      const data = dataOf(a);
      const id = a.rt.play(a.ctx.step, data.doc, promptFor(a.ctx, data), a.ctx);
      if (id === undefined) a.raise({ type: 'tt.prompted' });
    }),
    'collect.key': effect((a) => waitFor(a, feed(a, dataOf(a), a.event['digit'] as Digit))),
    'collect.bargeKey': effect((a) => {
      const data = dataOf(a);
      // Without barge-in, keys pressed during the prompt are dropped (VoiceXML `bargein="false"`).
      if (!data.bargeIn) return;
      a.rt.stopPlayback();
      waitFor(a, feed(a, data, a.event['digit'] as Digit));
    }),
    'collect.unhold': effect(({ ctx }) => {
      ctx.held = false;
    }),
    'collect.noInput': effect((a) => noInput(a, dataOf(a))),
    'collect.gap': effect((a) => {
      const data = dataOf(a);
      const verdict = data.menu ? judgeMenu(data.menu, a.ctx.entry) : judgeInput(data.input!.rules, a.ctx.entry);
      a.rt.traceEvent({ type: 'timer', step: a.ctx.step, timer: 'interDigit' });
      if (verdict === 'ambiguous' || verdict === 'accept') accept(a, data);
      else noMatch(a, data);
    }),
    'collect.accept': effect((a) => accept(a, dataOf(a))),
    'collect.confirmPrompt': effect((a) => {
      const data = dataOf(a);
      const input = data.input!;
      const value = String(a.rt.scratch['confirm'] ?? '');
      // "You entered" (intro), the entry read back key by key, then the question.
      const readBack: PlayItem[] = input.secret ? [] : [{ digits: value }];
      const id = a.rt.play(a.ctx.step, data.doc, [...input.confirm!.intro, ...readBack, ...input.confirm!.prompt], a.ctx);
      if (id === undefined) a.raise({ type: 'tt.prompted' });
    }),
    'collect.confirmKey': effect((a) => {
      const data = dataOf(a);
      const input = data.input!;
      const digit = a.event['digit'] as string;
      a.rt.stopPlayback();
      if (digit === input.confirm!.yes) {
        (a.ctx.confirmed ??= {})[input.into] = a.ctx.entry;
        return commitInput(a, data);
      }
      if (digit === input.confirm!.no) return reprompt(a, 'first');
      // The trace names the key refused, not the entry it was asked about.
      noMatch(a, data, digit);
    }),
  },
};

/** Input rules from an input spec. */
export function inputRules(spec: InputSpec, length: { min: number; max: number }): InputRules {
  const terminator = spec.terminator === 'none' ? undefined : (spec.terminator ?? '#');
  return {
    ...length,
    ...(terminator ? { terminator } : {}),
    ...(spec.pattern ? { pattern: new RegExp(`^(?:${spec.pattern})$`) } : {}),
  };
}

