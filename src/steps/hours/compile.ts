/** The engine half of `hours`: asks the hours service about the schedule now; `open`, `holiday` (else
 *  `closed`) or `closed`. */
import type { HoursDef, HoursStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { effect } from '../../compile/effects.js';
import { enterStep, named } from '../../compile/step-config.js';

interface HoursData {
  name: string;
  def: HoursDef | undefined;
  open: string;
  closed: string;
  holiday: string;
}

/** Compiles `hours` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<HoursStep> = {
  compile(step, ctx) {
    const closed = ctx.target(step.closed);
    ctx.register({ name: step.hours, def: ctx.doc.hours?.[step.hours], open: ctx.target(step.open), closed, holiday: step.holiday ? ctx.target(step.holiday) : closed } satisfies HoursData);
    return { entry: [enterStep(ctx, 'hours', step), named('hours.decide', ctx)] };
  },
  implementations: {
    actions: {
      'hours.decide': effect(({ rt, ctx, params, go }) => {
        const data = rt.stepData<HoursData>(params.step);
        if (!data.def) {
          rt.traceEvent({ type: 'note', step: ctx.step, code: 'unknown-hours', message: `Hours \`${data.name}\` are not defined; the call takes \`closed\`.` });
          return go(data.closed);
        }
        const state = rt.services.hours.evaluate(data.name, data.def, rt.now());
        const result = state.open ? 'open' : state.holiday ? 'holiday' : 'closed';
        const to = result === 'open' ? data.open : result === 'holiday' ? data.holiday : data.closed;
        rt.traceEvent({ type: 'match', step: ctx.step, entry: data.name, result });
        go(to);
      }),
    },
  },
};
