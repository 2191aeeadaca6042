/** `lookup`: reads a record from a data source. */
import type { LookupStep } from '../../flow/types.js';
import { obj, ref, VARIABLE_PATTERN } from '../../flow/schema-parts.js';
import { edge, escape, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

export const definition: StepDefinition<LookupStep> = {
  kind: 'lookup',
  summary: 'Reads a record from a data source into a variable and branches on found, not found, locked and error.',
  schema: stepSchema(
    'lookup',
    obj(
      {
        source: { type: 'string', description: 'The name of a data source from `data`.' },
        key: ref('template', 'The key to look up, usually from an input (`${account}`). Passed only as a bound parameter.'),
        into: { type: 'string', pattern: VARIABLE_PATTERN, description: 'The variable that receives the record; read its fields as `${acct.balance}`.' },
        timeout: ref('duration', 'How long to wait before taking the `error` branch. Default from the data source.'),
        verify: {
          type: 'object',
          description: 'Fields that must equal these values for `found` (a PIN, for example), compared inside the source and never logged.',
          additionalProperties: ref('template', 'The expected value, usually a secret input (`${pin}`).'),
        },
        filler: obj(
          {
            after: ref('duration', 'Start the filler once the lookup has taken this long. Default `1s`.'),
            play: ref('promptList', 'What to play while waiting.'),
            musicOnHold: { type: 'string', description: 'An Asterisk music-on-hold class to play while waiting.' },
          },
          [],
          'Something to play while a slow lookup runs.',
        ),
      },
      ['source', 'key', 'into'],
      'The lookup: which source, which key, and where the record goes.',
    ),
    {
      found: ref('stepRef', 'The step when the record was found (and `verify` matched).'),
      notFound: ref('stepRef', 'The step when there is no such record, or `verify` did not match.'),
      error: ref('stepRef', 'The step when the source failed or timed out.'),
      locked: ref('stepRef', 'With `verify`: the step when the account is locked after too many attempts. Defaults to `notFound`.'),
    },
    ['found', 'notFound', 'error'],
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    for (const label of ['found', 'notFound', 'error', 'locked'] as const) edge(edges, label, step[label], `/${label}`);
    return edges;
  },
  terminal: false,
  waitsForInput: false,
  check(step, ctx) {
    const lookup = step.lookup;
    ctx.checkName('data', lookup.source, '/lookup/source');
    ctx.checkTemplate(lookup.key, '/lookup/key', { where: 'a lookup key, which is logged and cached' });
    for (const [field, value] of Object.entries(lookup.verify ?? {})) ctx.checkTemplate(value, `/lookup/verify/${escape(field)}`, { allowSecret: true });
    ctx.checkPrompts(lookup.filler?.play, '/lookup/filler/play');
  },
};
