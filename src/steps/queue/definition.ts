/** `queue`: hands the caller to a live-agent queue. */
import type { QueueStep } from '../../flow/types.js';
import { obj, ref } from '../../flow/schema-parts.js';
import { edge, escape, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

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
          },
          ['key', 'next'],
          'Offer a callback that keeps the caller’s place in line.',
        ),
        vars: {
          type: 'object',
          description: 'Channel variables for the agent’s screen-pop, set as `TOUCHTONE_<NAME>`.',
          propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]*$' },
          additionalProperties: ref('template', 'The value, for example `${acct.name}`.'),
        },
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
    for (const [name, value] of Object.entries(queue.vars ?? {})) ctx.checkTemplate(value, `/queue/vars/${escape(name)}`, { where: 'a channel variable agents can see' });
  },
};
