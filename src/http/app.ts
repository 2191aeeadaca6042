/**
 * The admin API and dashboard as an express app. `createApp()` does not listen: `src/server/` does, and tests
 * call it with supertest. Every route is a thin shell over the interfaces in `deps.ts`.
 */
import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import helmet from 'helmet';
import { fileURLToPath } from 'node:url';
import type { AppDeps } from './deps.js';
import { authFailureLimiter, requireToken } from './auth.js';
import { bodySchemas, validBody } from './body-schemas.js';
import { sendError } from './errors.js';
import { didYouMeanText } from '../flow/did-you-mean.js';

/** The dashboard's files, beside `src/` and `dist/` alike. */
export const DEFAULT_STATIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

const FIFTEEN_MINUTES = 15 * 60_000;
const FLOW_NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * Builds the app.
 * @example const app = createApp(deps); app.listen(8080, '127.0.0.1');
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        // Everything the dashboard loads comes from this server: no CDN, no inline script or style.
        directives: { 'script-src': ["'self'"], 'style-src': ["'self'"], 'font-src': ["'self'"], 'connect-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null },
      },
      // The dashboard is often opened over plain http on loopback; HSTS would break that.
      strictTransportSecurity: false,
    }),
  );
  // One debug line per request: method, path, status and time. Never headers, query values or bodies.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => deps.logger.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'http request'));
    next();
  });
  // The dashboard's files and `/health` hold no data and are never limited; see `authFailureLimiter` for the rest.
  app.use(['/ready', '/metrics', '/api'], authFailureLimiter(deps.auth.failureLimit ?? 10, deps.auth.failureWindowMs ?? FIFTEEN_MINUTES, { requireForReads: deps.auth.requireForReads }));
  const guard = requireToken({ token: deps.auth.token, requireForReads: deps.auth.requireForReads, onFailure: () => deps.metrics.authFailures.inc() });

  // Liveness needs no token, even beyond loopback: it tells nothing but "up", and a supervisor's probe must never
  // fail for want of credentials or because its address was locked out.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', guard, async (_req, res) => {
    const components = await deps.readiness.check();
    const ready = Object.values(components).every((c) => c.ok);
    res.status(ready ? 200 : 503).json({ ready, components });
  });
  app.get('/metrics', guard, async (_req, res) => {
    res.set('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });

  // Wrong methods on the probes get JSON like every other answer, with the methods that work.
  app.all(['/health', '/ready', '/metrics'], (_req, res) => methodNotAllowed(res));

  app.use('/api', guard, express.json({ limit: deps.bodyLimit ?? '512kb' }), apiRoutes(deps));
  app.use('/api', (_req, res) => sendError(res, 404, 'not-found', 'No such API route.', 'See the README section on the admin API.'));

  app.use(express.static(deps.staticDir ?? DEFAULT_STATIC_DIR, { dotfiles: 'ignore', index: 'index.html', maxAge: 0 }));
  // What the dashboard's files do not answer: a write to them, or a file that is not there.
  app.use((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res);
    sendError(res, 404, 'not-found', 'There is no such page or file.', 'Open the dashboard at `/`; the API is under `/api`.');
  });

  // Body-parser errors (too large, bad JSON) and anything thrown by a route end here, without echoing input.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = error as { type?: string; status?: number; expose?: boolean };
    if (e.type === 'entity.too.large') return sendError(res, 413, 'body-too-large', `The request body is larger than the limit of \`${deps.bodyLimit ?? '512kb'}\`.`, 'Send a smaller body.');
    if (e.type === 'entity.parse.failed') {
      const kind = jsonKind((error as { body?: unknown }).body);
      if (kind) return sendError(res, 400, 'bad-request-body', `The request body must be a JSON object, not ${kind}.`, 'Send the fields as the API documentation shows, inside `{ … }`.');
      return sendError(res, 400, 'bad-json', 'The request body is not valid JSON.', 'Send `Content-Type: application/json` with a JSON body.');
    }
    // The body parser's other refusals are the client's doing (a charset or compression it cannot read, a body cut
    // short) come as http-errors marked `expose`; they stay 4xx and are not logged as server failures.
    if (e.expose && e.status === 415) return sendError(res, 415, 'body-encoding-unsupported', 'The request body is in a charset or `Content-Encoding` the server does not read.', 'Send UTF-8 JSON, uncompressed or compressed with `gzip` or `deflate`.');
    if (e.expose && e.status !== undefined && e.status >= 400 && e.status < 500) return sendError(res, 400, 'body-unreadable', 'The request body cannot be read: it does not match its `Content-Encoding`, or it ended early.', 'Send the body as the headers describe it, or leave out `Content-Encoding`.');
    deps.logger.error({ err: error instanceof Error ? (process.env.TT_DEBUG ? error.stack : error.message) : String(error), method: req.method, path: req.path }, 'request failed');
    return sendError(res, 500, 'internal-error', 'The server failed to handle the request.', 'See the server log for details.');
  });
  return app;
}

