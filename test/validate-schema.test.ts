/**
 * The public schema, the step registry and the definitions agree: the committed `schemas/flow.schema.json`
 * is exactly what `scripts/gen-schema.ts` writes, every property has a description, and every kind is listed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFlowFiles } from '../src/flow/find-flows.js';
import { describe, expect, it } from 'vitest';
import { STEP_KINDS } from '../src/flow/types.js';
import { stepDefinitions } from '../src/steps/definitions.js';
import { stepModules } from '../src/steps/registry.js';
import { buildFlowSchema } from '../src/flow/flow-schema.js';
import { SCHEMA_PATH, schemaText } from '../scripts/gen-schema.js';
import type { JsonSchema } from '../src/flow/schema-parts.js';

/** Every property schema that has no description, as a path. */
function undescribed(schema: unknown, path: string, out: string[]): string[] {
  if (!schema || typeof schema !== 'object') return out;
  const s = schema as JsonSchema;
  if (s.properties && typeof s.properties === 'object') {
    for (const [name, prop] of Object.entries(s.properties as Record<string, JsonSchema>)) {
      if (typeof prop.description !== 'string' || !prop.description) out.push(`${path}/properties/${name}`);
    }
  }
  for (const [key, value] of Object.entries(s)) {
    if (Array.isArray(value)) value.forEach((v, i) => undescribed(v, `${path}/${key}/${i}`, out));
    else if (typeof value === 'object') undescribed(value, `${path}/${key}`, out);
  }
  return out;
}

describe('flow schema', () => {
  it('the committed schemas/flow.schema.json is current (run `npx tsx scripts/gen-schema.ts`)', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(schemaText());
  });

  it('describes every property, for editor hover docs', () => {
    expect(undescribed(buildFlowSchema(), '#', [])).toEqual([]);
  });

  it('has one definition per step kind, each with its kind key and no other kind', () => {
    expect(Object.keys(stepDefinitions).sort()).toEqual([...STEP_KINDS].sort());
    for (const kind of STEP_KINDS) {
      const def = stepDefinitions[kind];
      expect(def.kind).toBe(kind);
      const props = Object.keys(def.schema.properties as object);
      expect(props).toContain(kind);
      expect(props.filter((p) => (STEP_KINDS as readonly string[]).includes(p))).toEqual([kind]);
      expect(def.schema.additionalProperties).toBe(false);
      expect(def.schema.required).toContain(kind);
    }
  });

  it('registers every kind once, joining its definition and its compiler', () => {
    expect(Object.keys(stepModules).sort()).toEqual([...STEP_KINDS].sort());
    for (const kind of STEP_KINDS) {
      const mod = stepModules[kind];
      expect(mod.kind).toBe(kind);
      expect(mod.schema).toBe(stepDefinitions[kind].schema);
      expect(typeof mod.compile).toBe('function');
    }
  });

  it('lists every kind in the step union for completion', () => {
    const defs = buildFlowSchema().$defs as Record<string, JsonSchema>;
    expect(Object.keys(defs.step!.properties as object).sort()).toEqual([...STEP_KINDS].sort());
    for (const kind of STEP_KINDS) expect(defs[`step-${kind}`]).toBe(stepDefinitions[kind].schema);
  });

  it('is named, by a path that resolves, on the first line of every shipped flow', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const files = [...(await findFlowFiles(join(root, 'flows'))), ...(await findFlowFiles(join(root, 'examples')))];
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) {
      const first = readFileSync(file, 'utf8').split('\n')[0]!;
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(match, file).not.toBeNull();
      expect(resolve(dirname(file), match![1]!), file).toBe(SCHEMA_PATH);
    }
  });
});
