/**
 * The engine half of `queue`: asks the queue status provider (AMI) how many agents are logged in and free,
 * bounded by a timer; with no answer the queue's `whenUnknown` decides. Branches `noAgents` / `noFreeAgents`;
 * otherwise it may announce the estimated wait, offer a callback key, then sets the `TOUCHTONE_*` channel
 * variables for the agent's screen-pop and hands the call to the queue (outcome `queued`).
 */
import { fromPromise } from 'xstate';
import type { FlowDoc, PlayItem, QueueStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import type { QueueStatus } from '../../runtime/services.js';
import { effect, type EffectArgs } from '../../compile/effects.js';
import { enterStep, named, playingState } from '../../compile/step-config.js';
import { runtimeOf } from '../../compile/call-runtime.js';
import { durationMs } from '../../flow/duration.js';
import { renderString } from '../../flow/template.js';

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
  callback?: { key: string; items: PlayItem[]; next: string; waitMs: number };
  vars: Record<string, string>;
}

type Args = EffectArgs<{ step: string }>;

/** A channel variable name for a `queue.vars` key: `TOUCHTONE_` plus the key in upper case, safe characters only. */
export function channelVariable(key: string): string {
  return `TOUCHTONE_${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}

function afterAnnounce(a: Args, data: QueueData): void {
  if (data.callback) a.raise({ type: 'tt.offer' });
  else enqueue(a, data);
}

function enqueue(a: Args, data: QueueData): void {
  const { rt, ctx } = a;
  const vars: Record<string, string> = {
    TOUCHTONE_FLOW: rt.flowName,
    TOUCHTONE_STEP: ctx.step,
    TOUCHTONE_CALLER: rt.facts.caller,
    TOUCHTONE_CALL_ID: rt.callId,
  };
  for (const [key, template] of Object.entries(data.vars)) vars[channelVariable(key)] = renderString(template, ctx.vars);
  rt.port.setVariables(vars);
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
        ? { callback: { key: spec.callback.key, items: ctx.prompts(spec.callback.prompt), next: ctx.target(spec.callback.next), waitMs: durationMs(spec.callback.offerAfterWait, DEFAULT_OFFER_WAIT_MS) } }
        : {}),
      vars: spec.vars ?? {},
    };
    ctx.register(data);
    const p = { step: ctx.name };
    return {
      entry: enterStep(ctx, 'queue', step),
      initial: 'status',
      on: { 'tt.announce': '.announce', 'tt.offer': '.offer' },
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
          on: { 'playback.finished': { guard: 'playback.current', actions: named('queue.afterAnnounce', ctx) } },
        },
        offer: playingState(named('queue.offer', ctx), 'offerWait', named('queue.offerKey', ctx)),
        offerWait: {
          after: { [data.callback?.waitMs ?? DEFAULT_OFFER_WAIT_MS]: { actions: named('queue.enqueue', ctx) } },
          on: { key: { actions: named('queue.offerKey', ctx) } },
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
        const noAgents = status ? status.loggedIn === 0 : data.whenUnknown === 'closed';
        if (noAgents && data.noAgents) return a.go(data.noAgents);
        if (status && status.free === 0 && data.noFreeAgents) return a.go(data.noFreeAgents);
        if (data.announceWait && status) {
          rt.scratch['holdTimeSec'] = status.holdTimeSec;
          return a.raise({ type: 'tt.announce' });
        }
        afterAnnounce(a, data);
      }),
      'queue.announce': effect((a) => {
        const { rt, ctx, params } = a;
        const minutes = Math.max(1, Math.round(Number(rt.scratch['holdTimeSec'] ?? 0) / 60));
        const id = rt.playMedia(ctx.step, [
          { kind: 'sound', name: 'queue-holdtime', text: 'The estimated hold time is' },
          { kind: 'number', value: String(minutes), text: String(minutes) },
          { kind: 'sound', name: 'queue-minutes', text: minutes === 1 ? 'minute' : 'minutes' },
        ]);
        if (id === undefined) afterAnnounce(a, rt.stepData<QueueData>(params.step));
      }),
      'queue.afterAnnounce': effect((a) => afterAnnounce(a, a.rt.stepData<QueueData>(a.params.step))),
      'queue.offer': effect(({ rt, ctx, params, raise }) => {
        const data = rt.stepData<QueueData>(params.step);
        if (rt.play(ctx.step, data.doc, data.callback!.items, ctx) === undefined) raise({ type: 'tt.prompted' });
      }),
      'queue.offerKey': effect((a) => {
        const data = a.rt.stepData<QueueData>(a.params.step);
        if (a.event['digit'] !== data.callback!.key) return;
        a.rt.stopPlayback();
        a.rt.traceEvent({ type: 'match', step: a.ctx.step, entry: String(a.event['digit']), result: 'callback' });
        a.go(data.callback!.next);
      }),
      'queue.enqueue': effect((a) => enqueue(a, a.rt.stepData<QueueData>(a.params.step))),
    },
    actors: {
      'queue.status': fromPromise<QueueStatus | undefined, { step: string }>(async ({ input, system, signal }) => {
        const rt = runtimeOf(system);
        const data = rt.stepData<QueueData>(input.step);
        return rt.services.queues.status(data.asteriskQueue, signal);
      }),
    },
  },
};
