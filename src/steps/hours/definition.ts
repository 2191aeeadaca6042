/** `hours`: branches on a schedule's opening state. */
import type { HoursStep } from '../../flow/types.js';
import { ref } from '../../flow/schema-parts.js';
import { edge, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

export const definition: StepDefinition<HoursStep> = {
  kind: 'hours',
  summary: 'Branches on whether a schedule from `hours` is open now, closed, or closed for a holiday.',
  schema: stepSchema(
    'hours',
    { type: 'string', description: 'The name of a schedule from `hours`.' },
    {
      open: ref('stepRef', 'The step while the schedule is open.'),
      closed: ref('stepRef', 'The step while it is closed.'),
      holiday: ref('stepRef', 'The step on a public holiday or a `closed` date. Defaults to `closed`.'),
    },
    ['open', 'closed'],
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    for (const label of ['open', 'closed', 'holiday'] as const) edge(edges, label, step[label], `/${label}`);
    return edges;
  },
  terminal: false,
  waitsForInput: false,
  check(step, ctx) {
    ctx.checkName('hours', step.hours, '/hours');
  },
};
