/** `input`: collects digits into a variable. */
import type { InputStep } from '../../flow/types.js';
import { obj, ref, VARIABLE_PATTERN } from '../../flow/schema-parts.js';
import { checkRetryPrompts, edge, keyEdges, retryEdges, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';

/** Parses `4` or `6-10` into bounds; undefined if malformed. */
export function parseDigitsRange(digits: string | number): { min: number; max: number } | undefined {
  const match = /^([0-9]+)(?:-([0-9]+))?$/.exec(String(digits));
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  return min >= 1 && min <= max ? { min, max } : undefined;
}

export const definition: StepDefinition<InputStep> = {
  kind: 'input',
  summary: 'Collects digits (an account number, a PIN) into a variable, with length, terminator, pattern, confirmation and retries.',
  schema: stepSchema(
    'input',
    obj(
      {
        prompt: ref('promptList', 'What to ask.'),
        into: { type: 'string', pattern: VARIABLE_PATTERN, description: 'The variable that receives the digits (without the terminator).' },
        digits: { type: ['string', 'integer'], pattern: '^[0-9]+(-[0-9]+)?$', description: 'The length: `4`, or a range `6-10`.' },
        minDigits: { type: 'integer', minimum: 1, description: 'The fewest digits accepted (instead of `digits`).' },
        maxDigits: { type: 'integer', minimum: 1, description: 'The most digits; the entry ends when they are in (instead of `digits`).' },
        terminator: { anyOf: [{ $ref: '#/$defs/digit' }, { const: 'none' }], description: 'The key that ends the entry. Default `#`; `none` disables it.' },
        timeout: ref('duration', 'Wait for the first key. Default from `defaults.timeout`.'),
        interDigitTimeout: ref('duration', 'Gap allowed between keys. Default from `defaults.interDigitTimeout`.'),
        termTimeout: ref('duration', 'Wait for a terminator once the entry is complete. Default `0`.'),
        pattern: { type: 'string', description: 'A regular expression the whole entry must match, else it is a no-match.' },
        bargeIn: { type: 'boolean', description: 'Whether a key stops the prompt.' },
        confirm: obj(
          {
            intro: ref('promptList', 'Played before the entry is read back, for example "You entered".'),
            prompt: ref('promptList', 'The question played after the entry is read back, for example "Press 1 if this is correct, 2 to enter it again".'),
            yes: ref('digit', 'The key that confirms. Default `1`.'),
            no: ref('digit', 'The key that asks again. Default `2`.'),
          },
          ['prompt'],
          'Read the entry back and ask the caller to confirm it.',
        ),
        secret: { type: 'boolean', description: 'A PIN or password: never logged, traced, spoken or used as a lookup key (only in `verify`).' },
        noInput: ref('retryPolicy', 'What happens when the caller presses nothing.'),
        noMatch: ref('retryPolicy', 'What happens when the entry is too short, too long or does not match `pattern`.'),
        keys: ref('keyOverrides', 'Overrides of the flow-wide `keys` for this input.'),
      },
      ['prompt', 'into'],
      'The entry: what to ask, where the digits go, and the rules they follow.',
    ),
    {
      next: ref('stepRef', 'The step after a valid entry.'),
      exhausted: ref('stepRef', 'Where to go when no-input or no-match runs out and names no `next`.'),
    },
    ['next'],
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    edge(edges, 'next', step.next, '/next');
    retryEdges(edges, step.input ?? {}, '/input', step.exhausted);
    keyEdges(edges, step.input?.keys, '/input');
    return edges;
  },
  terminal: false,
  waitsForInput: true,
  check(step, ctx) {
    const input = step.input;
    ctx.checkPrompts(input.prompt, '/input/prompt');
    checkRetryPrompts(input, '/input', ctx);
    if (input.confirm) {
      ctx.checkPrompts(input.confirm.intro, '/input/confirm/intro');
      ctx.checkPrompts(input.confirm.prompt, '/input/confirm/prompt');
      if (input.secret) ctx.report('secret-leak', '/input/confirm', `Secret input \`${input.into}\` would be read back to the caller by \`confirm\`.`, { atKey: true });
      const yes = input.confirm.yes ?? '1';
      const no = input.confirm.no ?? '2';
      if (yes === no) {
        const where = input.confirm.no !== undefined ? '/input/confirm/no' : '/input/confirm/yes';
        ctx.report('invalid-value', where, `\`confirm\` uses \`${yes}\` for both yes and no, so the caller can never say no: choose two keys (defaults: \`yes: "1"\`, \`no: "2"\`).`);
      }
    }
    for (const bound of ['minDigits', 'maxDigits'] as const) {
      if (input.digits === undefined || input[bound] === undefined) continue;
      ctx.report('invalid-digits', `/input/${bound}`, `\`digits\` and \`${bound}\` both set the length: keep \`digits\` (\`4\`, \`6-10\`), or use \`minDigits\`/\`maxDigits\` instead of it.`, { atKey: true });
    }
    if (input.digits !== undefined && !parseDigitsRange(input.digits)) {
      ctx.report('invalid-digits', '/input/digits', `\`${input.digits}\` is not a length: write \`4\` or a range like \`6-10\` (smallest first).`);
    }
    if (input.minDigits !== undefined && input.maxDigits !== undefined && input.minDigits > input.maxDigits) {
      ctx.report('invalid-digits', '/input/minDigits', `\`minDigits\` (${input.minDigits}) is larger than \`maxDigits\` (${input.maxDigits}).`);
    }
    if (input.pattern !== undefined) {
      try {
        new RegExp(input.pattern);
      } catch (error) {
        ctx.report('invalid-regex', '/input/pattern', `\`${input.pattern}\` is not a regular expression: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}.`);
      }
    }
  },
};
