/**
 * Writes the README's `reference-steps` section (from the step definitions' schemas) and its
 * `reference-codes` section (from the code catalogue). Run: `npx tsx scripts/gen-docs.ts`.
 * `test/validate-docs.test.ts` fails when the README is not what this script writes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { STEP_KINDS } from '../src/flow/types.js';
import { stepDefinitions } from '../src/steps/definitions.js';
import { buildFlowSchema } from '../src/flow/flow-schema.js';
import { codes, type CodeInfo } from '../src/flow/codes.js';
import type { JsonSchema } from '../src/flow/schema-parts.js';

/** Where the README is. */
export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

const REF_NAMES: Record<string, string> = {
  duration: 'duration',
  stepRef: 'step name',
  target: 'step or `back`/`top`/`repeat`',
  template: 'template',
  digit: 'key',
  variable: 'variable',
  playItem: 'play item',
  promptList: 'prompts',
  retryPolicy: 'retry policy',
  keyOverrides: 'key overrides',
  step: 'step',
};

function typeText(schema: JsonSchema): string {
  if (typeof schema.$ref === 'string') return REF_NAMES[schema.$ref.replace('#/$defs/', '')] ?? 'see schema';
  if ('const' in schema) return `\`${JSON.stringify(schema.const)}\``;
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (Array.isArray(schema.anyOf)) return [...new Set(schema.anyOf.map((s) => typeText(s as JsonSchema)))].join(' \\| ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.includes('array')) return `list of ${schema.items ? typeText(schema.items as JsonSchema) : 'values'}`;
  if (types.includes('object') && schema.additionalProperties && typeof schema.additionalProperties === 'object' && !schema.properties) {
    return `map of ${typeText(schema.additionalProperties as JsonSchema)}`;
  }
  if (types.includes('object')) return 'map';
  return types.map((t) => (t === 'integer' ? 'number' : String(t))).join(' \\| ') || 'any';
}

function cell(text: unknown): string {
  return String(text ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The object schemas a property's value may be, with the prefix their keys get in the table. */
function nested(name: string, schema: JsonSchema): { prefix: string; schema: JsonSchema }[] {
  const out: { prefix: string; schema: JsonSchema }[] = [];
  const add = (prefix: string, s: unknown) => {
    const obj = s as JsonSchema | undefined;
    if (obj && typeof obj === 'object' && obj.properties && typeof obj.$ref !== 'string') out.push({ prefix, schema: obj });
    if (obj && Array.isArray(obj.anyOf)) for (const branch of obj.anyOf) add(prefix, branch);
  };
  add(`${name}.`, schema);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') add(`${name}.<name>.`, schema.additionalProperties);
  if (schema.items && typeof schema.items === 'object') add(`${name}[].`, schema.items);
  return out;
}

function rows(properties: Record<string, JsonSchema>, required: readonly string[], prefix = ''): string[] {
  const out: string[] = [];
  for (const [name, schema] of Object.entries(properties)) {
    out.push(`| \`${prefix}${name}\` | ${typeText(schema)} | ${required.includes(name) ? 'yes' : ''} | ${cell(schema.description)} |`);
    if (prefix.split('.').length > 3) continue;
    const seen = new Set<string>();
    for (const inner of nested(prefix + name, schema)) {
      const props = Object.fromEntries(Object.entries(inner.schema.properties as Record<string, JsonSchema>).filter(([k]) => !seen.has(inner.prefix + k)));
      Object.keys(props).forEach((k) => seen.add(inner.prefix + k));
      out.push(...rows(props, (inner.schema.required as string[]) ?? [], inner.prefix));
    }
  }
  return out;
}

function table(properties: Record<string, JsonSchema>, required: readonly string[]): string {
  return ['| key | type | required | what it does |', '|---|---|---|---|', ...rows(properties, required)].join('\n');
}

/** The `reference-steps` section's body. */
export function stepsReference(): string {
  const schema = buildFlowSchema();
  const defs = schema.$defs as Record<string, JsonSchema>;
  const parts: string[] = [
    '## Language reference',
    '',
    'Generated from the step definitions by `scripts/gen-docs.ts`; a test keeps it and `schemas/flow.schema.json` in step.',
    '',
    '### The flow file',
    '',
    table(schema.properties as Record<string, JsonSchema>, schema.required as string[]),
    '',
    '### Shared value types',
    '',
    ...Object.entries(REF_NAMES).map(([def, name]) => `- **${name}**: ${cell(defs[def]?.description)}`),
    '',
    'A **play item** is one of: ' +
      ((defs.playItem!.anyOf as JsonSchema[]) ?? [])
        .map((v) => (v.type === 'string' ? 'a prompt name' : `\`{ ${Object.keys(v.properties as object).join(', ')} }\``))
        .join(', ') +
      '.',
    '',
    'A **retry policy** (`noInput`, `noMatch`):',
    '',
    table(defs.retryPolicy!.properties as Record<string, JsonSchema>, []),
    '',
    'Every step may also have `description` (a note) and `flush: true` (drop keys typed ahead).',
  ];
  for (const kind of STEP_KINDS) {
    const def = stepDefinitions[kind];
    const props = { ...(def.schema.properties as Record<string, JsonSchema>) };
    delete props.description;
    delete props.flush;
    parts.push('', `### \`${kind}\``, '', def.summary, '', table(props, (def.schema.required as string[]) ?? []));
    const traits = [def.terminal ? 'may end the call' : '', def.waitsForInput ? 'waits for the caller' : ''].filter(Boolean);
    if (traits.length) parts.push('', `This step ${traits.join(' and ')}.`);
  }
  return parts.join('\n');
}

function example(info: CodeInfo): string {
  return info.example.includes('\n') || info.example.length > 50 ? `\n\n\`\`\`yaml\n${info.example}\n\`\`\`` : ` Example: \`${info.example}\``;
}

/** The `reference-codes` section's body. */
export function codesReference(): string {
  const parts = [
    '## Diagnostic codes',
    '',
    'Every problem `touchtone validate` reports carries one of these codes. Codes are stable and never reused.',
    'Generated from `src/flow/codes.ts` by `scripts/gen-docs.ts`.',
  ];
  for (const [code, info] of Object.entries(codes) as [string, CodeInfo][]) {
    parts.push('', `#### \`${code}\` (${info.severity})`, '', `${info.title}. **Fix:** ${info.hint}${example(info)}`);
  }
  return parts.join('\n');
}

/** Replaces the body of a marked README section. */
export function replaceSection(readme: string, name: string, body: string): string {
  const begin = `<!-- BEGIN ${name} -->`;
  const end = `<!-- END ${name} -->`;
  const i = readme.indexOf(begin);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no section \`${name}\``);
  return readme.slice(0, i + begin.length) + '\n' + body + '\n' + readme.slice(j);
}

/** The body of a marked README section. */
export function sectionBody(readme: string, name: string): string {
  const begin = `<!-- BEGIN ${name} -->`;
  const i = readme.indexOf(begin);
  const j = readme.indexOf(`<!-- END ${name} -->`);
  return i < 0 || j < i ? '' : readme.slice(i + begin.length + 1, j - 1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let readme = readFileSync(README_PATH, 'utf8');
  readme = replaceSection(readme, 'reference-steps', stepsReference());
  readme = replaceSection(readme, 'reference-codes', codesReference());
  writeFileSync(README_PATH, readme);
  process.stdout.write(`wrote the reference sections of ${README_PATH}\n`);
}
