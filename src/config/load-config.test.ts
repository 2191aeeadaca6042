import { describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { SETTINGS } from './schema.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callbackSettings, loadConfig, redactConfig } from './load-config.js';
import { formatDiagnostics } from '../flow/format.js';
import { sourceFromText } from '../flow/source.js';

function dirWith(yaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tt-config-'));
  if (yaml !== undefined) writeFileSync(join(dir, 'touchtone.yaml'), yaml);
  return dir;
}

describe('loadConfig', () => {
  it('gives working defaults with no file and no environment', () => {
    const dir = dirWith();
    const { config, diagnostics } = loadConfig({ cwd: dir, env: {} });
    expect(diagnostics).toEqual([]);
    expect(config).toMatchObject({ flowsDir: join(dir, 'flows'), http: { host: '127.0.0.1', port: 8080 }, store: { path: join(dir, '.touchtone/touchtone.db'), retentionDays: 30 }, ari: { app: 'touchtone' }, log: { level: 'info' } });
    expect(config!.ari.url).toBeUndefined();
    expect(config!.http.token).toBeUndefined();
  });

  it('reads the file and lets the environment override it', () => {
    const dir = dirWith('flowsDir: my-flows\nhttp: { port: 9000 }\nari: { routes: { "100": acme-hotline } }\n');
    const { config, fromEnv } = loadConfig({ cwd: dir, env: { TOUCHTONE_HTTP_PORT: '9100', TOUCHTONE_ARI_URL: 'http://127.0.0.1:8088', TOUCHTONE_ARI_PASSWORD: 'pw' } });
    expect(config!.flowsDir).toBe(join(dir, 'my-flows'));
    expect(config!.http.port).toBe(9100);
    expect(config!.ari).toMatchObject({ url: 'http://127.0.0.1:8088', password: 'pw', routes: { '100': 'acme-hotline' } });
    expect(fromEnv).toEqual(['TOUCHTONE_HTTP_PORT', 'TOUCHTONE_ARI_URL', 'TOUCHTONE_ARI_PASSWORD']);
  });

  it('resolves paths in the file against the file, and paths in variables against the working folder', () => {
    const dir = dirWith();
    const cwd = mkdtempSync(join(tmpdir(), 'tt-cwd-'));
    writeFileSync(join(dir, 'prod.yaml'), 'flowsDir: my-flows\nstore: { path: data/tt.db }\n');
    const { config } = loadConfig({ cwd, file: join(dir, 'prod.yaml'), env: { TOUCHTONE_STORE_PATH: 'here.db' } });
    expect(config!.flowsDir).toBe(join(dir, 'my-flows'));
    expect(config!.store.path).toBe(join(cwd, 'here.db'));
  });

  it('reports an unknown setting at its line and column, with the known ones', () => {
    const dir = dirWith('http:\n  prot: 80\n');
    const { config, diagnostics, file, source } = loadConfig({ cwd: dir, env: {} });
    expect(config).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'config-unknown-setting', message: '`prot` is not a setting of `http`.', range: { start: { line: 2, col: 3 } } });
    const text = formatDiagnostics(diagnostics, [sourceFromText(file!, source!)], { displayPath: () => 'touchtone.yaml' });
    expect(text).toContain('touchtone.yaml:2:3: error config-unknown-setting: `prot` is not a setting of `http`.');
    expect(text).toContain('> 2 |   prot: 80\n    |   ^^^^');
    expect(text).toContain('hint: Known settings here: `host`, `port`, `token`, `bodyLimit`.');
  });

  it('reports a wrong type in the file and a bad variable by name', () => {
    const bad = loadConfig({ cwd: dirWith('store: { retentionDays: soon }\n'), env: {} });
    expect(bad.diagnostics[0]).toMatchObject({ code: 'config-bad-type', message: '`store.retentionDays` must be an integer.', range: { start: { line: 1, col: 25 } } });
    const env = loadConfig({ cwd: dirWith(), env: { TOUCHTONE_HTTP_PORT: 'eighty' } });
    expect(env.diagnostics[0]).toMatchObject({ code: 'config-bad-env', message: 'The variable `TOUCHTONE_HTTP_PORT` must be a whole number, not `eighty`.' });
    const level = loadConfig({ cwd: dirWith(), env: { TOUCHTONE_LOG_LEVEL: 'loud' } });
    expect(level.diagnostics[0]!.message).toBe('`log.level` must be one of `trace`, `debug`, `info`, `warn`, `error`, `fatal`, `silent` (from `TOUCHTONE_LOG_LEVEL`).');
  });

  it('reports YAML syntax errors with a position', () => {
    const { diagnostics } = loadConfig({ cwd: dirWith('http: { port: 80\n'), env: {} });
    expect(diagnostics[0]!.code).toBe('config-yaml-syntax');
    expect(diagnostics[0]!.range?.start.line).toBeGreaterThanOrEqual(1);
  });

  it('refuses to listen beyond loopback without a token, and never prints a secret', () => {
    const open = loadConfig({ cwd: dirWith('http: { host: 0.0.0.0 }\n'), env: {} });
    expect(open.config).toBeUndefined();
    expect(open.diagnostics[0]).toMatchObject({ code: 'config-token-required', range: { start: { line: 1, col: 15 } } });
    const short = loadConfig({ cwd: dirWith(), env: { TOUCHTONE_TOKEN: 'abc' } });
    expect(short.diagnostics[0]!.message).toBe('`http.token` must be at least 16 characters long (from `TOUCHTONE_TOKEN`).');
    expect(JSON.stringify(short.diagnostics)).not.toContain('abc');
    const secret = 'a-very-secret-token-123';
    const ok = loadConfig({ cwd: dirWith(), env: { TOUCHTONE_TOKEN: secret, TOUCHTONE_HTTP_HOST: '0.0.0.0', TOUCHTONE_AMI_SECRET: 'amisecret', TOUCHTONE_ARI_PASSWORD: 'aripass' } });
    expect(ok.config!.http.token).toBe(secret);
    const shown = JSON.stringify(redactConfig(ok.config!));
    for (const s of [secret, 'amisecret', 'aripass']) expect(shown).not.toContain(s);
    expect(shown).toContain('"token":"****"');
  });

  it('refuses ARI settings the adapter cannot use, naming the variable or the line', () => {
    const withPw = (env: Record<string, string>) => loadConfig({ cwd: dirWith(), env: { TOUCHTONE_ARI_PASSWORD: 'pw', ...env } });
    const ws = withPw({ TOUCHTONE_ARI_URL: 'ws://127.0.0.1:18088' });
    expect(ws.config).toBeUndefined();
    expect(ws.diagnostics).toEqual([expect.objectContaining({ code: 'config-bad-value', message: '`ari.url` must start with `http://` or `https://`, not `ws://` (from `TOUCHTONE_ARI_URL`).', hint: expect.stringContaining('http://127.0.0.1:8088') })]);
    const creds = withPw({ TOUCHTONE_ARI_URL: 'http://touchtone:secretpw@127.0.0.1:18088' });
    expect(creds.diagnostics[0]).toMatchObject({ code: 'config-bad-value', message: '`ari.url` carries a user or password (from `TOUCHTONE_ARI_URL`).' });
    expect(JSON.stringify(creds.diagnostics)).not.toContain('secretpw');
    expect(withPw({ TOUCHTONE_ARI_URL: 'http://' }).diagnostics[0]).toMatchObject({ code: 'config-bad-value', message: '`ari.url` `http://` is not a URL with a host (from `TOUCHTONE_ARI_URL`).' });
    expect(withPw({ TOUCHTONE_ARI_URL: 'http://127.0.0.1:8088', TOUCHTONE_ARI_APP: 'a'.repeat(70) }).diagnostics[0]).toMatchObject({ code: 'config-bad-value', message: '`ari.app` must be at most 64 characters long (from `TOUCHTONE_ARI_APP`).' });
    const file = loadConfig({ cwd: dirWith('ari:\n  url: ws://127.0.0.1:8088\n  password: pw\n'), env: {} });
    expect(file.diagnostics[0]).toMatchObject({ code: 'config-bad-value', message: '`ari.url` must start with `http://` or `https://`, not `ws://`.', range: { start: { line: 2, col: 8 } } });
    const noPassword = loadConfig({ cwd: dirWith(), env: { TOUCHTONE_ARI_URL: 'http://127.0.0.1:8088' } });
    expect(noPassword.config).toBeUndefined();
    expect(noPassword.diagnostics[0]).toMatchObject({ code: 'config-ari-password-missing', hint: expect.stringContaining('TOUCHTONE_ARI_PASSWORD') });
  });

  it('refuses a token with a space, which no Authorization header could carry', () => {
    const { config, diagnostics } = loadConfig({ cwd: dirWith(), env: { TOUCHTONE_TOKEN: 'correct horse battery staple' } });
    expect(config).toBeUndefined();
    expect(diagnostics[0]).toMatchObject({ code: 'config-bad-value', message: '`http.token` must not contain spaces (from `TOUCHTONE_TOKEN`).' });
    expect(JSON.stringify(diagnostics)).not.toContain('horse');
  });

  it('reports a config path that is a folder or cannot be read, in one sentence', () => {
    const dir = dirWith();
    mkdirSync(join(dir, 'somedir'));
    expect(loadConfig({ cwd: dir, file: 'somedir', env: {} }).diagnostics).toEqual([
      { code: 'config-unreadable', severity: 'error', message: 'The configuration file `somedir` is a folder, not a file.', hint: 'Give `--config` the path of a YAML file, such as `touchtone.yaml`.' },
    ]);
    const locked = dirWith('http: { port: 9000 }\n');
    chmodSync(join(locked, 'touchtone.yaml'), 0o000);
    const denied = loadConfig({ cwd: locked, env: {} });
    // Root reads any file; the check matters for the service user only.
    if (process.getuid?.() !== 0) expect(denied.diagnostics[0]).toMatchObject({ code: 'config-unreadable', message: 'The configuration file `touchtone.yaml` may not be read by this user.' });
  });

  it('fails when an explicit --config file is missing', () => {
    const { diagnostics } = loadConfig({ cwd: dirWith(), file: 'nope.yaml', env: {} });
    expect(diagnostics[0]).toMatchObject({ code: 'config-not-found', message: 'The configuration file `nope.yaml` does not exist.' });
  });
});

