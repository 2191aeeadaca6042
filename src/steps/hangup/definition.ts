/** `hangup`: ends the call, optionally after a goodbye. */
import type { HangupStep } from '../../flow/types.js';
import { obj, ref } from '../../flow/schema-parts.js';
import { stepSchema, type StepDefinition } from '../definition.js';

export const definition: StepDefinition<HangupStep> = {
  kind: 'hangup',
  summary: 'Ends the call: `true`, a prompt list to play first, or `{ prompt, reason }`.',
  schema: stepSchema('hangup', {
    description: '`true`, a goodbye prompt list, or `{ prompt, reason }`.',
    anyOf: [
      { const: true },
      { $ref: '#/$defs/promptList' },
      obj(
        {
          prompt: ref('promptList', 'A goodbye to play before hanging up.'),
          reason: { type: 'string', description: 'Why the call ended, kept in the call record (for example `after-hours`).' },
        },
        [],
      ),
    ],
  }, {}),
  edges() {
    return [];
  },
  terminal: true,
  waitsForInput: false,
  check(step, ctx) {
    const h = step.hangup;
    if (h === true) return;
    if (typeof h === 'object' && !Array.isArray(h) && ('reason' in h || ('prompt' in h && typeof h.prompt !== 'string'))) {
      ctx.checkPrompts((h as { prompt?: import('../../flow/types.js').PromptList }).prompt, '/hangup/prompt');
    } else ctx.checkPrompts(h as import('../../flow/types.js').PromptList, '/hangup');
  },
};
