/** `set`: assigns variables. */
import type { SetStep } from '../../flow/types.js';
import { obj, ref, VARIABLE_PATTERN } from '../../flow/schema-parts.js';
import { nextEdges, escape, stepSchema, type StepDefinition } from '../definition.js';

export const definition: StepDefinition<SetStep> = {
  kind: 'set',
  summary: 'Sets variables to values, templates or CEL expressions, then goes to `next`.',
  schema: stepSchema(
    'set',
    {
      type: 'object',
      minProperties: 1,
      description: 'Variables to set: a value, a template (`${acct.name}`), or `{ expr: <CEL> }`.',
      propertyNames: { pattern: VARIABLE_PATTERN },
      additionalProperties: {
        description: 'The new value.',
        anyOf: [
          { type: ['string', 'number', 'boolean'] },
          obj({ expr: { type: 'string', description: 'A CEL expression, for example `tries + 1`.' } }, ['expr']),
        ],
      },
    },
    { next: ref('stepRef', 'The step after setting the variables.') },
    ['next'],
  ),
  edges: nextEdges,
  terminal: false,
  waitsForInput: false,
  check(step, ctx) {
    for (const [name, value] of Object.entries(step.set)) {
      const at = `/set/${escape(name)}`;
      const where = 'a variable, which is traced';
      if (typeof value === 'object' && value !== null) ctx.checkCondition(value.expr, `${at}/expr`, { where });
      else ctx.checkTemplate(value, at, { where });
    }
  },
};
