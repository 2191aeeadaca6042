import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { fakeDeps, TOKEN } from './fake-deps.js';
import { createMemoryOverrides } from '../../src/data/hours-overrides.js';

const auth = { Authorization: `Bearer ${TOKEN}` };

describe('liveness, readiness and metrics', () => {
  it('answers /health', async () => {
    const res = await request(createApp(fakeDeps())).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('reports readiness per component, and 503 when one is down', async () => {
    const deps = fakeDeps({ readiness: { check: async () => ({ flows: { ok: true, state: 'ok' }, ari: { ok: false, state: 'disconnected', detail: 'no answer in 2000 ms' } }) } });
    const res = await request(createApp(deps)).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body.ready).toBe(false);
    expect(res.body.components.ari.state).toBe('disconnected');
    const ok = await request(createApp(fakeDeps())).get('/ready');
    expect(ok.status).toBe(200);
    expect(ok.body.ready).toBe(true);
  });

  it('exports Prometheus metrics', async () => {
    const deps = fakeDeps();
    deps.metrics.callsTotal.inc({ flow: 'demo', outcome: 'completed' });
    const res = await request(createApp(deps)).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('touchtone_calls_total{flow="demo",outcome="completed"} 1');
    for (const name of ['touchtone_live_calls', 'touchtone_step_duration_seconds', 'touchtone_key_to_command_seconds', 'touchtone_lookup_errors_total', 'touchtone_store_backlog', 'touchtone_ari_reconnects_total']) {
      expect(res.text).toContain(`# TYPE ${name}`);
    }
  });
});

describe('security', () => {
  it('sets helmet headers', async () => {
    const res = await request(createApp(fakeDeps())).get('/health');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['content-security-policy']).toContain("style-src 'self';");
    expect(res.headers['content-security-policy']).not.toContain('https:');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('lets reads through on loopback but needs the token for every mutating route', async () => {
    const app = createApp(fakeDeps({ auth: { token: TOKEN, requireForReads: false, failureLimit: 100 } }));
    expect((await request(app).get('/api/flows')).status).toBe(200);
    const mutating: [string, string, object][] = [
      ['post', '/api/flows/validate', { source: 'flow: x' }],
      ['post', '/api/flows/demo/publish', { source: 'flow: demo' }],
      ['post', '/api/flows/demo/rollback', { version: '1' }],
      ['post', '/api/flows/demo/canary', { source: 'flow: demo', percent: 10 }],
      ['post', '/api/flows/demo/canary/promote', {}],
      ['delete', '/api/flows/demo/canary', {}],
      ['post', '/api/hours/overrides', { hours: 'office', state: 'closed', reason: 'storm' }],
      ['delete', '/api/hours/overrides/office', {}],
      ['post', '/api/phone/calls', { flow: 'demo' }],
      ['post', '/api/phone/calls/p1/keys', { digits: '1' }],
      ['post', '/api/phone/calls/p1/hangup', {}],
    ];
    for (const [method, path, body] of mutating) {
      const call = (request(app) as unknown as Record<string, (p: string) => request.Test>)[method]!(path);
      const res = await call.send(body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error.code).toBe('auth-required');
    }
    const wrong = await request(app).post('/api/flows/validate').set('Authorization', 'Bearer nope').send({ source: 'x' });
    expect(wrong.status).toBe(401);
    const right = await request(app).post('/api/flows/validate').set(auth).send({ source: 'flow: x' });
    expect(right.status).toBe(200);
  });

  it('needs the token for every route when bound beyond loopback', async () => {
    const app = createApp(fakeDeps({ auth: { token: TOKEN, requireForReads: true } }));
    for (const path of ['/ready', '/metrics', '/api/flows', '/api/calls/live', '/api/stats']) {
      expect((await request(app).get(path)).status, path).toBe(401);
      expect((await request(app).get(path).set(auth)).status, path).toBe(200);
    }
    // Liveness tells nothing but "up": a supervisor's probe needs no credentials.
    expect((await request(app).get('/health')).body).toEqual({ status: 'ok' });
  });

  it('refuses mutations when no token is configured', async () => {
    const res = await request(createApp(fakeDeps({ auth: { requireForReads: false } }))).post('/api/flows/validate').send({ source: 'x' });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth-not-configured');
  });

  it('rate-limits a client after repeated auth failures, even with the right token then', async () => {
    const deps = fakeDeps({ auth: { token: TOKEN, requireForReads: false, failureLimit: 3, failureWindowMs: 60_000 } });
    const app = createApp(deps);
    // Successful requests do not count toward the limit.
    for (let i = 0; i < 5; i++) expect((await request(app).post('/api/flows/validate').set(auth).send({ source: 'x' })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await request(app).post('/api/flows/validate').set('Authorization', `Bearer wrong-${i}`).send({ source: 'x' })).status).toBe(401);
    const limited = await request(app).post('/api/flows/validate').set(auth).send({ source: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('auth-rate-limited');
    expect(await deps.metrics.registry.getSingleMetricAsString('touchtone_http_auth_failures_total')).toContain('touchtone_http_auth_failures_total 3');
    // Never limited: the probes, the dashboard's files, and requests without credentials (they guess nothing).
    for (const path of ['/health', '/ready', '/metrics', '/api/flows']) expect((await request(app).get(path)).status, path).toBe(200);
    for (const path of ['/health', '/ready', '/metrics']) expect((await request(app).get(path).set(auth)).status, path).toBe(200);
    expect((await request(app).get('/')).status).toBe(200);
    expect((await request(app).post('/api/flows/validate').send({ source: 'x' })).body.error.code).toBe('auth-required');
  });

  it('beyond loopback, a locked-out client gets 401 from /ready and /metrics without its token being checked; /health still answers', async () => {
    const app = createApp(fakeDeps({ auth: { token: TOKEN, requireForReads: true, failureLimit: 2, failureWindowMs: 60_000 } }));
    for (let i = 0; i < 2; i++) expect((await request(app).get('/ready').set('Authorization', `Bearer wrong-${i}`)).status).toBe(401);
    for (const headers of [auth, { Authorization: 'Bearer wrong-3' }]) {
      const res = await request(app).get('/ready').set(headers);
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({ code: 'auth-required', message: 'The request to `GET /ready` has no valid bearer token.' });
    }
    expect((await request(app).get('/health').set(auth)).status).toBe(200);
    expect((await request(app).get('/api/flows').set(auth)).status).toBe(429);
  });

  it('answers a wrong method on the probes and the dashboard with JSON 405 and Allow, and a missing file with JSON 404', async () => {
    const app = createApp(fakeDeps());
    for (const [method, path] of [['post', '/health'], ['delete', '/ready'], ['put', '/metrics'], ['post', '/'], ['post', '/app.js']] as const) {
      const res = await request(app)[method](path).set(auth);
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
      expect(res.body.error).toMatchObject({ code: 'method-not-allowed', message: 'This address can only be read, with GET.' });
    }
    const missing = await request(app).get('/no-such-file.js');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not-found');
  });

  it('says a JSON body must be an object when it is null, a string or a number', async () => {
    const app = createApp(fakeDeps());
    for (const [body, kind] of [['null', '`null`'], ['"just a string"', 'a string'], ['42', 'a number']]) {
      const res = await request(app).post('/api/flows/validate').set(auth).set('Content-Type', 'application/json').send(body);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'bad-request-body', message: `The request body must be a JSON object, not ${kind}.` });
      expect(res.text).not.toContain('just a string');
    }
    const broken = await request(app).post('/api/flows/validate').set(auth).set('Content-Type', 'application/json').send('{"source":');
    expect(broken.body.error.code).toBe('bad-json');
  });

  it('validates request bodies and limits their size', async () => {
    const app = createApp(fakeDeps({ bodyLimit: '1kb' }));
    const bad = await request(app).post('/api/phone/calls/p1/keys').set(auth).send({ digits: '1; rm -rf /' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad-request-body');
    expect(bad.body.diagnostics[0].pointer).toBe('/digits');
    const extra = await request(app).post('/api/flows/demo/rollback').set(auth).send({ version: '1', admin: true });
    expect(extra.status).toBe(400);
    expect(extra.body.diagnostics[0].message).toBe('The body has a property that is not allowed; allowed: `version`, `note`, `by`.');
    const big = await request(app).post('/api/flows/validate').set(auth).send({ source: 'x'.repeat(4000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('body-too-large');
    const notJson = await request(app).post('/api/flows/validate').set(auth).set('Content-Type', 'application/json').send('{"source":');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('bad-json');
  });

  it('never puts the token in a response or a log line', async () => {
    const deps = fakeDeps({ readiness: { check: async () => { throw new Error('boom'); } } });
    const app = createApp(deps);
    const responses = [
      await request(app).get('/ready').set(auth),
      await request(app).post('/api/flows/validate').set('Authorization', `Bearer ${TOKEN}x`).send({ source: TOKEN }),
      await request(app).post('/api/flows/validate').set(auth).send({ source: 'x', [TOKEN]: 1 }),
      await request(app).get('/api/flows').set(auth),
    ];
    expect(responses[0]!.status).toBe(500);
    for (const res of responses) expect(JSON.stringify(res.headers) + res.text).not.toContain(TOKEN);
    expect(JSON.stringify(deps.logged)).not.toContain(TOKEN);
    expect(deps.logged.some((l) => l.level === 'error')).toBe(true);
    expect(deps.logged.filter((l) => l.msg === 'http request').map((l) => (l.obj as { status: number }).status)).toEqual([500, 401, 400, 200]);
  });
});

describe('flows', () => {
  it('lists, reads and graphs flows, with 404s for unknown names', async () => {
    const app = createApp(fakeDeps());
    expect((await request(app).get('/api/flows')).body.flows[0].name).toBe('demo');
    expect((await request(app).get('/api/flows/demo')).body.source).toContain('flow: demo');
    expect((await request(app).get('/api/flows/demo/graph')).body.start).toBe('main');
    const noVersion = await request(app).get('/api/flows/demo/graph?version=999');
    expect(noVersion.status).toBe(404);
    expect(noVersion.body.error).toMatchObject({ code: 'version-not-found', message: 'The flow `demo` has no version `999`.' });
    expect((await request(app).get('/api/flows/nope/graph')).body.error.message).toBe('There is no flow `nope`.');
    const traversal = await request(createApp(fakeDeps())).post('/api/flows/..%2F..%2Fetc%2Fx/publish').set(auth).send({ source: 'flow: x' });
    expect(traversal.status).toBe(404);
    expect(traversal.body.error.code).toBe('flow-not-found');
    const missing = await request(app).get('/api/flows/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('There is no flow `nope`.');
  });

  it('validates a posted flow and returns diagnostics as JSON', async () => {
    const res = await request(createApp(fakeDeps())).post('/api/flows/validate').set(auth).send({ source: 'bad' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: false, diagnostics: [{ code: 'unknown-step', severity: 'error', message: 'Step `x` does not exist.' }] });
  });

  it('publishes with author and note, and refuses an invalid flow with 422', async () => {
    const deps = fakeDeps();
    const app = createApp(deps);
    const ok = await request(app).post('/api/flows/demo/publish').set(auth).send({ source: 'flow: demo', note: 'louder', by: 'ana' });
    expect(ok.status).toBe(201);
    expect(deps.published).toEqual(['demo:ana:louder']);
    const bad = await request(app).post('/api/flows/demo/publish').set(auth).send({ source: 'bad' });
    expect(bad.status).toBe(422);
    expect(bad.body.diagnostics[0].code).toBe('unknown-step');
  });

  it('rolls back to a known version and 404s on an unknown one', async () => {
    const app = createApp(fakeDeps());
    expect((await request(app).post('/api/flows/demo/rollback').set(auth).send({ version: '1' })).status).toBe(201);
    const res = await request(app).post('/api/flows/demo/rollback').set(auth).send({ version: '9' });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('version-not-found');
  });
});

describe('calls, hours and the phone', () => {
  it('serves live and recent calls, traces and stats', async () => {
    const app = createApp(fakeDeps());
    expect((await request(app).get('/api/calls/live')).body).toEqual({ calls: [] });
    expect((await request(app).get('/api/calls/recent?limit=5')).body).toEqual({ calls: [] });
    expect((await request(app).get('/api/calls/c1')).body.id).toBe('c1');
    expect((await request(app).get('/api/calls/c2')).status).toBe(404);
    expect((await request(app).get('/api/stats?flow=demo')).body).toEqual({ flows: [] });
  });

  it('sets, lists and clears hours overrides', async () => {
    const app = createApp(fakeDeps({ now: () => 1000 }));
    const set = await request(app).post('/api/hours/overrides').set(auth).send({ hours: 'office', state: 'closed', reason: 'storm', until: '2026-12-24T18:00:00+01:00' });
    expect(set.status).toBe(201);
    expect(set.body.override).toMatchObject({ hours: 'office', state: 'closed', until: Date.parse('2026-12-24T18:00:00+01:00'), setAt: 1000 });
    expect((await request(app).get('/api/hours/overrides')).body.overrides).toHaveLength(1);
    expect((await request(app).delete('/api/hours/overrides/office').set(auth)).status).toBe(204);
    expect((await request(app).delete('/api/hours/overrides/office').set(auth)).status).toBe(404);
  });

  it('refuses an override of a schedule no flow defines, an `until` in the past, and a bad `until` without echoing it', async () => {
    const hours = Object.assign(createMemoryOverrides(), { schedules: () => ['office', 'support'] });
    const app = createApp(fakeDeps({ now: () => Date.parse('2026-12-01T10:00:00Z'), hours }));
    const post = (body: object) => request(app).post('/api/hours/overrides').set(auth).send({ state: 'closed', reason: 'storm', ...body });
    const typo = await post({ hours: 'ofice' });
    expect(typo.status).toBe(422); // the route exists; the body names what does not
    expect(typo.body.error).toMatchObject({ code: 'schedule-not-found', message: 'No running flow defines the schedule `ofice`. Did you mean `office`?', hint: 'Schedules: `office`, `support`.' });
    const past = await post({ hours: 'office', until: '2026-11-30T10:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.code).toBe('override-until-past');
    const bad = await post({ hours: 'office', until: '2026-13-45T99:00' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'bad-request-body', message: '`until` is not a date and time.' });
    expect(bad.text).not.toContain('2026-13-45');
    expect(hours.list()).toEqual([]);
    expect((await post({ hours: 'office', until: '2026-12-02T10:00:00Z' })).status).toBe(201);
  });

  it('drives the browser phone', async () => {
    const app = createApp(fakeDeps());
    expect((await request(app).post('/api/phone/calls').set(auth).send({ flow: 'demo' })).body.id).toBe('p1');
    expect((await request(app).post('/api/phone/calls').set(auth).send({ flow: 'nope' })).status).toBe(404);
    expect((await request(app).post('/api/phone/calls/p1/keys').set(auth).send({ digits: '12#' })).status).toBe(202);
    expect((await request(app).get('/api/phone/calls/p1?since=0')).body.step).toBe('main');
    expect((await request(app).post('/api/phone/calls/p9/hangup').set(auth)).status).toBe(404);
  });
});

describe('canary', () => {
  it('starts, promotes and stops a canary, with validated bodies', async () => {
    const app = createApp(fakeDeps());
    const started = await request(app).post('/api/flows/demo/canary').set(auth).send({ source: 'flow: demo', percent: 10, note: 'try' });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ ok: true, percent: 10, version: { version: '2', current: false } });
    expect((await request(app).post('/api/flows/demo/canary').set(auth).send({ source: 'flow: demo', percent: 100 })).status).toBe(400);
    expect((await request(app).post('/api/flows/demo/canary').set(auth).send({ source: 'bad', percent: 5 })).status).toBe(422);
    expect((await request(app).post('/api/flows/nope/canary').set(auth).send({ source: 'x', percent: 5 })).status).toBe(404);
    expect((await request(app).post('/api/flows/demo/canary/promote').set(auth).send({})).body.version.current).toBe(true);
    expect((await request(app).post('/api/flows/nope/canary/promote').set(auth).send({})).status).toBe(404);
    expect((await request(app).delete('/api/flows/demo/canary').set(auth)).status).toBe(204);
    expect((await request(app).delete('/api/flows/nope/canary').set(auth)).status).toBe(404);
  });
});

describe('dashboard files', () => {
  it('serves the dashboard from the same app, with no third-party source', async () => {
    const app = createApp(fakeDeps({ auth: { token: TOKEN, requireForReads: true } }));
    const page = await request(app).get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.text).toContain('<script type="module" src="app.js"></script>');
    for (const file of ['/app.js', '/api.js', '/diagram.js', '/app.css']) {
      const res = await request(app).get(file);
      expect(res.status, file).toBe(200);
      expect(res.text, file).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    }
    // The shell holds no data; the API behind it still needs the token.
    expect((await request(app).get('/api/flows')).status).toBe(401);
    expect((await request(app).get('/../package.json')).status).toBe(404);
  });
});
