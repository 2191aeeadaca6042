/**
 * The engine half of `queue`: asks the queue status provider (AMI) how many agents are logged in and free,
 * bounded by a timer; with no answer the queue's `whenUnknown` decides. Branches `noAgents` / `noFreeAgents`;
 * otherwise it may announce the estimated wait, offer a callback key, then sets the `TOUCHTONE_*` channel
 * variables for the agent's screen-pop and hands the call to the queue (outcome `queued`).
 *
 * A caller who presses the callback key is not queued: the step asks `services.callbacks` to book a callback
 * (the caller's number, or the one they typed and confirmed, their place, the flow variables without secrets) and
 * goes to `callback.next`. When the
 * request is refused, or nothing takes requests, it goes to `callback.refused`, else queues as normal. The key
 * counts from the moment the step starts: one pressed while the status is fetched waits in the type-ahead buffer.
 */
import { fromPromise } from 'xstate';
import type { FlowDoc, PlayItem, QueueStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import type { CallbackRequestResult, QueueStatus } from '../../runtime/services.js';
import type { CallContext } from '../../compile/call-context.js';
import { effect, type EffectArgs } from '../../compile/effects.js';
import { enterStep, named, playingState } from '../../compile/step-config.js';
import { runtimeOf } from '../../compile/call-runtime.js';
import { durationMs } from '../../flow/duration.js';
import { screenPopVars } from '../../compile/screen-pop.js';
import { sayHoldTime } from '../../say/index.js';

/** How long the queue status may take before the queue's `whenUnknown` decides. */
export const QUEUE_STATUS_TIMEOUT_MS = 2000;
const DEFAULT_OFFER_WAIT_MS = 5000;

interface QueueData {
  doc: FlowDoc;
  name: string;
  asteriskQueue: string;
  context?: string;
  whenUnknown: 'open' | 'closed';
  announceWait: boolean;
  noAgents?: string;
  noFreeAgents?: string;
  callback?: { key: string; items: PlayItem[]; next: string; refused?: string; waitMs: number; aboveMs?: number; numberVar?: string };
  vars: Record<string, string>;
}

type Args = EffectArgs<{ step: string }>;

/** The status the step fetched (kept in the step's scratch), undefined when AMI could not tell. */
function statusOf(a: { rt: { scratch: Record<string, unknown> } }): QueueStatus | undefined {
  return a.rt.scratch['status'] as QueueStatus | undefined;
}

function afterAnnounce(a: Args, data: QueueData): void {
  if (data.callback && offerWanted(data.callback.aboveMs, statusOf(a))) a.raise({ type: 'tt.offer' });
  else enqueue(a, data);
}

/** With `offerAbove`, only a known estimated wait longer than it earns the offer: an unknown wait is not long. */
function offerWanted(aboveMs: number | undefined, status: QueueStatus | undefined): boolean {
  if (aboveMs === undefined) return true;
  return status !== undefined && status.holdTimeSec * 1000 > aboveMs;
}

// Same limits as the callback scheduler: `TOUCHTONE_<NAME>` must stay a valid channel variable name.
const CALLBACK_VAR_NAME = /^[A-Za-z][A-Za-z0-9_]{0,21}$/;
const MAX_CALLBACK_VARS = 32;

/**
 * The flow variables a callback request carries to the agent: plain values only (records from lookups may hold
 * more than the agent should see), never a secret input, at most 32.
 */
export function callbackVars(call: Pick<CallContext, 'vars' | 'secrets'>): Record<string, string> {
  const out: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(call.vars)) {
    if (count >= MAX_CALLBACK_VARS) break;
    if (call.secrets.includes(name) || !CALLBACK_VAR_NAME.test(name)) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') continue;
    out[name] = String(value);
    count++;
  }
  return out;
}

/** The caller chose a callback (a key, or the type-ahead): stop the prompt and book it. */
function takeCallbackKey(a: Args, data: QueueData, digit: string): void {
  a.rt.stopPlayback();
  a.rt.traceEvent({ type: 'match', step: a.ctx.step, entry: digit, result: 'callback' });
  if (!a.rt.services.callbacks) return callbackRefused(a, data, { code: 'callback-off', reason: 'No callback service is configured, so the callback was not booked.' });
  a.raise({ type: 'tt.callback' });
}

/**
 * A callback key the caller pressed before the step could offer anything (while the status was fetched) sits in
 * the type-ahead buffer: it counts, once the status shows the offer is wanted. True when it was taken.
 */
