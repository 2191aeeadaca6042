/**
 * Templates: `"${acct.balance}"`, `"Hello ${caller.name}"`. One syntax everywhere in a flow.
 *
 * A template only *reads* variables by dotted path; it never evaluates code. Conditions use CEL (branch step).
 * `$${` writes a literal `${`.
 */

export type TemplatePart = { text: string } | { path: string; offset: number };

const PATH = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

export interface TemplateSyntaxError {
  offset: number;
  message: string;
}

/** Splits a template into text and variable parts. Throws nothing: syntax errors come back as values. */
export function parseTemplate(template: string): { parts: TemplatePart[]; errors: TemplateSyntaxError[] } {
  const parts: TemplatePart[] = [];
  const errors: TemplateSyntaxError[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i)) {
      text += '${';
      i += 3;
      continue;
    }
    if (template.startsWith('${', i)) {
      const close = template.indexOf('}', i + 2);
      if (close < 0) {
        errors.push({ offset: i, message: 'unclosed `${`: add the closing `}`' });
        text += template.slice(i);
        break;
      }
      const path = template.slice(i + 2, close).trim();
      if (!PATH.test(path)) {
        errors.push({ offset: i, message: `\`\${${path}}\` is not a variable path: write names joined by dots, like \`\${acct.balance}\`` });
      } else {
        if (text) parts.push({ text });
        text = '';
        parts.push({ path, offset: i });
      }
      i = close + 1;
      continue;
    }
    text += template[i];
    i++;
  }
  if (text) parts.push({ text });
  return { parts, errors };
}

/** The variable paths a template reads. @example templatePaths('${a.b} and ${c}') // ['a.b', 'c'] */
export function templatePaths(template: string): string[] {
  return parseTemplate(template).parts.flatMap((p) => ('path' in p ? [p.path] : []));
}

/** Reads a dotted path from nested records. Missing paths give undefined. */
export function readPath(vars: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = vars;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

const compiled = new Map<string, TemplatePart[]>();

/**
 * Renders a template with variables. Missing variables render as the empty string.
 * A template that is exactly one `${path}` returns the raw value (a number stays a number).
 * @example renderTemplate('${n} items', { n: 3 }) // '3 items'
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, unknown>>): unknown {
  let parts = compiled.get(template);
  if (!parts) {
    parts = parseTemplate(template).parts;
    if (compiled.size < 10_000) compiled.set(template, parts);
  }
  if (parts.length === 1 && 'path' in parts[0]!) return readPath(vars, parts[0].path);
  let out = '';
  for (const part of parts) {
    if ('text' in part) out += part.text;
    else {
      const value = readPath(vars, part.path);
      out += value === undefined || value === null ? '' : String(value);
    }
  }
  return out;
}

/** Renders a template to a string. */
export function renderString(template: string, vars: Readonly<Record<string, unknown>>): string {
  const value = renderTemplate(template, vars);
  return value === undefined || value === null ? '' : String(value);
}
