/** The engine half of `hangup`: an optional goodbye prompt, then the call ends with outcome `completed`. */
import type { FlowDoc, HangupStep, PlayItem, PromptList } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { effect, type EffectArgs } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';

interface HangupData {
  doc: FlowDoc;
  items: PlayItem[];
  reason: string;
}

/** `hangup: true`, a prompt list, or `{ prompt, reason }` (an object with only `prompt` reads the same either way). */
function hangupParts(spec: HangupStep['hangup']): { prompt?: PromptList; reason?: string } {
  if (spec === true) return {};
  if (typeof spec === 'string' || Array.isArray(spec)) return { prompt: spec };
  if ('reason' in spec || ('prompt' in spec && Object.keys(spec).length === 1)) return spec as { prompt?: PromptList; reason?: string };
  return { prompt: spec as PromptList };
}

function finish({ rt, ctx, params, end }: EffectArgs<{ step: string }>): void {
  const data = rt.stepData<HangupData>(params.step);
  rt.port.hangup(data.reason);
  end({ kind: 'completed', step: ctx.step });
}

/** Compiles `hangup` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<HangupStep> = {
  compile(step, ctx) {
    const parts = hangupParts(step.hangup);
    ctx.register({ doc: ctx.doc, items: ctx.prompts(parts.prompt), reason: parts.reason ?? 'normal' } satisfies HangupData);
    return {
      entry: [enterStep(ctx, 'hangup', step), named('hangup.start', ctx)],
      exit: 'playback.stop',
      on: {
        'playback.finished': { guard: 'playback.current', actions: named('hangup.finish', ctx) },
        // Keys during the goodbye change nothing.
        key: { actions: [] },
      },
    };
  },
  implementations: {
    actions: {
      'hangup.start': effect((a) => {
        const data = a.rt.stepData<HangupData>(a.params.step);
        if (a.rt.play(a.params.step, data.doc, data.items, a.ctx) === undefined) finish(a);
      }),
      'hangup.finish': effect(finish),
    },
  },
};
