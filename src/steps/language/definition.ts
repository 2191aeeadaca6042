/** `language`: switches the call's language. */
import type { LanguageStep } from '../../flow/types.js';
import { ref } from '../../flow/schema-parts.js';
import { nextEdges, stepSchema, type StepDefinition } from '../definition.js';

export const definition: StepDefinition<LanguageStep> = {
  kind: 'language',
  summary: 'Switches the language prompts are played in for the rest of the call.',
  schema: stepSchema(
    'language',
    { type: 'string', description: 'A language from `languages` (`en`, `de` …), or a template such as `${lang}`.' },
    { next: ref('stepRef', 'The step after switching.') },
    ['next'],
  ),
  edges: nextEdges,
  terminal: false,
  waitsForInput: false,
  check(step, ctx) {
    if (step.language.includes('${')) ctx.checkTemplate(step.language, '/language');
    else ctx.checkName('languages', step.language, '/language');
  },
};
