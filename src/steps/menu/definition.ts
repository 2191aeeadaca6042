/** `menu`: asks the caller to press a key and branches on it. */
import type { MenuStep } from '../../flow/types.js';
import { obj, ref, DIAL_PATTERN, KEY_PATTERN, VARIABLE_PATTERN } from '../../flow/schema-parts.js';
import { checkRetryPrompts, edge, escape, keyEdges, retryEdges, stepSchema, type StepDefinition } from '../definition.js';
import type { StepEdge } from '../step-module.js';
import { parseDialPattern, patternAcceptsPrefix } from '../../flow/dial-pattern.js';

function lowerFirst(text: string): string {
  return text[0]!.toLowerCase() + text.slice(1);
}

export const definition: StepDefinition<MenuStep> = {
  kind: 'menu',
  summary: 'Plays a prompt and branches on the key (or keys) the caller presses, with retries on no-input and no-match.',
  schema: stepSchema(
    'menu',
    obj(
      {
        prompt: ref('promptList', 'The prompt on the first attempt.'),
        shortPrompt: ref('promptList', 'The prompt on repeats (after a miss, or the `repeat` key). Defaults to `prompt`.'),
        options: {
          type: 'object',
          description: 'Keys (one or more digits, quoted: `"1"`) to steps, or to `back`, `top`, `repeat`.',
          propertyNames: { pattern: KEY_PATTERN },
          minProperties: 1,
          additionalProperties: ref('target', 'The step (or action) this key leads to.'),
        },
        patterns: {
          type: 'object',
          description: 'Direct-dial patterns in Asterisk style (`1XX`, `[2-4]XX`, `9.`; X = 0-9, Z = 1-9, N = 2-9, a final `.` = one or more of anything): the digits go to `into`.',
          propertyNames: { pattern: DIAL_PATTERN },
          additionalProperties: obj(
            {
              next: ref('stepRef', 'The step for digits that match the pattern.'),
              into: { type: 'string', pattern: VARIABLE_PATTERN, description: 'The variable that receives the digits.' },
            },
            ['next'],
            'Where a pattern leads.',
          ),
        },
        timeout: ref('duration', 'Wait for the first key after the prompt. Default from `defaults.timeout`.'),
        interDigitTimeout: ref('duration', 'Gap allowed between keys while a longer option could still match.'),
        termTimeout: ref('duration', 'Wait after a complete entry. Default `0`: match at once.'),
        bargeIn: { type: 'boolean', description: 'Whether a key stops the prompt. Default from `defaults.bargeIn`.' },
        noInput: ref('retryPolicy', 'What happens when the caller presses nothing.'),
        noMatch: ref('retryPolicy', 'What happens when the caller presses a key that is no option.'),
        keys: ref('keyOverrides', 'Overrides of the flow-wide `keys` for this menu.'),
      },
      ['prompt', 'options'],
      'The menu: its prompts, options and timers.',
    ),
    { exhausted: ref('stepRef', 'Where to go when no-input or no-match runs out and names no `next`. Default: the flow’s error step, or hang up.') },
  ),
  edges(step) {
    const edges: StepEdge[] = [];
    const menu = step.menu ?? {};
    for (const [key, target] of Object.entries(menu.options ?? {})) edge(edges, `option ${key}`, target, `/menu/options/${escape(key)}`);
    for (const [pattern, spec] of Object.entries(menu.patterns ?? {})) edge(edges, `pattern ${pattern}`, spec?.next, `/menu/patterns/${escape(pattern)}/next`);
    retryEdges(edges, menu, '/menu', step.exhausted);
    keyEdges(edges, menu.keys, '/menu');
    return edges;
  },
  terminal: false,
  waitsForInput: true,
  check(step, ctx) {
    const menu = step.menu;
    ctx.checkPrompts(menu.prompt, '/menu/prompt');
    ctx.checkPrompts(menu.shortPrompt, '/menu/shortPrompt');
    checkRetryPrompts(menu, '/menu', ctx);
    const patterns: { text: string; parsed: NonNullable<ReturnType<typeof parseDialPattern>> }[] = [];
    for (const text of Object.keys(menu.patterns ?? {})) {
      const parsed = parseDialPattern(text);
      if (!parsed) ctx.report('invalid-pattern', `/menu/patterns/${escape(text)}`, `\`${text}\` is not a dial pattern.`, { atKey: true });
      else patterns.push({ text, parsed });
    }
    // The keys a caller can press here: flow-wide keys (unless switched off), this menu's keys, its options.
    const table = new Map<string, { what: string; at: string }>();
    for (const key of Object.keys(ctx.flow.keys ?? {})) table.set(key, { what: `flow-wide key \`${key}\``, at: '' });
    for (const [key, target] of Object.entries(menu.keys ?? {})) {
      if (target === null) table.delete(key);
      else table.set(key, { what: `key \`${key}\``, at: `/menu/keys/${escape(key)}` });
    }
    for (const key of Object.keys(menu.options)) table.set(key, { what: `Option \`${key}\``, at: `/menu/options/${escape(key)}` });
    for (const [key, short] of table) {
      const longer = [...table.keys()].find((other) => other !== key && other.startsWith(key));
      const pattern = patterns.find((p) => patternAcceptsPrefix(p.parsed, key));
      const rival = longer !== undefined ? lowerFirst(table.get(longer)!.what) : pattern ? `pattern \`${pattern.text}\`` : undefined;
      if (!rival) continue;
      // A flow-wide key has no place in this step, so point at what makes it ambiguous here.
      const at = short.at || (longer !== undefined ? table.get(longer)!.at : `/menu/patterns/${escape(pattern!.text)}`);
      const what = short.what[0]!.toUpperCase() + short.what.slice(1);
      ctx.report('ambiguous-option', at, `${what} is the start of ${rival}, so callers who press \`${key}\` wait for the inter-digit timeout.`, { atKey: true });
    }
  },
};
