/**
 * The shared parts of the flow schema (`$defs`): durations, step references, prompts, retry policies.
 * Step definitions refer to them as `#/$defs/<name>`; `buildFlowSchema()` puts them into the public schema.
 */
import { DURATION_PATTERN } from './duration.js';
import { DIGITS } from './types.js';

/** A JSON Schema object (2020-12). Kept loose on purpose: schemas are data. */
export type JsonSchema = { [key: string]: unknown };

/** A reference to a shared part, with the description editors show on hover. */
export function ref(name: string, description: string): JsonSchema {
  return { $ref: `#/$defs/${name}`, description };
}

/** Names of steps, prompts, departments …: letters, digits, `_` and `-`, starting with a letter. */
export const NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]*$';
/** Variable names: like names, without `-`, so CEL can read them. */
export const VARIABLE_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** Menu keys: one or more of `0-9 * # A-D`. */
export const KEY_PATTERN = '^[0-9*#A-D]+$';
/** Menu direct-dial patterns, Asterisk style: keys, `X`, `Z`, `N`, ranges `[1-4]`, and a final `.`. */
export const DIAL_PATTERN = '^([0-9*#A-DXZN]|\\[[0-9-]+\\])+\\.?$';
/** Language codes: `en`, `de`, `fr-CA`. */
export const LANGUAGE_PATTERN = '^[a-z]{2,3}(-[A-Za-z]{2,4})?$';

const playItemVariants: JsonSchema[] = [
  { type: 'string', description: 'The name of a prompt from `prompts`.' },
  obj({ prompt: { type: 'string', description: 'The name of a prompt from `prompts`.' } }, ['prompt']),
  obj(
    {
      sound: {
        type: 'string',
        description:
          'A sound file, without extension (`acme/welcome`). May be a template naming the file by data (`products/${product.sound}`), never by caller input; a rendered name that is not letters, digits, `_` and `-` in `/`-separated parts is skipped.',
      },
      text: { type: 'string', description: 'What the sound says, for the simulator, the dashboard and TTS; may be a template (`${product.name}`).' },
    },
    ['sound'],
  ),
  obj({ number: ref('template', 'Speaks a number (`${count}` → "forty two").') }, ['number']),
  obj({ digits: ref('template', 'Speaks digit by digit (`${account}` → "1 2 3").') }, ['digits']),
  obj({ characters: ref('template', 'Spells characters (`${code}` → "A B 1").') }, ['characters']),
  obj(
    {
      money: ref('template', 'Speaks an amount of money (`${acct.balance}`).'),
      currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code, for example `EUR`.' },
    },
    ['money'],
  ),
  obj({ date: ref('template', 'Speaks a date (`2026-05-01` or a variable holding one).') }, ['date']),
  obj({ time: ref('template', 'Speaks a time of day (`14:30` or a variable holding one).') }, ['time']),
  obj({ recording: ref('template', 'Plays a recording the caller made (`${message}`).') }, ['recording']),
  obj({ opening: { type: 'string', description: 'Speaks the opening state of a schedule from `hours`: "we open again Monday at 9".' } }, ['opening']),
  obj({ silence: ref('duration', 'A pause, for example `500ms`.') }, ['silence']),
];

/** An object schema with every property described and nothing else allowed. */
export function obj(properties: Record<string, JsonSchema>, required: string[] = [], description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description ? { description } : {}),
    properties,
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

/** `vars` of the steps that hand a call to people (`queue`, `transfer`): channel variables for the screen-pop. */
export function screenPopVarsSchema(description: string): JsonSchema {
  return {
    type: 'object',
    description,
    propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9_]*$' },
    additionalProperties: ref('template', 'The value, for example `${acct.name}`.'),
  };
}

/** The `$defs` shared by every step kind. */
export const sharedDefs: Record<string, JsonSchema> = {
  duration: {
    type: ['string', 'integer'],
    pattern: DURATION_PATTERN,
    // A bare number is only meaningful as `0`; other numbers need a unit.
    minimum: 0,
    maximum: 0,
    description: 'A duration with a unit: `500ms`, `5s`, `1.5s`, `2m`, or `0`.',
  },
  stepRef: { type: 'string', pattern: NAME_PATTERN, description: 'The name of a step in `steps`.' },
  target: {
    type: 'string',
    pattern: NAME_PATTERN,
    description: 'The name of a step in `steps`, or `back` (previous menu), `top` (first menu) or `repeat` (this menu again).',
  },
  template: {
    type: ['string', 'number'],
    description: 'A value; `${name}` or `${record.field}` inserts a variable.',
  },
  digit: { type: 'string', enum: [...DIGITS], description: 'One key: `0-9`, `*`, `#` or `A-D`.' },
  variable: { type: 'string', pattern: VARIABLE_PATTERN, description: 'A variable name: letters, digits and `_`.' },
  playItem: {
    description: 'One thing to play: a prompt name, or a map that names a sound, a number, digits, money, a date, a time, a recording, an opening state or a silence.',
    anyOf: playItemVariants,
  },
  promptList: {
    description: 'A prompt name, one play item, or a list of them played in order.',
    anyOf: [{ $ref: '#/$defs/playItem' }, { type: 'array', items: { $ref: '#/$defs/playItem' }, minItems: 1 }],
  },
  retryPolicy: obj(
    {
      retries: { type: 'integer', minimum: 0, maximum: 10, description: 'How many times to ask again: `2` means three attempts in all.' },
      prompt: ref('promptList', 'Prompts by attempt: the first plays after the first miss, the second after the next, then the last repeats.'),
      next: ref('stepRef', 'Where to go when the retries run out. Defaults to the step’s `exhausted`.'),
    },
    [],
    'How a no-input (timeout) or a no-match (invalid entry) is handled. Each keeps its own counter.',
  ),
  keyOverrides: {
    type: 'object',
    description: 'Overrides of the flow-wide `keys` for this step: a key to a step or action, or `null` to switch a global key off.',
    propertyNames: { pattern: KEY_PATTERN },
    additionalProperties: { anyOf: [{ $ref: '#/$defs/target' }, { type: 'null' }], description: 'A step, an action, or `null`.' },
  },
};
