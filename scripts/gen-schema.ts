/**
 * Writes `schemas/flow.schema.json` from the step definitions. Run: `npx tsx scripts/gen-schema.ts`.
 * `test/validate-schema.test.ts` fails when the committed file is not what this script writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildFlowSchema } from '../src/flow/flow-schema.js';

/** The schema file's text, exactly as committed. */
export function schemaText(): string {
  return JSON.stringify(buildFlowSchema(), null, 2) + '\n';
}

/** Where the schema is committed. */
export const SCHEMA_PATH = fileURLToPath(new URL('../schemas/flow.schema.json', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_PATH, schemaText());
  process.stdout.write(`wrote ${SCHEMA_PATH}\n`);
}
