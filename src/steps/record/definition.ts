/** `record`: records a message (voicemail or a callback request). */
import type { RecordStep } from '../../flow/types.js';
import { obj, ref, VARIABLE_PATTERN } from '../../flow/schema-parts.js';
import { edge, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

export const definition: StepDefinition<RecordStep> = {
  kind: 'record',
  summary: 'Records the caller (a voicemail or a callback request) and files it in the store.',
  schema: stepSchema(
    'record',
    obj(
      {
        purpose: { enum: ['voicemail', 'callback'], description: 'How the store files the recording: `voicemail` or `callback`.' },
        prompt: ref('promptList', 'What to say before recording, for example "Leave a message after the tone".'),
        maxDuration: ref('duration', 'The longest recording. Default `2m`.'),
        maxSilence: ref('duration', 'Silence that ends the recording. Default `5s`.'),
        beep: { type: 'boolean', description: 'Play a beep before recording. Default true.' },
        terminator: { anyOf: [{ $ref: '#/$defs/digit' }, { const: 'none' }], description: 'The key that ends the recording. Default `#`; `none` disables it.' },
        into: { type: 'string', pattern: VARIABLE_PATTERN, description: 'The variable that receives the recording’s name (play it with `recording: ${name}`).' },
      },
      [],
      'The recording: prompt, limits and where it goes.',
    ),
    {
      next: ref('stepRef', 'The step after the recording.'),
      failed: ref('stepRef', 'The step when the recording failed or was empty. Default: `next`.'),
    },
    ['next'],
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    edge(edges, 'next', step.next, '/next');
    edge(edges, 'failed', step.failed, '/failed');
    return edges;
  },
  terminal: false,
  waitsForInput: true,
  check(step, ctx) {
    ctx.checkPrompts(step.record.prompt, '/record/prompt');
  },
};
