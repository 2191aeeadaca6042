/** `queue`: hands the caller to a live-agent queue. */
import type { InputStep, QueueStep } from '../../flow/types.js';
import { obj, ref, screenPopVarsSchema } from '../../flow/schema-parts.js';
import { edge, escape, stepSchema, type CheckContext, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

/**
 * A typed callback number must come from an `input` step that read it back and had the caller confirm it: a
 * mistyped number would ring a stranger, on the company's bill.
 */
function checkCallbackNumber(variable: string, ctx: CheckContext): void {
  const pointer = '/queue/callback/number';
  const setters = Object.entries(ctx.flow.steps).filter(([, def]) => (def as InputStep).input?.into === variable);
  if (setters.length === 0) {
    ctx.checkTemplate(`\${${variable}}`, pointer, { where: 'the callback number' });
    return;
  }
  for (const [name, def] of setters) {
    const input = (def as InputStep).input;
    if (input.secret) ctx.report('secret-leak', pointer, `Secret input \`${variable}\` (step \`${name}\`) would become a callback number shown to agents.`);
    else if (!input.confirm) {
      ctx.report('callback-number-unconfirmed', pointer, `Callback number \`${variable}\` comes from step \`${name}\`, which does not read it back for the caller to confirm.`, {
        hint: `Add \`confirm: { prompt: … }\` to the \`input\` of step \`${name}\`.`,
      });
    }
  }
}

export const definition: StepDefinition<QueueStep> = {
  kind: 'queue',
  summary: 'Puts the caller in an Asterisk queue, with branches when no agents are there and an optional callback offer.',
  schema: stepSchema(
    'queue',
    obj(
      {
        name: { type: 'string', description: 'The name of a queue from `queues`.' },
        announceWait: { type: 'boolean', description: 'Announce the estimated wait before queueing.' },
        noAgents: ref('stepRef', 'The step when no agent is logged in.'),
        noFreeAgents: ref('stepRef', 'The step when agents are logged in but none is free. Default: queue anyway.'),
        callback: obj(
          {
            key: ref('digit', 'The key the caller presses to be called back instead of holding; it counts from the start of the step (a key pressed while the queue status is fetched is kept).'),
            prompt: ref('promptList', 'The offer, for example "Press 1 to be called back".'),
            next: ref('stepRef', 'The step after the callback was booked (usually a goodbye).'),
            offerAfterWait: ref('duration', 'How long to listen for the key after the offer before queueing. Default: 5s.'),
            offerAbove: ref('duration', 'Make the offer only when the estimated wait (the queue’s average hold time) is longer than this; when the wait is unknown, no offer.'),
            refused: ref('stepRef', 'The step when the callback cannot be booked (number not allowed, too many waiting, callbacks off). Default: queue as normal.'),
            number: {
              type: 'string',
              pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
              description:
                'A variable holding a number the caller typed, set by an `input` step with `confirm` (read back, confirmed): the callback goes there, if it matches `callbacks.allow`. Default: the number that called.',
            },
          },
          ['key', 'next'],
          'Offer a callback that keeps the caller’s place in line.',
        ),
        vars: screenPopVarsSchema('Channel variables for the agent’s screen-pop, set as `TOUCHTONE_<NAME>`.'),
      },
      ['name'],
      'The queue and what to do when nobody can take the call.',
    ),
    {},
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    const queue = step.queue ?? {};
    edge(edges, 'noAgents', queue.noAgents, '/queue/noAgents');
    edge(edges, 'noFreeAgents', queue.noFreeAgents, '/queue/noFreeAgents');
    edge(edges, 'callback', queue.callback?.next, '/queue/callback/next');
    edge(edges, 'callbackRefused', queue.callback?.refused, '/queue/callback/refused');
    return edges;
  },
  terminal: true,
  waitsForInput: true,
  check(step, ctx) {
    const queue = step.queue;
    ctx.checkName('queues', queue.name, '/queue/name');
    ctx.checkPrompts(queue.callback?.prompt, '/queue/callback/prompt');
    if (queue.callback?.number !== undefined) checkCallbackNumber(queue.callback.number, ctx);
    for (const [name, value] of Object.entries(queue.vars ?? {})) ctx.checkTemplate(value, `/queue/vars/${escape(name)}`, { where: 'a channel variable agents can see' });
  },
};
