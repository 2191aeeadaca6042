/**
 * Checks of the flow's tables: prompts (translations, templates), languages, departments and data sources.
 */
import { pointer } from '../diagnostics.js';
import type { FlowContext } from './context.js';

/** Every prompt has a text per language; prompt texts read defined variables. */
export function checkPrompts(ctx: FlowContext): void {
  for (const [name, prompt] of Object.entries(ctx.flow.prompts ?? {})) {
    if (typeof prompt === 'string') {
      ctx.checkTemplate(prompt, pointer('prompts', name));
      continue;
    }
    if (typeof prompt.text === 'string') {
      ctx.checkTemplate(prompt.text, pointer('prompts', name, 'text'));
      continue;
    }
    for (const [lang, text] of Object.entries(prompt.text)) {
      ctx.checkTemplate(text, pointer('prompts', name, 'text', lang));
      if (!ctx.languages.includes(lang)) {
        ctx.report({ code: 'unknown-language', pointer: pointer('prompts', name, 'text', lang), atKey: true, message: `Prompt \`${name}\` has a text in \`${lang}\`, which is not in \`languages\`.` });
      }
    }
    const missing = ctx.languages.filter((lang) => !(lang in (prompt.text as Record<string, string>)));
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
  if (ctx.flow.languages && !ctx.flow.languages.includes(ctx.flow.language)) {
    ctx.report({ code: 'unknown-language', pointer: '/language', message: `The default language \`${ctx.flow.language}\` is not in \`languages\`.` });
  }
}

/** Departments that hand off to a queue name a declared queue. */
export function checkDepartments(ctx: FlowContext): void {
  for (const [name, dept] of Object.entries(ctx.flow.departments ?? {})) {
    if ('queue' in dept) ctx.checkName('queues', dept.queue, pointer('departments', name, 'queue'));
  }
}

/** HTTP sources never put a secret in a URL, header or body (they are logged by proxies and servers). */
export function checkDataSources(ctx: FlowContext): void {
  for (const [name, source] of Object.entries(ctx.flow.data ?? {})) {
    if (!('http' in source)) continue;
    const opts = { where: 'an HTTP request, which servers and proxies log', extra: ['key'] };
    ctx.checkTemplate(source.http.url, pointer('data', name, 'http', 'url'), opts);
    ctx.checkTemplate(source.http.body, pointer('data', name, 'http', 'body'), opts);
    for (const [header, value] of Object.entries(source.http.headers ?? {})) ctx.checkTemplate(value, pointer('data', name, 'http', 'headers', header), opts);
  }
}

/** `call` holds the call facts; a variable of that name would hide them. */
export function checkReservedNames(ctx: FlowContext): void {
  const report = (at: string, atKey: boolean) =>
    ctx.report({ code: 'invalid-name', pointer: at, atKey, message: 'The variable name `call` is reserved for call facts (`call.caller`, `call.hour` …): choose another name.' });
  if (ctx.flow.variables && 'call' in ctx.flow.variables) report(pointer('variables', 'call'), true);
  if (ctx.flow.params && 'call' in ctx.flow.params) report(pointer('params', 'call'), true);
  for (const [name, step] of Object.entries(ctx.flow.steps)) {
    for (const kind of ['input', 'lookup', 'record', 'subflow'] as const) {
      const spec = (step as unknown as Record<string, { into?: string } | undefined>)[kind];
      if (spec && typeof spec === 'object' && spec.into === 'call') report(pointer('steps', name, kind, 'into'), false);
    }
    if ('set' in step && 'call' in step.set) report(pointer('steps', name, 'set', 'call'), true);
  }
}
