/**
 * The building blocks of implementations: `effect()` wraps a function of the call's runtime and context as a
 * named XState action, and the common actions and guards every step uses (entering a step, moving to another
 * step under the step cap, type-ahead, playback bookkeeping, ending the call).
 */
import type { EventObject } from 'xstate';
import type { Digit } from '../flow/types.js';
import type { CallOutcome } from '../runtime/services.js';
import { MAX_BUFFER, type CallContext, type MachineContext } from './call-context.js';
import { runtimeOf, type CallRuntime } from './call-runtime.js';

/** Any event the machine sees: port events, `tt.*` internal events, XState's done/error events. */
export type MachineEvent = EventObject & Record<string, unknown>;

/** Extra transitions allowed after the step cap sent a call to the error step, so the error step can finish. */
const ERROR_BUDGET = 25;

/** What an effect may do. One object per action run, with its methods on the prototype (the key path is hot). */
export class EffectArgs<P> {
  constructor(
    readonly ctx: CallContext,
    readonly event: MachineEvent,
    readonly rt: CallRuntime,
    readonly params: P,
    private readonly queue: EventObject[],
  ) {}
  // Getters, so that both `a.go(x)` and a destructured `({ go }) => go(x)` work; a function is made only when used.
  /** Raises an internal event (handled before any port event). */
  get raise(): (event: EventObject) => void {
    return (event) => {
      this.queue.push(event);
    };
  }
  /** Moves the call to a step (or `back` / `top`), counting a transition under the step cap. */
  get go(): (to: string) => void {
    return (to) => {
      this.queue.push(goEvent(this.ctx, this.rt, to));
    };
  }
  /** Ends the call with an outcome. */
  get end(): (outcome: CallOutcome) => void {
    return (outcome) => {
      this.rt.finish(outcome);
      this.queue.push(END_EVENT);
    };
  }
}

const END_EVENT: EventObject = { type: 'tt.end' };

/**
 * Wraps a function as a named action. @example actions: { 'play.start': effect(({ rt, ctx, params }) => …) }
 *
 * It is an XState built-in action (like `raise`): XState calls `resolve` while it computes a transition, and the
 * events the function raises go to the machine's internal queue, exactly as `raise()` would put them. This is
 * `enqueueActions` without the closures it allocates on every run, which matter on the key path.
 */
export function effect<P = { step: string }>(fn: (args: EffectArgs<P>) => void): unknown {
  function touchtoneEffect(): void {}
  touchtoneEffect.type = 'touchtone.effect';
  touchtoneEffect.resolve = (
    _scope: unknown,
    snapshot: { context: MachineContext },
    args: { event: MachineEvent },
    params: P,
    _action: unknown,
    extra: { internalQueue: EventObject[] },
  ) => {
    const ctx = snapshot.context.call;
    fn(new EffectArgs(ctx, args.event, runtimeOf(ctx), params, extra.internalQueue));
    return [snapshot, undefined, undefined];
  };
  return touchtoneEffect;
}

/** The menu `back` / `top` lead to, or undefined when there is none. */
export function menuTarget(ctx: CallContext, action: 'back' | 'top'): string | undefined {
  if (action === 'top') return ctx.menus[0];
  // From a menu, back is the menu before it; from any other step, the last menu the caller was in.
  const last = ctx.menus.length - 1;
  return ctx.menus[last] === ctx.step ? ctx.menus[last - 1] : ctx.menus[last];
}

function goEvent(ctx: CallContext, rt: CallRuntime, to: string): EventObject {
  let target = to;
  if (to === 'back' || to === 'top') target = menuTarget(ctx, to) ?? ctx.menus[0] ?? ctx.step;
  const cap = rt.defaults.maxSteps + (ctx.capHit ? ERROR_BUDGET : 0);
  if (ctx.steps >= cap) return { type: 'tt.cap' };
  return { type: 'tt.go', to: target } as EventObject;
}

/** Implementations shared by every step kind. */
export const commonActions: Record<string, unknown> = {
  go: effect<{ to: string }>(({ params, go }) => go(params.to)),

  'step.enter': effect<{ step: string; kind: string; menu?: boolean; flush?: boolean }>(({ ctx, rt, params }) => {
    ctx.steps++;
    ctx.step = params.step;
    ctx.noInput = 0;
    ctx.noMatch = 0;
    ctx.promptMode = 'first';
    ctx.entry = '';
    ctx.held = false;
    rt.scratch = {};
    if (params.flush) ctx.buffer = '';
    if (params.menu) {
      const at = ctx.menus.indexOf(params.step);
      if (at >= 0) ctx.menus.length = at + 1;
      else ctx.menus.push(params.step);
    }
    rt.traceEvent({ type: 'step', step: params.step, kind: params.kind });
    rt.stepEntered(params.step);
  }),

  /** Keys pressed while no menu or input collects wait for the next one. */
  'key.buffer': effect(({ ctx, event }) => {
    const digit = event['digit'] as Digit;
    ctx.buffer = (ctx.buffer + digit).slice(-MAX_BUFFER);
  }),

  'playback.stop': effect(({ rt }) => rt.stopPlayback()),

  'flow.lost': effect(({ ctx, rt, event, end }) => {
    const message = `step \`${ctx.step}\` tried to move to \`${String(event['to'])}\`, which it cannot reach`;
    rt.services.logger.error({ callId: rt.callId, step: ctx.step, code: 'internal-error' }, message);
    rt.port.hangup('internal-error');
    end({ kind: 'failed', step: ctx.step, code: 'internal-error', reason: message });
  }),

  'flow.cap': effect(({ ctx, rt, raise, end }) => {
    const max = rt.defaults.maxSteps;
    rt.traceEvent({ type: 'note', step: ctx.step, code: 'step-cap', message: `The call made more than ${max} step transitions; set \`defaults.maxSteps\` higher or break the loop.` });
    const error = rt.defaults.error;
    if (error && !ctx.capHit) {
      ctx.capHit = true;
      raise({ type: 'tt.go', to: error } as EventObject);
      return;
    }
    rt.services.logger.warn({ callId: rt.callId, step: ctx.step, code: 'step-cap' }, 'call hung up: step cap reached');
    rt.port.hangup('step-cap');
    end({ kind: 'failed', step: ctx.step, code: 'step-cap', reason: `more than ${max} step transitions` });
  }),
};

/** Guards shared by every step kind: `flow.goIs` (the target of a `tt.go`), `playback.current`. */
export const commonGuards: Record<string, unknown> = {
  'flow.goIs': ({ event }: { event: MachineEvent }, params: { to: string }) => event['to'] === params.to,
  'playback.current': ({ event, context }: { event: MachineEvent; context: MachineContext }) => event['playbackId'] === runtimeOf(context.call).playbackId,
  'flow.beginsAtError': ({ context }: { context: MachineContext }) => runtimeOf(context.call).beginsAtError,
};
