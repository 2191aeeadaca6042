/**
 * JSON Schemas of the API's request bodies, checked with the same ajv (2020-12) as flows. A body that fails is a
 * 400 with one diagnostic per problem, pointing into the body.
 */
import type { RequestHandler } from 'express';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Diagnostic } from '../flow/diagnostics.js';
import { sendError } from './errors.js';

const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true });

const FLOW_NAME = '^[a-z0-9]+(-[a-z0-9]+)*$';
const note = { type: 'string', maxLength: 500 };

export const bodySchemas = {
  validate: { type: 'object', additionalProperties: false, required: ['source'], properties: { source: { type: 'string', maxLength: 400_000 }, file: { type: 'string', maxLength: 200 } } },
  publish: { type: 'object', additionalProperties: false, required: ['source'], properties: { source: { type: 'string', minLength: 1, maxLength: 400_000 }, note, by: { type: 'string', maxLength: 100 } } },
  canary: {
    type: 'object',
    additionalProperties: false,
    required: ['source', 'percent'],
    properties: { source: { type: 'string', minLength: 1, maxLength: 400_000 }, percent: { type: 'integer', minimum: 1, maximum: 99 }, note, by: { type: 'string', maxLength: 100 } },
  },
  promote: { type: 'object', additionalProperties: false, properties: { by: { type: 'string', maxLength: 100 } } },
  rollback: { type: 'object', additionalProperties: false, required: ['version'], properties: { version: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' }, note, by: { type: 'string', maxLength: 100 } } },
  hoursOverride: {
    type: 'object',
    additionalProperties: false,
    required: ['hours', 'state', 'reason'],
    properties: {
      hours: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]*$', maxLength: 64 },
      state: { enum: ['open', 'closed'] },
      reason: { type: 'string', minLength: 1, maxLength: 200 },
      until: { type: 'string', maxLength: 40, pattern: '^\\d{4}-\\d\\d-\\d\\dT' },
      by: { type: 'string', maxLength: 100 },
    },
  },
  phoneStart: {
    type: 'object',
    additionalProperties: false,
    required: ['flow'],
    properties: { flow: { type: 'string', pattern: FLOW_NAME, maxLength: 64 }, caller: { type: 'string', pattern: '^[0-9+*#]{0,20}$' }, dialled: { type: 'string', pattern: '^[0-9+*#]{0,20}$' } },
  },
  phoneKeys: { type: 'object', additionalProperties: false, required: ['digits'], properties: { digits: { type: 'string', pattern: '^[0-9*#A-D]{1,32}$' } } },
} as const;

/**
 * Middleware that checks `req.body` against a schema.
 * @example router.post('/flows/validate', validBody(bodySchemas.validate), handler)
 */
export function validBody(schema: object): RequestHandler {
  const validate = ajv.compile(schema);
  return (req, res, next) => {
    if (validate(req.body)) return next();
    const diagnostics: Diagnostic[] = (validate.errors ?? []).map((e) => {
      const at = e.instancePath || '';
      const field = at ? `\`${at.slice(1).replace(/\//g, '.')}\`` : 'The body';
      if (e.keyword === 'additionalProperties') {
        // The unknown name is not echoed: a client may have put a secret there by mistake.
        const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
        return { code: 'bad-request-body', severity: 'error', pointer: at, message: `${field} has a property that is not allowed; allowed: ${allowed.map((k) => `\`${k}\``).join(', ')}.` };
      }
      return { code: 'bad-request-body', severity: 'error', pointer: at, message: `${field} ${e.message ?? 'is not valid'}.` };
    });
    sendError(res, 400, 'bad-request-body', 'The request body does not have the expected shape.', 'Send JSON as the API documentation shows; see `diagnostics`.', diagnostics);
  };
}
