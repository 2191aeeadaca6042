/** `subflow`: runs another flow file and comes back. */
import type { SubflowStep } from '../../flow/types.js';
import { obj, ref, VARIABLE_PATTERN } from '../../flow/schema-parts.js';
import { nextEdges, escape, stepSchema, type StepDefinition } from '../definition.js';

export const definition: StepDefinition<SubflowStep> = {
  kind: 'subflow',
  summary: 'Runs another flow file (with `params`) and continues at `next` when it returns.',
  schema: stepSchema(
    'subflow',
    obj(
      {
        file: { type: 'string', description: 'The sub-flow file, relative to this flow file (`shared/choose-language.yaml`).' },
        params: {
          type: 'object',
          description: 'Values for the sub-flow’s `params`; required ones (declared `null`) must be given.',
          propertyNames: { pattern: VARIABLE_PATTERN },
          additionalProperties: { anyOf: [{ $ref: '#/$defs/template' }, { type: 'boolean' }], description: 'A value or template.' },
        },
        into: { type: 'string', pattern: VARIABLE_PATTERN, description: 'The variable that receives what the sub-flow returns (a record).' },
      },
      ['file'],
      'The sub-flow to run.',
    ),
    { next: ref('stepRef', 'The step after the sub-flow returns.') },
    ['next'],
  ),
  edges: nextEdges,
  terminal: false,
  // A sub-flow usually asks the caller something (it is how menus are shared), so a loop through it is not spinning.
  waitsForInput: true,
  check(step, ctx) {
    for (const [name, value] of Object.entries(step.subflow.params ?? {})) ctx.checkTemplate(value, `/subflow/params/${escape(name)}`, { where: 'a sub-flow parameter' });
  },
};
