/** The engine half of `input`: digits into a variable, with length, terminator, pattern and confirmation. */
import type { InputStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { collectData, collectImplementations, collectState, inputRules } from '../../compile/collect.js';
import { inputLength } from '../../compile/digit-matcher.js';

/** Compiles `input` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<InputStep> = {
  compile(step, ctx) {
    const spec = step.input;
    const data = collectData(ctx, 'input', spec, step.exhausted);
    data.keys = ctx.globalKeys(spec.keys);
    data.input = {
      rules: inputRules(spec, inputLength(spec)),
      into: spec.into,
      next: ctx.target(step.next),
      secret: spec.secret === true,
      ...(spec.confirm ? { confirm: { intro: ctx.prompts(spec.confirm.intro), prompt: ctx.prompts(spec.confirm.prompt), yes: spec.confirm.yes ?? '1', no: spec.confirm.no ?? '2' } } : {}),
    };
    ctx.register(data);
    return collectState(ctx, data, step);
  },
  implementations: collectImplementations,
};