describe('touchtone.example.yaml', () => {
  it('is a valid configuration that names every setting', () => {
    const { config, diagnostics } = loadConfig({ cwd: process.cwd(), file: 'touchtone.example.yaml', env: {} });
    expect(diagnostics).toEqual([]);
    expect(config!.ari.routes).toEqual({ '100': 'acme-hotline' });
    const text = readFileSync('touchtone.example.yaml', 'utf8');
    for (const s of SETTINGS) expect(text, s.path).toContain(`${s.path.split('.').pop()}:`);
  });
});

describe('callbacks settings', () => {
  it('are off by default; on, they need an endpoint, and the variables read a flag and a list', () => {
    const off = loadConfig({ cwd: dirWith(), env: {} });
    expect(callbackSettings(off.config!)).toBeUndefined();
    const missing = loadConfig({ cwd: dirWith('callbacks: { enabled: true }\n'), env: {} });
    expect(missing.config).toBeUndefined();
    expect(missing.diagnostics[0]).toMatchObject({ code: 'config-bad-callbacks', pointer: '/callbacks/endpoint', range: { start: { line: 1 } } });
    const on = loadConfig({
      cwd: dirWith('callbacks: { retries: 4 }\n'),
      env: { TOUCHTONE_CALLBACKS_ENABLED: 'true', TOUCHTONE_CALLBACK_ENDPOINT: 'PJSIP/{number}@trunk', TOUCHTONE_CALLBACK_ALLOW: '+49X., 0[1-9]XXXXXX.' },
    });
    expect(on.diagnostics).toEqual([]);
    expect(callbackSettings(on.config!)).toMatchObject({ ok: true, config: { endpoint: 'PJSIP/{number}@trunk', allow: ['+49X.', '0[1-9]XXXXXX.'], maxAttempts: 5, flow: 'callback' } });
    const badFlag = loadConfig({ cwd: dirWith(), env: { TOUCHTONE_CALLBACKS_ENABLED: 'maybe' } });
    expect(badFlag.diagnostics[0]).toMatchObject({ code: 'config-bad-env' });
  });
});
