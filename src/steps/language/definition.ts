/** `language`: switches the call's language. */
import type { LanguageStep } from '../../flow/types.js';
import { ref } from '../../flow/schema-parts.js';
import { nextEdges, stepSchema, type StepDefinition } from '../definition.js';

export const definition: StepDefinition<LanguageStep> = {
  kind: 'language',
  summary: 'Switches the language prompts are played in for the rest of the call.',
  schema: stepSchema(
    'language',
    { type: 'string', description: 'A language from `languages` (`en`, `de` …). To choose by a variable, `branch` to one `language` step per language.' },
    { next: ref('stepRef', 'The step after switching.') },
    ['next'],
  ),
  edges: nextEdges,
  terminal: false,
  waitsForInput: false,
  check(step, ctx) {
    ctx.checkName('languages', step.language, '/language');
  },
};
