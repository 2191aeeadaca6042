/** The engine half of `return`: copies values into the call site's `into` variable (or into variables of the
 *  same names without `into`) and continues at the call site's `next`. */
import type { ReturnStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { CompileError } from '../../compile/compile-error.js';
import { effect } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';
import { renderTemplate } from '../../flow/template.js';

interface ReturnData {
  values: Record<string, unknown>;
  into?: string;
  next: string;
}

/** Compiles `return` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<ReturnStep> = {
  compile(step, ctx) {
    const site = ctx.returnSite;
    if (!site) throw new CompileError('return-outside-subflow', `Step \`${ctx.name}\` returns, but it is not inside a subflow; use \`hangup\` or a \`next\` instead.`);
    ctx.register({ values: step.return === true ? {} : step.return, ...(site.into ? { into: site.into } : {}), next: site.next } satisfies ReturnData);
    return { entry: [enterStep(ctx, 'return', step), named('return.apply', ctx)] };
  },
  implementations: {
    actions: {
      'return.apply': effect(({ rt, ctx, params, go }) => {
        const data = rt.stepData<ReturnData>(params.step);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(data.values)) out[k] = typeof v === 'string' ? renderTemplate(v, rt.templateVars(ctx)) : v;
        if (data.into) {
          ctx.vars[data.into] = out;
          rt.traceEvent({ type: 'var', step: ctx.step, name: data.into, value: JSON.stringify(out) });
        } else {
          for (const [k, v] of Object.entries(out)) {
            ctx.vars[k] = v;
            rt.traceEvent({ type: 'var', step: ctx.step, name: k, value: String(v) });
          }
        }
        go(data.next);
      }),
    },
  },
};
