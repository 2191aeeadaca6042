/** One JSON shape for every error the API returns: `{ error: { code, message, hint? } }`, never an echo of the request. */
import type { Response } from 'express';
import type { Diagnostic } from '../flow/diagnostics.js';

export function sendError(res: Response, status: number, code: string, message: string, hint?: string, diagnostics?: Diagnostic[]): void {
  res.status(status).json({ error: { code, message, ...(hint ? { hint } : {}) }, ...(diagnostics ? { diagnostics } : {}) });
}
