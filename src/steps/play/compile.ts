/** The engine half of `play`: plays its prompts, then goes to `next`. With barge-in a key ends the prompt and
 *  waits in the type-ahead buffer for the next menu or input. */
import type { FlowDoc, PlayItem, PlayStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { effect } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';
import { MAX_BUFFER } from '../../compile/call-context.js';

interface PlayData {
  doc: FlowDoc;
  items: PlayItem[];
  bargeIn: boolean;
  next: string;
}

/** Compiles `play` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<PlayStep> = {
  compile(step, ctx) {
    ctx.register({ doc: ctx.doc, items: ctx.prompts(step.play), bargeIn: step.bargeIn ?? ctx.defaults.bargeIn, next: ctx.target(step.next) } satisfies PlayData);
    return {
      entry: [enterStep(ctx, 'play', step), named('play.start', ctx)],
      exit: 'playback.stop',
      on: {
        'playback.finished': { guard: 'playback.current', actions: named('play.done', ctx) },
        key: { actions: named('play.key', ctx) },
      },
    };
  },
  implementations: {
    actions: {
      'play.start': effect(({ rt, ctx, params, go }) => {
        const data = rt.stepData<PlayData>(params.step);
        if (rt.play(params.step, data.doc, data.items, ctx) === undefined) go(data.next);
      }),
      'play.done': effect(({ rt, params, go }) => go(rt.stepData<PlayData>(params.step).next)),
      'play.key': effect(({ rt, ctx, params, event, go }) => {
        const data = rt.stepData<PlayData>(params.step);
        // Without barge-in, keys pressed during the prompt are dropped.
        if (!data.bargeIn) return;
        ctx.buffer = (ctx.buffer + String(event['digit'])).slice(-MAX_BUFFER);
        rt.stopPlayback();
        go(data.next);
      }),
    },
  },
};