function takeBufferedCallbackKey(a: Args, data: QueueData): boolean {
  const key = data.callback?.key;
  if (key === undefined || !a.ctx.buffer.includes(key) || !offerWanted(data.callback!.aboveMs, statusOf(a))) return false;
  a.ctx.buffer = '';
  takeCallbackKey(a, data, key);
  return true;
}

/**
 * The number to call back: the caller's own, or the one in `numberVar`, confirmed only while the variable still
 * holds what the caller heard read back and confirmed. The scheduler refuses an unconfirmed typed number and holds
 * typed numbers to `callbacks.allow`.
 */
export function callbackNumber(call: Pick<CallContext, 'vars' | 'confirmed'>, caller: string, numberVar: string | undefined): { number: string; confirmed?: boolean } {
  if (numberVar === undefined) return { number: caller };
  const value = call.vars[numberVar];
  const number = typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  return { number, confirmed: number !== '' && call.confirmed?.[numberVar] === number };
}

/** Not booked: the flow's `refused` step, else the caller keeps waiting in the queue. */
function callbackRefused(a: Args, data: QueueData, why: { code: string; reason: string }): void {
  a.rt.traceEvent({ type: 'note', step: a.ctx.step, code: why.code, message: why.reason });
  if (data.callback?.refused) a.go(data.callback.refused);
  else enqueue(a, data);
}

function enqueue(a: Args, data: QueueData): void {
  const { rt, ctx } = a;
  rt.port.setVariables(screenPopVars(rt, ctx, data.vars));
  rt.port.enqueue({ queue: data.asteriskQueue, ...(data.context ? { context: data.context } : {}) });
  a.end({ kind: 'queued', step: ctx.step, queue: data.name });
}

