/** `return`: ends a sub-flow and goes back to the caller flow. */
import type { ReturnStep } from '../../flow/types.js';
import { VARIABLE_PATTERN } from '../../flow/schema-parts.js';
import { escape, stepSchema, type StepDefinition } from '../definition.js';

export const definition: StepDefinition<ReturnStep> = {
  kind: 'return',
  summary: 'Ends a sub-flow: `true`, or a map of values the calling flow receives in its `into` variable.',
  schema: stepSchema(
    'return',
    {
      description: '`true`, or values to hand back (`{ lang: "${choice}" }`).',
      anyOf: [
        { const: true },
        {
          type: 'object',
          propertyNames: { pattern: VARIABLE_PATTERN },
          additionalProperties: { anyOf: [{ $ref: '#/$defs/template' }, { type: 'boolean' }], description: 'A value or template.' },
        },
      ],
    },
    {},
  ),
  edges() {
    return [];
  },
  terminal: true,
  waitsForInput: false,
  check(step, ctx) {
    if (ctx.flow.params === undefined) {
      ctx.report('return-outside-subflow', '/return', 'A `return` step only works in a sub-flow, and this flow declares no `params`.', { atKey: true });
    }
    if (typeof step.return === 'object') {
      for (const [name, value] of Object.entries(step.return)) ctx.checkTemplate(value, `/return/${escape(name)}`, { where: 'a returned value' });
    }
  },
};
