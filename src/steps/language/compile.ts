/** The engine half of `language`: switches the call's language (prompts are looked up in it), then `next`. */
import type { LanguageStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { effect } from '../../compile/effects.js';
import { enterStep } from '../../compile/step-config.js';

/** Compiles `language` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<LanguageStep> = {
  compile(step, ctx) {
    return {
      entry: [enterStep(ctx, 'language', step), { type: 'language.set', params: { step: ctx.name, language: step.language, next: ctx.target(step.next) } }],
    };
  },
  implementations: {
    actions: {
      'language.set': effect<{ step: string; language: string; next: string }>(({ ctx, rt, params, go }) => {
        ctx.language = params.language;
        rt.traceEvent({ type: 'var', step: params.step, name: 'language', value: params.language });
        go(params.next);
      }),
    },
  },
};
