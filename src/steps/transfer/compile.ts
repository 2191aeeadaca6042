/**
 * The engine half of `transfer`: an optional announcement, then the port dials the department the flow names
 * (never anything from caller input). Branches on the result; an answered transfer without an `answered` branch
 * ends the flow with outcome `transferred`. A `queue:` department hands the call to its queue (outcome `queued`).
 *
 * With an `answered` branch and a `dial:` department, `answered` means bridged: the step waits (no prompt, no
 * timer) until the port reports `transfer.ended` (the department hung up, the caller is still there), then goes to
 * `answered`. A caller hangup while bridged ends the call `hungup` at this step, as any hangup while the flow holds
 * the call. A `context:` department takes the call out of the app, so it cannot come back: answered ends the
 * flow `transferred` even with an `answered` branch.
 */
import type { DepartmentDef, FlowDoc, PlayItem, TransferStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import type { DepartmentTarget, TransferOutcome } from '../../telephony/port.js';
import { effect, type EffectArgs } from '../../compile/effects.js';
import { enterStep, named, playingState } from '../../compile/step-config.js';
import { durationMs } from '../../flow/duration.js';
import { screenPopVars } from '../../compile/screen-pop.js';

const DEFAULT_RING_MS = 30_000;

interface TransferData {
  doc: FlowDoc;
  department: string;
  def?: DepartmentDef;
  items: PlayItem[];
  branches: Partial<Record<TransferOutcome, string>>;
  vars?: Record<string, string>;
}

type Args = EffectArgs<{ step: string }>;

function target(def: DepartmentDef, returns: boolean): DepartmentTarget | undefined {
  if ('dial' in def) {
    return { kind: 'dial', endpoint: def.dial, ringTimeoutMs: durationMs(def.ringTimeout, DEFAULT_RING_MS), ...(def.callerId ? { callerId: def.callerId } : {}), ...(returns ? { returns } : {}) };
  }
  if ('context' in def) return { kind: 'dialplan', context: def.context, extension: def.extension ?? 's', priority: def.priority ?? 1 };
  return undefined;
}

function onResult(a: Args, outcome: TransferOutcome, reason?: string): void {
  const { rt, ctx, params } = a;
  const data = rt.stepData<TransferData>(params.step);
  rt.traceEvent({ type: 'match', step: ctx.step, entry: data.department, result: outcome });
  const b = data.branches;
  if (outcome === 'answered') {
    // Bridged: stay in this state until `transfer.ended` brings the caller back.
    if (b.answered && data.def && 'dial' in data.def) return;
    return a.end({ kind: 'transferred', step: ctx.step, department: data.department });
  }
  const to = (outcome === 'busy' ? b.busy : outcome === 'noAnswer' ? b.noAnswer : undefined) ?? b.failed ?? rt.defaults.error;
  if (to) return a.go(to);
  rt.port.hangup('transfer-failed');
  a.end({ kind: 'failed', step: ctx.step, code: 'transfer-failed', reason: `transfer to \`${data.department}\` ended ${outcome}${reason ? ` (${reason})` : ''}` });
}

/**
 * The announcement. A `transfer.ended` can reach it only on a call taken back after an engine restart, saved while
 * it announced: the department answered and hung up while no engine ran. The conversation happened, so the flow goes
 * on at `answered` rather than announce and dial it again.
 */
function announceState(ctx: Parameters<StepCompiler<TransferStep>['compile']>[1]): Record<string, unknown> {
  const state = playingState(named('transfer.announce', ctx), 'dial');
  return { ...state, on: { ...(state['on'] as object), 'transfer.ended': { actions: named('transfer.ended', ctx) } } };
}

/** Compiles `transfer` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<TransferStep> = {
  compile(step, ctx) {
    const branches: TransferData['branches'] = {};
    for (const key of ['answered', 'busy', 'noAnswer', 'failed'] as const) {
      const ref = step[key];
      if (ref) branches[key] = ctx.target(ref);
    }
    const def = ctx.doc.departments?.[step.transfer];
    ctx.register({ doc: ctx.doc, department: step.transfer, ...(def ? { def } : {}), items: ctx.prompts(step.prompt), branches, ...(step.vars ? { vars: step.vars } : {}) } satisfies TransferData);
    return {
      entry: enterStep(ctx, 'transfer', step),
      initial: 'announce',
      states: {
        announce: announceState(ctx),
        dial: {
          entry: named('transfer.dial', ctx),
          on: { 'transfer.result': { actions: named('transfer.result', ctx) }, 'transfer.ended': { actions: named('transfer.ended', ctx) } },
        },
      },
    };
  },
  implementations: {
    actions: {
      'transfer.announce': effect(({ rt, ctx, params, raise }) => {
        const data = rt.stepData<TransferData>(params.step);
        if (rt.play(ctx.step, data.doc, data.items, ctx) === undefined) raise({ type: 'tt.prompted' });
      }),
      'transfer.dial': effect((a) => {
        const { rt, ctx, params } = a;
        const data = rt.stepData<TransferData>(params.step);
        if (!data.def) return onResult(a, 'failed', `department \`${data.department}\` is not defined`);
        rt.port.setVariables(screenPopVars(rt, ctx, data.vars));
        if ('queue' in data.def) {
          const queue = data.doc.queues?.[data.def.queue];
          rt.port.enqueue({ queue: queue?.asteriskQueue ?? data.def.queue, ...(queue?.context ? { context: queue.context } : {}) });
          return a.end({ kind: 'queued', step: ctx.step, queue: data.def.queue });
        }
        rt.port.transfer(target(data.def, data.branches.answered !== undefined)!);
      }),
      'transfer.result': effect((a) => onResult(a, a.event['outcome'] as TransferOutcome, a.event['reason'] as string | undefined)),
      'transfer.ended': effect(({ rt, ctx, params, go }) => {
        const data = rt.stepData<TransferData>(params.step);
        // Only a transfer dialled with `returns` is reported ended, and only after it was answered.
        if (!data.branches.answered) return;
        rt.traceEvent({ type: 'note', step: ctx.step, code: 'transfer-ended', message: `\`${data.department}\` hung up; the caller is back in the flow.` });
        go(data.branches.answered);
      }),
    },
  },
};
