/**
 * Checks of the flow's tables: prompts (translations, templates), languages, departments and data sources.
 */
import { pointer } from '../diagnostics.js';
import type { FlowContext } from './context.js';
import { entries, isMap } from './damage.js';
import { templatePaths } from '../template.js';

/** Every prompt has a text per language, and no template (the text is spoken as written). */
export function checkPrompts(ctx: FlowContext): void {
  for (const [name, prompt] of entries(ctx.flow.prompts)) {
    if (typeof prompt === 'string') {
      literalText(ctx, name, prompt, pointer('prompts', name));
      continue;
    }
    if (!isMap(prompt)) continue;
    if (typeof prompt.text === 'string') {
      literalText(ctx, name, prompt.text, pointer('prompts', name, 'text'));
      continue;
    }
    if (!isMap(prompt.text)) continue;
    for (const [lang, text] of Object.entries(prompt.text)) {
      literalText(ctx, name, text, pointer('prompts', name, 'text', lang));
      if (ctx.languagesKnown && !ctx.languages.includes(lang)) {
        ctx.report({ code: 'unknown-language', pointer: pointer('prompts', name, 'text', lang), atKey: true, message: `Prompt \`${name}\` has a text in \`${lang}\`, which is not in \`languages\`.` });
      }
    }
    // A text the shape pass rejected may be the missing translation under another key.
    if (ctx.damage.unsure(pointer('prompts', name, 'text'), prompt.text)) continue;
    const missing = ctx.languages.filter((lang) => !Object.hasOwn(prompt.text as Record<string, unknown>, lang));
    if (missing.length) {
      ctx.report({
        code: 'missing-translation',
        pointer: pointer('prompts', name, 'text'),
        atKey: true,
        message: `Prompt \`${name}\` has no text in ${missing.map((m) => `\`${m}\``).join(', ')}.`,
      });
    }
  }
}

/** The default language is one of `languages`. */
export function checkLanguages(ctx: FlowContext): void {
  if (ctx.languagesKnown && ctx.flow.languages && typeof ctx.flow.language === 'string' && !ctx.flow.languages.includes(ctx.flow.language)) {
    ctx.report({ code: 'unknown-language', pointer: '/language', message: `The default language \`${ctx.flow.language}\` is not in \`languages\`.` });
  }
}

/**
 * One endpoint (`PJSIP/sales`, `SIP/trunk/0301234`): ARI dials exactly one, and `&` (parallel dial), `,` and `;`
 * (option separators), `${` (dialplan expressions), quotes and spaces would mean something else to Asterisk.
 */
const DIAL_STRING = /^[A-Za-z][A-Za-z0-9_]*\/[A-Za-z0-9_.@+:\/-]+$/;
/** Dialplan contexts and extensions as Asterisk names them: no separators, no expressions. */
const DIALPLAN_NAME = /^[A-Za-z0-9_+*#.-]+$/;

/** Departments name a declared queue, and dial strings and dialplan targets hold one plain target each. */
export function checkDepartments(ctx: FlowContext): void {
  for (const [name, dept] of entries(ctx.flow.departments)) {
    if (!isMap(dept)) continue;
    if ('queue' in dept) ctx.checkName('queues', dept.queue as string, pointer('departments', name, 'queue'));
    const plain = (field: string, pattern: RegExp, how: string) => {
      const value = dept[field];
      if (typeof value !== 'string' || pattern.test(value)) return;
      ctx.report({
        code: 'invalid-dial-target',
        pointer: pointer('departments', name, field),
        message: `\`${value}\` is not a single ${field === 'dial' ? 'endpoint' : `dialplan ${field}`} of department \`${name}\`: ${how}.`,
      });
    };
    plain('dial', DIAL_STRING, 'write one `TECH/resource` such as `PJSIP/sales`, without `&`, `,`, `;`, `${…}`, quotes or spaces (make a queue for ring groups)');
    plain('context', DIALPLAN_NAME, 'use letters, digits, `_` and `-` only');
    plain('extension', DIALPLAN_NAME, 'use digits, letters, `_`, `+`, `*`, `#` and `-` only');
  }
}

/** HTTP sources never put a secret in a URL, header or body (they are logged by proxies and servers). */
export function checkDataSources(ctx: FlowContext): void {
  for (const [name, source] of entries(ctx.flow.data)) {
    const http = isMap(source) ? source.http : undefined;
    if (!isMap(http)) continue;
    // `${env.NAME}` reads the server's environment, where secrets such as API tokens belong.
    const opts = { where: 'an HTTP request, which servers and proxies log', extra: ['key', 'env'] };
    ctx.checkTemplate(http.url, pointer('data', name, 'http', 'url'), opts);
    ctx.checkTemplate(http.body, pointer('data', name, 'http', 'body'), opts);
    for (const [header, value] of entries(http.headers)) ctx.checkTemplate(value, pointer('data', name, 'http', 'headers', header), opts);
  }
}

/** A prompt's text is what its recording says, spoken as written: a `${…}` in it is never filled in. */
function literalText(ctx: FlowContext, name: string, text: unknown, at: string): void {
  if (typeof text !== 'string' || !templatePaths(text).length) return;
  ctx.report({
    code: 'template-in-prompt',
    pointer: at,
    message: `Prompt \`${name}\` says \`${text}\` as written: the \`prompts\` table does not fill in templates.`,
    hint: 'Templates work in play items: `play: [intro, { number: "${count}" }]`, or `{ sound: acme/hello, text: "Hello ${name}" }` for a sound whose text names a value.',
  });
}

/** `call` holds the call facts; a variable of that name would hide them. */
export function checkReservedNames(ctx: FlowContext): void {
  const report = (at: string, atKey: boolean) =>
    ctx.report({ code: 'invalid-name', pointer: at, atKey, message: 'The variable name `call` is reserved for call facts (`call.caller`, `call.hour` …): choose another name.' });
  if (isMap(ctx.flow.variables) && Object.hasOwn(ctx.flow.variables, 'call')) report(pointer('variables', 'call'), true);
  if (isMap(ctx.flow.params) && Object.hasOwn(ctx.flow.params, 'call')) report(pointer('params', 'call'), true);
  for (const s of ctx.steps.values()) {
    const step = s.step as unknown as Record<string, unknown>;
    for (const kind of ['input', 'lookup', 'record', 'subflow'] as const) {
      const spec = step[kind];
      if (isMap(spec) && spec.into === 'call') report(pointer('steps', s.name, kind, 'into'), false);
    }
    if (isMap(step.set) && Object.hasOwn(step.set, 'call')) report(pointer('steps', s.name, 'set', 'call'), true);
    const patterns = isMap(step.menu) ? step.menu.patterns : undefined;
    for (const [pattern, spec] of isMap(patterns) ? Object.entries(patterns) : []) {
      if (isMap(spec) && spec.into === 'call') report(pointer('steps', s.name, 'menu', 'patterns', pattern, 'into'), false);
    }
  }
}
