/** The engine half of `set`: templates and `{ expr }` CEL expressions into variables, in order, then `next`. */
import type { SetStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { effect } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';
import { callFacts, compileCel, evalCel, type CelProgram } from '../../compile/cel.js';
import { renderTemplate } from '../../flow/template.js';

type SetValueData = { name: string; literal: unknown } | { name: string; template: string } | { name: string; expr: string; program: CelProgram };

interface SetData {
  values: SetValueData[];
  next: string;
}

/** Compiles `set` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<SetStep> = {
  compile(step, ctx) {
    const values: SetValueData[] = Object.entries(step.set).map(([name, v]) => {
      if (typeof v === 'object' && v !== null) return { name, expr: v.expr, program: compileCel(v.expr) };
      if (typeof v === 'string') return { name, template: v };
      return { name, literal: v };
    });
    ctx.register({ values, next: ctx.target(step.next) } satisfies SetData);
    return { entry: [enterStep(ctx, 'set', step), named('set.apply', ctx)] };
  },
  implementations: {
    actions: {
      'set.apply': effect(({ rt, ctx, params, go }) => {
        const data = rt.stepData<SetData>(params.step);
        for (const v of data.values) {
          let value: unknown;
          if ('literal' in v) value = v.literal;
          else if ('template' in v) value = renderTemplate(v.template, rt.templateVars(ctx));
          else {
            try {
              value = evalCel(v.program, ctx.vars, callFacts(rt.facts, ctx.language, rt.now(), rt.timezone));
            } catch (error) {
              rt.traceEvent({ type: 'note', step: ctx.step, code: 'expression-error', message: `\`${v.expr}\` could not be evaluated: ${(error as Error).message.split('\n')[0]}` });
              continue;
            }
          }
          ctx.vars[v.name] = value;
          const secret = ctx.secrets.includes(v.name);
          rt.traceEvent({ type: 'var', step: ctx.step, name: v.name, value: secret ? '****' : typeof value === 'string' ? value : JSON.stringify(value) ?? '' });
        }
        go(data.next);
      }),
    },
  },
};
