/** `transfer`: dials a named department. */
import type { TransferStep } from '../../flow/types.js';
import { ref, screenPopVarsSchema } from '../../flow/schema-parts.js';
import { edge, escape, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

export const definition: StepDefinition<TransferStep> = {
  kind: 'transfer',
  summary: 'Transfers the call to a department from `departments`; without branches, an answered transfer ends the flow.',
  schema: stepSchema(
    'transfer',
    { type: 'string', description: 'The name of a department from `departments`.' },
    {
      prompt: ref('promptList', 'An announcement before dialling, for example "Connecting you now."'),
      answered: ref(
        'stepRef',
        'The step the caller comes back to when a `dial:` department hangs up on an answered call; until then the caller is bridged and the flow waits (no prompts, no timers), and a caller hangup ends the call `hungup`. Without it, or for a `context:` department, the flow ends `transferred` when answered.',
      ),
      busy: ref('stepRef', 'The step when the department is busy.'),
      noAnswer: ref('stepRef', 'The step when nobody answers within the ring timeout.'),
      failed: ref('stepRef', 'The step when the dial fails (bad endpoint, congestion).'),
      vars: screenPopVarsSchema(
        'Channel variables for the department: set as `TOUCHTONE_<NAME>` before the transfer, beside `TOUCHTONE_FLOW`, `_STEP`, `_CALLER` and `_CALL_ID`; a dialled agent’s channel inherits them (screen-pop), a `context:` department’s dialplan reads them.',
      ),
    },
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    for (const label of ['answered', 'busy', 'noAnswer', 'failed'] as const) edge(edges, label, step[label], `/${label}`);
    return edges;
  },
  terminal: true,
  waitsForInput: false,
  check(step, ctx) {
    ctx.checkName('departments', step.transfer, '/transfer');
    ctx.checkPrompts(step.prompt, '/prompt');
    for (const [name, value] of Object.entries(step.vars ?? {})) ctx.checkTemplate(value, `/vars/${escape(name)}`, { where: 'a channel variable agents can see' });
  },
};
