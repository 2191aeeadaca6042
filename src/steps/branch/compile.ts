/** The engine half of `branch`: the first case whose CEL condition holds decides; else `else`. A condition that
 *  fails to evaluate (a missing variable) counts as false and leaves a note in the trace. */
import type { BranchStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { effect } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';
import { callFacts, compileCel, evalCel, type CelProgram } from '../../compile/cel.js';

interface BranchData {
  cases: { expr: string; program: CelProgram; then: string }[];
  otherwise: string;
}

/** Compiles `branch` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<BranchStep> = {
  compile(step, ctx) {
    const cases = step.branch.map((c) => ({ expr: c.if, program: compileCel(c.if), then: ctx.target(c.then) }));
    ctx.register({ cases, otherwise: ctx.target(step.else) } satisfies BranchData);
    return { entry: [enterStep(ctx, 'branch', step), named('branch.decide', ctx)] };
  },
  implementations: {
    actions: {
      'branch.decide': effect(({ rt, ctx, params, go }) => {
        const data = rt.stepData<BranchData>(params.step);
        const call = callFacts(rt.facts, ctx.language, rt.now(), rt.timezone);
        for (const c of data.cases) {
          let result: unknown = false;
          try {
            result = evalCel(c.program, ctx.vars, call);
          } catch (error) {
            rt.traceEvent({ type: 'note', step: ctx.step, code: 'condition-error', message: `\`${c.expr}\` could not be evaluated: ${(error as Error).message.split('\n')[0]}` });
          }
          if (result === true) {
            rt.traceEvent({ type: 'match', step: ctx.step, entry: c.expr, result: c.then });
            return go(c.then);
          }
        }
        rt.traceEvent({ type: 'match', step: ctx.step, entry: 'else', result: data.otherwise });
        go(data.otherwise);
      }),
    },
  },
};