/** Compiles `queue` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<QueueStep> = {
  compile(step, ctx) {
    const spec = step.queue;
    const def = ctx.doc.queues?.[spec.name];
    const data: QueueData = {
      doc: ctx.doc,
      name: spec.name,
      asteriskQueue: def?.asteriskQueue ?? spec.name,
      ...(def?.context ? { context: def.context } : {}),
      whenUnknown: def?.whenUnknown ?? 'open',
      announceWait: spec.announceWait === true,
      ...(spec.noAgents ? { noAgents: ctx.target(spec.noAgents) } : {}),
      ...(spec.noFreeAgents ? { noFreeAgents: ctx.target(spec.noFreeAgents) } : {}),
      ...(spec.callback
        ? {
            callback: {
              key: spec.callback.key,
              items: ctx.prompts(spec.callback.prompt),
              next: ctx.target(spec.callback.next),
              ...(spec.callback.refused ? { refused: ctx.target(spec.callback.refused) } : {}),
              waitMs: durationMs(spec.callback.offerAfterWait, DEFAULT_OFFER_WAIT_MS),
              ...(spec.callback.offerAbove !== undefined ? { aboveMs: durationMs(spec.callback.offerAbove, 0) } : {}),
              ...(spec.callback.number ? { numberVar: spec.callback.number } : {}),
            },
          }
        : {}),
      vars: spec.vars ?? {},
    };
    ctx.register(data);
    const p = { step: ctx.name };
    return {
      entry: enterStep(ctx, 'queue', step),
      initial: 'status',
      on: { 'tt.announce': '.announce', 'tt.offer': '.offer', 'tt.callback': '.requesting' },
      states: {
        status: {
          invoke: {
            src: 'queue.status',
            input: p,
            onDone: { actions: named('queue.decide', ctx) },
            onError: { actions: named('queue.decide', ctx) },
          },
          after: { [QUEUE_STATUS_TIMEOUT_MS]: { actions: named('queue.decide', ctx) } },
        },
        announce: {
          entry: named('queue.announce', ctx),
          exit: 'playback.stop',
          on: {
            'playback.finished': { guard: 'playback.current', actions: named('queue.afterAnnounce', ctx) },
            // A caller who knows the offer presses the key during the wait announcement: it counts.
            ...(data.callback ? { key: { actions: named('queue.offerKey', ctx) } } : {}),
          },
        },
        offer: playingState(named('queue.offer', ctx), 'offerWait', named('queue.offerKey', ctx)),
        offerWait: {
          after: { [data.callback?.waitMs ?? DEFAULT_OFFER_WAIT_MS]: { actions: named('queue.enqueue', ctx) } },
          on: { key: { actions: named('queue.offerKey', ctx) } },
        },
        // Keys pressed while the request is being booked are ignored: the caller already chose.
        requesting: {
          on: { key: {} },
          invoke: {
            src: 'queue.callback',
            input: p,
            onDone: { actions: named('queue.callbackDone', ctx) },
            onError: { actions: named('queue.callbackDone', ctx) },
          },
          after: { [QUEUE_STATUS_TIMEOUT_MS]: { actions: named('queue.callbackDone', ctx) } },
        },
      },
    };
  },
  implementations: {
    actions: {
      'queue.decide': effect((a) => {
        const { rt, ctx, params, event } = a;
        const data = rt.stepData<QueueData>(params.step);
        const status = event.type.startsWith('xstate.done.actor') ? (event['output'] as QueueStatus | undefined) : undefined;
        rt.traceEvent({ type: 'lookup', step: ctx.step, source: `queue:${data.name}`, result: status ? `loggedIn=${status.loggedIn} free=${status.free}` : 'unknown', ms: 0 });
        rt.scratch['status'] = status;
        const noAgents = status ? status.loggedIn === 0 : data.whenUnknown === 'closed';
        if (noAgents && data.noAgents) return a.go(data.noAgents);
        if (status && status.free === 0 && data.noFreeAgents) return a.go(data.noFreeAgents);
        if (takeBufferedCallbackKey(a, data)) return;
        if (data.announceWait && status) {
          rt.scratch['holdTimeSec'] = status.holdTimeSec;
          return a.raise({ type: 'tt.announce' });
        }
        afterAnnounce(a, data);
      }),
      'queue.announce': effect((a) => {
        const { rt, ctx, params } = a;
        const id = rt.playMedia(ctx.step, sayHoldTime(Number(rt.scratch['holdTimeSec'] ?? 0), ctx.language));
        if (id === undefined) afterAnnounce(a, rt.stepData<QueueData>(params.step));
      }),
      'queue.afterAnnounce': effect((a) => afterAnnounce(a, a.rt.stepData<QueueData>(a.params.step))),
      'queue.offer': effect(({ rt, ctx, params, raise }) => {
        const data = rt.stepData<QueueData>(params.step);
        if (rt.play(ctx.step, data.doc, data.callback!.items, ctx) === undefined) raise({ type: 'tt.prompted' });
      }),
      'queue.offerKey': effect((a) => {
        const data = a.rt.stepData<QueueData>(a.params.step);
        if (!data.callback || a.event['digit'] !== data.callback.key || !offerWanted(data.callback.aboveMs, statusOf(a))) return;
        takeCallbackKey(a, data, data.callback.key);
      }),
      'queue.callbackDone': effect((a) => {
        const data = a.rt.stepData<QueueData>(a.params.step);
        const type = a.event.type;
        const result = type.startsWith('xstate.done.actor') ? (a.event['output'] as CallbackRequestResult | undefined) : undefined;
        if (result?.ok) {
          a.rt.traceEvent({ type: 'note', step: a.ctx.step, code: 'callback-booked', message: `Callback \`${result.id}\` booked for queue \`${data.name}\`.` });
          return a.go(data.callback!.next);
        }
        if (result) return callbackRefused(a, data, result);
        const why = type.startsWith('xstate.error.actor') ? 'the callback service failed' : `the callback service did not answer within ${QUEUE_STATUS_TIMEOUT_MS} ms`;
        a.rt.services.logger.warn({ callId: a.rt.callId, step: a.ctx.step, code: 'callback-unavailable' }, why);
        callbackRefused(a, data, { code: 'callback-unavailable', reason: `The callback was not booked: ${why}.` });
      }),
      'queue.enqueue': effect((a) => enqueue(a, a.rt.stepData<QueueData>(a.params.step))),
    },
    actors: {
      'queue.callback': fromPromise<CallbackRequestResult, { step: string }>(async ({ input, system }) => {
        const rt = runtimeOf(system);
        const data = rt.stepData<QueueData>(input.step);
        const status = rt.scratch['status'] as QueueStatus | undefined;
        return rt.services.callbacks!.request({
          callId: rt.callId,
          caller: rt.facts.caller,
          ...callbackNumber(rt.callState(), rt.facts.caller, data.callback?.numberVar),
          queue: data.name,
          ...(status ? { position: status.waiting + 1 } : {}),
          requestedAt: rt.now(),
          vars: callbackVars(rt.callState()),
          flow: rt.flowName,
        });
      }),
      'queue.status': fromPromise<QueueStatus | undefined, { step: string }>(async ({ input, system, signal }) => {
        const rt = runtimeOf(system);
        const data = rt.stepData<QueueData>(input.step);
        return rt.services.queues.status(data.asteriskQueue, signal);
      }),
    },
  },
};
