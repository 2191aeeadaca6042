/** `play`: plays prompts, then goes on. */
import type { PlayStep } from '../../flow/types.js';
import { ref } from '../../flow/schema-parts.js';
import { nextEdges, stepSchema, type StepDefinition } from '../definition.js';

export const definition: StepDefinition<PlayStep> = {
  kind: 'play',
  summary: 'Plays prompts, then goes to `next`.',
  schema: stepSchema(
    'play',
    ref('promptList', 'What to play: a prompt name, a play item, or a list of them.'),
    {
      bargeIn: { type: 'boolean', description: 'Whether a key stops the prompt (and is kept for the next menu or input). Default from `defaults.bargeIn`.' },
      next: ref('stepRef', 'The step after the prompts.'),
    },
    ['next'],
  ),
  edges: nextEdges,
  terminal: false,
  waitsForInput: false,
  check(step, ctx) {
    ctx.checkPrompts(step.play, '/play');
  },
};
