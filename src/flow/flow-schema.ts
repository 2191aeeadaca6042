/**
 * Builds the public flow schema (`schemas/flow.schema.json`) from the shared parts and every step kind's
 * definition. `scripts/gen-schema.ts` writes it; a test checks the committed file is current.
 */
import { STEP_KINDS } from './types.js';
import { stepDefinitions } from '../steps/definitions.js';
import { obj, ref, sharedDefs, NAME_PATTERN, VARIABLE_PATTERN, KEY_PATTERN, LANGUAGE_PATTERN, type JsonSchema } from './schema-parts.js';

const SCHEMA_ID = 'https://touchtone.dev/schemas/flow.schema.json';

function table(description: string, item: JsonSchema, names = NAME_PATTERN): JsonSchema {
  return { type: 'object', description, propertyNames: { pattern: names }, additionalProperties: item };
}

const source = (kind: string, props: Record<string, JsonSchema>, required: string[], description: string): JsonSchema =>
  obj(
    {
      [kind]: obj(props, required, description),
      timeout: ref('duration', 'How long a lookup may take before it takes the `error` branch. Default `3s`.'),
      cacheTtl: ref('duration', 'Keep found records this long. Default: no cache.'),
      description: { type: 'string', description: 'A note for readers.' },
    },
    [kind],
  );