function apiRoutes(deps: AppDeps): Router {
  const r = express.Router();
  // Flow names become file names when published: anything but a flow name is refused before any handler runs.
  r.param('name', (req, res, next, name: string) => (FLOW_NAME.test(name) ? next() : unknownFlow(res, name)));
  const by = (req: Request, body: { by?: string }) => body.by ?? (req.get('authorization') ? 'api' : 'dashboard');

  r.get('/flows', (_req, res) => {
    res.json({ flows: deps.flows.list() });
  });
  r.post('/flows/validate', validBody(bodySchemas.validate), async (req, res) => {
    const body = req.body as { source: string; file?: string };
    res.json(await deps.flows.validate(body.source, body.file ?? 'posted.yaml'));
  });
  r.get('/flows/:name', (req, res) => {
    const flow = deps.flows.get(String(req.params.name));
    if (!flow) return unknownFlow(res, String(req.params.name));
    res.json(flow);
  });
  r.get('/flows/:name/graph', async (req, res) => {
    const name = String(req.params.name);
    const version = typeof req.query.version === 'string' ? req.query.version : undefined;
    const graph = await deps.flows.graph(name, version);
    if (graph) return void res.json(graph);
    if (!deps.flows.get(name)) return unknownFlow(res, name);
    if (version === undefined) return sendError(res, 404, 'flow-not-running', `The flow \`${name}\` has no valid version to draw.`, 'Fix the flow (see its diagnostics) and publish it.');
    sendError(res, 404, 'version-not-found', `The flow \`${name}\` has no version \`${version.slice(0, 40)}\`.`, 'List its versions with `GET /api/flows/<name>`.');
  });
  r.post('/flows/:name/publish', validBody(bodySchemas.publish), async (req, res) => {
    const body = req.body as { source: string; note?: string; by?: string };
    const result = await deps.flows.publish(String(req.params.name), body.source, { by: by(req, body), note: body.note });
    if (!result.ok) return sendError(res, 422, 'flow-invalid', `The flow \`${String(req.params.name)}\` was not published because it does not validate.`, 'Fix the errors in `diagnostics` and publish again.', result.diagnostics);
    res.status(result.unchanged ? 200 : 201).json(result);
  });
  r.post('/flows/:name/rollback', validBody(bodySchemas.rollback), async (req, res) => {
    const body = req.body as { version: string; note?: string; by?: string };
    const result = await deps.flows.rollback(String(req.params.name), body.version, { by: by(req, body), note: body.note });
    if (!result) return sendError(res, 404, 'version-not-found', `The flow \`${String(req.params.name)}\` has no version \`${body.version}\`.`, 'List its versions with `GET /api/flows/<name>`.');
    if (!result.ok) return sendError(res, 422, 'flow-invalid', `Version \`${body.version}\` of \`${String(req.params.name)}\` no longer validates.`, 'Publish a fixed version instead.', result.diagnostics);
    res.status(201).json(result);
  });

  r.post('/flows/:name/canary', validBody(bodySchemas.canary), async (req, res) => {
    const body = req.body as { source: string; percent: number; note?: string; by?: string };
    const result = await deps.flows.startCanary(String(req.params.name), body.source, body.percent, { by: by(req, body), note: body.note });
    if (!result) return sendError(res, 404, 'flow-not-running', `The flow \`${String(req.params.name)}\` has no running version to compare a canary with.`, 'Publish the flow first.');
    if (!result.ok) return sendError(res, 422, 'flow-invalid', `The canary of \`${String(req.params.name)}\` was not started.`, 'Fix the problems in `diagnostics` and try again.', result.diagnostics);
    res.status(201).json({ ...result, percent: body.percent });
  });
  r.post('/flows/:name/canary/promote', validBody(bodySchemas.promote), async (req, res) => {
    const result = await deps.flows.promoteCanary(String(req.params.name), by(req, req.body as { by?: string }));
    if (!result) return sendError(res, 404, 'canary-not-found', `The flow \`${String(req.params.name)}\` has no canary.`, 'Start one with `POST /api/flows/<name>/canary`.');
    res.status(201).json(result);
  });
  r.delete('/flows/:name/canary', (req, res) => {
    if (!deps.flows.stopCanary(String(req.params.name))) return sendError(res, 404, 'canary-not-found', `The flow \`${String(req.params.name)}\` has no canary.`, 'Start one with `POST /api/flows/<name>/canary`.');
    res.status(204).end();
  });

  r.get('/calls/live', (_req, res) => {
    res.json({ calls: deps.calls.live() });
  });
  r.get('/calls/recent', (req, res) => {
    const limit = Math.min(500, Math.max(1, Number(req.query.limit) || 50));
    const flow = typeof req.query.flow === 'string' ? req.query.flow : undefined;
    res.json({ calls: deps.calls.recent({ limit, flow }) });
  });
  r.get('/calls/:id', (req, res) => {
    const trace = deps.calls.trace(String(req.params.id));
    if (trace === undefined) return sendError(res, 404, 'call-not-found', `There is no call \`${String(req.params.id)}\` in the store.`, 'Pick a call id from `GET /api/calls/recent`.');
    res.json(trace);
  });
  r.get('/stats', (req, res) => {
    const flow = typeof req.query.flow === 'string' ? req.query.flow : undefined;
    res.json(deps.calls.stats({ flow }));
  });

  r.get('/hours/overrides', (_req, res) => {
    res.json({ overrides: deps.hours.list() });
  });
  r.post('/hours/overrides', validBody(bodySchemas.hoursOverride), (req, res) => {
    const body = req.body as { hours: string; state: 'open' | 'closed'; reason: string; until?: string; by?: string };
    const known = deps.hours.schedules?.();
    if (known && !known.includes(body.hours)) {
      return sendError(res, 422, 'schedule-not-found', `No running flow defines the schedule \`${body.hours}\`.${didYouMeanText(body.hours, known)}`, known.length ? `Schedules: ${known.map((k) => `\`${k}\``).join(', ')}.` : 'Define it under `hours:` in a flow and publish the flow first.');
    }
    const now = (deps.now ?? Date.now)();
    const until = body.until ? Date.parse(body.until) : undefined;
    // The value is not repeated: errors never echo the body.
    if (until !== undefined && Number.isNaN(until)) return sendError(res, 400, 'bad-request-body', '`until` is not a date and time.', 'Use ISO 8601, for example `2026-12-24T18:00:00+01:00`.');
    if (until !== undefined && until <= now) return sendError(res, 400, 'override-until-past', '`until` is in the past, so the override would never be in force.', 'Give a time in the future, or leave `until` out to keep the override until it is cleared.');
    const override = { hours: body.hours, state: body.state, reason: body.reason, until, setAt: now, setBy: by(req, body) };
    deps.hours.set(override);
    res.status(201).json({ override });
  });
  r.delete('/hours/overrides/:hours', (req, res) => {
    if (!deps.hours.clear(String(req.params.hours))) return sendError(res, 404, 'override-not-found', `There is no override for \`${String(req.params.hours)}\`.`, 'List overrides with `GET /api/hours/overrides`.');
    res.status(204).end();
  });

  r.get('/recordings', (req, res) => {
    const purpose = req.query.purpose === 'voicemail' || req.query.purpose === 'callback' ? req.query.purpose : undefined;
    res.json({ recordings: deps.recordings.list(purpose) });
  });

  r.post('/phone/calls', validBody(bodySchemas.phoneStart), async (req, res) => {
    const body = req.body as { flow: string; caller?: string; dialled?: string };
    if (!deps.flows.get(body.flow)?.version) return sendError(res, 404, 'flow-not-running', `The flow \`${body.flow}\` has no valid version to call.`, 'Fix the flow (see its diagnostics) or pick another one.');
    try {
      res.status(201).json(await deps.phone.start(body.flow, { caller: body.caller, dialled: body.dialled }));
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'too-many-calls') return sendError(res, 429, 'too-many-calls', 'Too many browser-phone calls are in progress.', 'Hang up some calls and try again.');
      if (code !== 'shutting-down') throw error;
      sendError(res, 503, 'shutting-down', 'The server is shutting down and takes no new calls.', 'Call again when it is back.');
    }
  });
  r.get('/phone/calls/:id', (req, res) => {
    const state = deps.phone.get(String(req.params.id), Number(req.query.since) || 0);
    if (!state) return sendError(res, 404, 'call-not-found', `There is no browser-phone call \`${String(req.params.id)}\`.`, 'Start one with `POST /api/phone/calls`.');
    res.json(state);
  });
  r.post('/phone/calls/:id/keys', validBody(bodySchemas.phoneKeys), (req, res) => {
    if (!deps.phone.press(String(req.params.id), (req.body as { digits: string }).digits)) return sendError(res, 404, 'call-not-found', `There is no live browser-phone call \`${String(req.params.id)}\`.`, 'Start a new call.');
    res.status(202).json({ ok: true });
  });
  r.post('/phone/calls/:id/hangup', (req, res) => {
    if (!deps.phone.hangup(String(req.params.id))) return sendError(res, 404, 'call-not-found', `There is no live browser-phone call \`${String(req.params.id)}\`.`, 'Start a new call.');
    res.status(202).json({ ok: true });
  });
  return r;
}

/** The kind of a JSON value the parser refused because it is no object or list (`null`, a string …), if it is one. */
function jsonKind(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return value === null ? '`null`' : typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : undefined;
  } catch {
    return undefined;
  }
}

function methodNotAllowed(res: Response): void {
  res.set('Allow', 'GET, HEAD');
  sendError(res, 405, 'method-not-allowed', 'This address can only be read, with GET.', 'Use GET; the routes that change something are under `/api`.');
}

function unknownFlow(res: Response, name: string): void {
  sendError(res, 404, 'flow-not-found', `There is no flow \`${name}\`.`, 'List flows with `GET /api/flows`.');
}
