/** The engine half of `subflow`: the subflow's steps are inlined at this call site (`<callStep>/<subStep>`);
 *  entering the call step binds the subflow's variables and parameters, then goes to its start. */
import type { SubflowStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { effect } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';
import { renderTemplate } from '../../flow/template.js';

interface SubflowData {
  start: string;
  /** Values first from the subflow's `variables`, then its `params` defaults, then the call's `params`. */
  initial: Record<string, unknown>;
  params: Record<string, unknown>;
}

/** Compiles `subflow` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<SubflowStep> = {
  compile(step, ctx) {
    const { start, doc } = ctx.inlineSubflow(step.subflow.file, step.next, step.subflow.into);
    const initial: Record<string, unknown> = { ...(doc.variables ?? {}) };
    for (const [k, v] of Object.entries(doc.params ?? {})) if (v !== null) initial[k] = v;
    ctx.register({ start, initial, params: step.subflow.params ?? {} } satisfies SubflowData);
    return { entry: [enterStep(ctx, 'subflow', step), named('subflow.call', ctx)] };
  },
  implementations: {
    actions: {
      'subflow.call': effect(({ rt, ctx, params, go }) => {
        const data = rt.stepData<SubflowData>(params.step);
        const bound: Record<string, unknown> = { ...data.initial };
        // Parameters are rendered in the caller's variables before any is bound.
        for (const [k, v] of Object.entries(data.params)) bound[k] = typeof v === 'string' ? renderTemplate(v, rt.templateVars(ctx)) : v;
        for (const [k, v] of Object.entries(bound)) {
          ctx.vars[k] = v;
          rt.traceEvent({ type: 'var', step: ctx.step, name: k, value: ctx.secrets.includes(k) ? '****' : String(v) });
        }
        go(data.start);
      }),
    },
  },
};
