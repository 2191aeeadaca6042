/**
 * The one ajv instance. The schema is built in memory from the step definitions (the committed
 * `schemas/flow.schema.json` is the same object, written by `scripts/gen-schema.ts`).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { buildFlowSchema } from './flow-schema.js';

let validator: ValidateFunction | undefined;

/** The compiled flow validator (compiled once, on first use). */
export function flowValidator(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });
    validator = ajv.compile(buildFlowSchema());
  }
  return validator;
}

/** Runs the schema over a value and returns ajv's raw errors (empty when the shape is right). */
export function schemaErrors(value: unknown): ErrorObject[] {
  const validate = flowValidator();
  return validate(value) ? [] : [...(validate.errors ?? [])];
}
