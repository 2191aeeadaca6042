/** One JSON shape for every error the API returns: `{ error: { code, message, hint? } }`, never an echo of the request. */
import type { Response } from 'express';
import type { Diagnostic } from '../flow/diagnostics.js';

/**
 * Sends an error response.
 * @example sendError(res, 404, 'flow-not-found', 'There is no flow `x`.', 'List flows with `GET /api/flows`.');
 */
export function sendError(res: Response, status: number, code: string, message: string, hint?: string, diagnostics?: Diagnostic[]): void {
  res.status(status).json({ error: { code, message, ...(hint ? { hint } : {}) }, ...(diagnostics ? { diagnostics } : {}) });
}
