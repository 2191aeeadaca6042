/** `branch`: picks the first case whose CEL condition holds. */
import type { BranchStep } from '../../flow/types.js';
import { obj, ref } from '../../flow/schema-parts.js';
import { edge, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

export const definition: StepDefinition<BranchStep> = {
  kind: 'branch',
  summary: 'Goes to the first case whose CEL condition is true (over variables and `call` facts), else to `else`.',
  schema: stepSchema(
    'branch',
    {
      type: 'array',
      minItems: 1,
      description: 'The cases, tried in order.',
      items: obj(
        {
          if: { type: 'string', description: 'A CEL expression over variables and `call` facts, for example `acct.balance < 0 || call.hour >= 18`.' },
          then: ref('stepRef', 'The step when the condition is true.'),
        },
        ['if', 'then'],
        'One case.',
      ),
    },
    { else: ref('stepRef', 'The step when no case is true.') },
    ['else'],
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    (step.branch ?? []).forEach((c, i) => edge(edges, `case ${i + 1}`, c?.then, `/branch/${i}/then`));
    edge(edges, 'else', step.else, '/else');
    return edges;
  },
  terminal: false,
  waitsForInput: false,
  check(step, ctx) {
    step.branch.forEach((c, i) => ctx.checkCondition(c.if, `/branch/${i}/if`, { allowSecret: true }));
  },
};