const topLevel: Record<string, JsonSchema> = {
  flow: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', description: 'The flow’s name: lowercase words joined by `-`. Dialplans name it in `Stasis(touchtone,<flow>)`.' },
  description: { type: 'string', description: 'What the flow is for.' },
  language: { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z]{2,4})?$', description: 'The default language of calls (`en`, `de`, `fr-CA` …).' },
  languages: { type: 'array', items: { type: 'string', pattern: '^[a-z]{2,3}(-[A-Za-z]{2,4})?$' }, minItems: 1, uniqueItems: true, description: 'Every language the prompts are written in. Defaults to `[language]`.' },
  start: ref('stepRef', 'The step a call starts at.'),
  defaults: obj(
    {
      timeout: ref('duration', 'First-digit timeout. Default `5s`.'),
      interDigitTimeout: ref('duration', 'Gap allowed between keys. Default `3s`.'),
      termTimeout: ref('duration', 'Wait after a complete entry for a terminator. Default `0` (match at once).'),
      retries: { type: 'integer', minimum: 0, maximum: 10, description: 'Retries for no-input and no-match. Default `2` (three attempts).' },
      bargeIn: { type: 'boolean', description: 'Whether a key stops a prompt. Default true.' },
      maxSteps: { type: 'integer', minimum: 1, maximum: 100000, description: 'Cap on step transitions per call. Default 500.' },
      error: ref('stepRef', 'Where a call goes on an internal error or past `maxSteps`, and where a call taken back after a restart without its saved state begins. Default: hang up (a call taken back goes to the dialplan fallback).'),
    },
    [],
    'Flow-wide defaults for timers, retries and limits.',
  ),
  params: table(
    'Parameters this sub-flow takes: a default value, or `null` for a required one. Only in files used through `subflow`.',
    { type: ['string', 'number', 'boolean', 'null'], description: 'The default, or `null` when the caller flow must pass it.' },
    VARIABLE_PATTERN,
  ),
  variables: table('Variables with initial values.', { type: ['string', 'number', 'boolean'], description: 'The initial value.' }, VARIABLE_PATTERN),
  prompts: table('Prompts by name: a sound file and the text it says (per language, or one text for all).', {
    description: 'A prompt: a text, or `{ sound, text, duration }`.',
    anyOf: [
      { type: 'string' },
      obj(
        {
          sound: { type: 'string', description: 'The sound file, without extension; looked up per language (`<lang>/<sound>`).' },
          text: {
            description: 'What the prompt says: one text, or a text per language (`{ en: …, de: … }`).',
            anyOf: [{ type: 'string' }, { type: 'object', additionalProperties: { type: 'string' }, propertyNames: { pattern: LANGUAGE_PATTERN } }],
          },
          duration: ref('duration', 'How long it plays, for the simulator’s clock. Default: from the text.'),
        },
        ['text'],
      ),
    ],
  }),
  hours: table(
    'Opening-hours schedules by name.',
    obj(
      {
        timezone: { type: 'string', description: 'An IANA time zone, for example `Europe/Berlin`.' },
        weekly: {
          type: 'object',
          description: 'Days (`mon-fri`, `sat`, `mon,wed`) to time ranges (`08:00-12:00,13:00-17:00`) or `closed`.',
          additionalProperties: { type: 'string', description: 'Time ranges, or `closed`.' },
        },
        holidays: obj(
          {
            country: { type: 'string', description: 'Country code for public holidays (`DE`, `US`).' },
            region: { type: 'string', description: 'Region or state code (`BE`, `CA`).' },
            state: { type: 'string', description: 'Alias of `region`.' },
            types: { type: 'array', items: { type: 'string' }, description: 'Holiday types that close the office. Default `[public]`.' },
          },
          ['country'],
          'Public holidays that close the office.',
        ),
        closed: { type: 'array', items: { type: 'string' }, description: 'Dates the office is closed (`2026-12-24`).' },
        special: { type: 'object', additionalProperties: { type: 'string' }, description: 'Opening hours on given dates, overriding `weekly` (`2026-12-31: 09:00-12:00`).' },
      },
      ['timezone', 'weekly'],
      'A schedule.',
    ),
  ),
  departments: table('Departments a `transfer` may go to. Only these: a caller can never dial anything else.', {
    description: 'An endpoint to dial, a dialplan context, or a queue.',
    anyOf: [
      obj(
        {
          dial: { type: 'string', description: 'The Asterisk endpoint to dial (`PJSIP/sales`).' },
          ringTimeout: ref('duration', 'How long it rings before `noAnswer`. Default `30s`.'),
          callerId: { type: 'string', description: 'Caller ID to present.' },
          description: { type: 'string', description: 'A note for readers.' },
        },
        ['dial'],
      ),
      obj(
        {
          context: { type: 'string', description: 'The dialplan context to continue in.' },
          extension: { type: 'string', description: 'The extension. Default `s`.' },
          priority: { type: 'integer', minimum: 1, description: 'The priority. Default 1.' },
          description: { type: 'string', description: 'A note for readers.' },
        },
        ['context'],
      ),
      obj(
        { queue: { type: 'string', description: 'A queue from `queues`.' }, description: { type: 'string', description: 'A note for readers.' } },
        ['queue'],
      ),
    ],
  }),
  queues: table(
    'Live-agent queues.',
    obj(
      {
        asteriskQueue: { type: 'string', description: 'The Asterisk queue name (from queues.conf). Defaults to the key.' },
        whenUnknown: { enum: ['open', 'closed'], description: 'What to assume when AMI cannot tell: `open` (agents free) or `closed`. Default `open`.' },
        context: { type: 'string', description: 'Dialplan context that runs `Queue()` for this queue.' },
      },
      [],
      'A queue.',
    ),
  ),
  data: table('Data sources for `lookup` steps.', {
    description: 'A sqlite, http, file or module source.',
    anyOf: [
      source(
        'sqlite',
        {
          file: { type: 'string', description: 'The database file, relative to the flow file.' },
          table: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'The table.' },
          query: { type: 'string', description: 'A query with one `?` for the key (instead of `table`).' },
          key: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'The key column. Default `id`.' },
        },
        [],
        'An SQLite database.',
      ),
      source(
        'http',
        {
          url: ref('template', 'The URL; `${key}` is the looked-up key (URL-encoded).'),
          method: { enum: ['GET', 'POST'], description: 'Default `GET`.' },
          headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Request headers (templates).' },
          body: ref('template', 'Request body for `POST`.'),
          map: { type: 'object', additionalProperties: { type: 'string' }, description: 'Record fields from JSON paths in the response.' },
          retries: { type: 'integer', minimum: 0, maximum: 5, description: 'Retries on network errors. Default 0.' },
        },
        ['url'],
        'An HTTP/JSON service.',
      ),
      source(
        'file',
        {
          path: { type: 'string', description: 'A CSV or JSON file, relative to the flow file.' },
          key: { type: 'string', description: 'The key column or field.' },
        },
        ['path', 'key'],
        'A static CSV or JSON file.',
      ),
      source(
        'module',
        {
          path: { type: 'string', description: 'A JavaScript module, relative to the flow file.' },
          export: { type: 'string', description: 'The exported function. Default `default`.' },
        },
        ['path'],
        'A JavaScript module exporting a lookup function.',
      ),
    ],
  }),
  keys: {
    type: 'object',
    description: 'Keys that work everywhere, as the first key of any menu or input entry (`"0": agent`, `"*": back`).',
    propertyNames: { pattern: KEY_PATTERN },
    additionalProperties: ref('target', 'The step or action the key leads to.'),
  },
  steps: {
    type: 'object',
    description: 'The steps, by name. Each step is a map with exactly one kind key (`play`, `menu` …).',
    minProperties: 1,
    propertyNames: { pattern: NAME_PATTERN },
    additionalProperties: { $ref: '#/$defs/step' },
  },
};

/** The step union: every kind key listed (for completion), and the kind's own schema applied by `if`/`then`. */
function stepUnion(): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const kind of STEP_KINDS) {
    properties[kind] = { description: stepDefinitions[kind].summary };
  }
  return {
    type: 'object',
    description: 'A step: a map with exactly one kind key (`play`, `menu`, `input` …) and that kind’s branches.',
    properties,
    anyOf: STEP_KINDS.map((kind) => ({ required: [kind] })),
    allOf: STEP_KINDS.map((kind) => ({ if: { required: [kind] }, then: { $ref: `#/$defs/step-${kind}` } })),
  };
}

/** The whole flow schema (JSON Schema 2020-12). */
export function buildFlowSchema(): JsonSchema {
  const $defs: Record<string, JsonSchema> = { ...sharedDefs, step: stepUnion() };
  for (const kind of STEP_KINDS) $defs[`step-${kind}`] = stepDefinitions[kind].schema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_ID,
    title: 'Touchtone flow',
    description: 'An IVR call flow for Touchtone. Put `# yaml-language-server: $schema=<path>/flow.schema.json` on the first line for completion and hover docs.',
    type: 'object',
    properties: topLevel,
    required: ['flow', 'language', 'start', 'steps'],
    additionalProperties: false,
    $defs,
  };
}
