/** Small in-memory stand-ins for the app's dependencies, so routes are tested without an engine or a store. */
import type { AppDeps, FlowDetail, PhoneCallState } from '../../src/http/deps.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createMemoryOverrides } from '../../src/data/hours-overrides.js';
import type { Logger } from '../../src/runtime/services.js';

export const TOKEN = 'test-token-0123456789abcdef';

export interface LoggedLine {
  level: string;
  obj: object;
  msg?: string;
}

export function fakeDeps(overrides: Partial<AppDeps> = {}): AppDeps & { logged: LoggedLine[]; published: string[] } {
  const logged: LoggedLine[] = [];
  const logger: Logger = {
    debug: (obj, msg) => logged.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => logged.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logged.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => logged.push({ level: 'error', obj, msg }),
  };
  const published: string[] = [];
  const detail: FlowDetail = { name: 'demo', file: 'flows/demo.yaml', state: 'ok', version: '1', versionCount: 1, errors: 0, warnings: 0, source: 'flow: demo\n', versions: [], diagnostics: [] };
  const phone: PhoneCallState = { id: 'p1', flow: 'demo', version: '1', step: 'main', ended: false, lines: [] };
  const deps: AppDeps = {
    flows: {
      list: () => [detail],
      get: (name) => (name === 'demo' ? detail : undefined),
      validate: async (source) => (source.includes('bad') ? { valid: false, diagnostics: [{ code: 'unknown-step', severity: 'error', message: 'Step `x` does not exist.' }] } : { valid: true, diagnostics: [] }),
      publish: async (name, source, meta) => {
        if (source.includes('bad')) return { ok: false, diagnostics: [{ code: 'unknown-step', severity: 'error', message: 'Step `x` does not exist.' }] };
        published.push(`${name}:${meta.by}:${meta.note ?? ''}`);
        return { ok: true, version: { version: String(published.length + 1), hash: 'h', publishedAt: 0, publishedBy: meta.by, note: meta.note, current: true } };
      },
      rollback: async (name, version) => (name === 'demo' && version === '1' ? { ok: true, version: { version: '3', hash: 'h', publishedAt: 0, publishedBy: 'api', current: true } } : undefined),
      graph: (name, version) => (name === 'demo' && (version ?? '1') === '1' ? { flow: 'demo', version: '1', start: 'main', nodes: [], edges: [] } : undefined),
      startCanary: async (name, source, percent) => (name !== 'demo' ? undefined : source.includes('bad') ? { ok: false, diagnostics: [] } : { ok: true, version: { version: '2', hash: 'h', publishedAt: 0, publishedBy: 'api', note: `canary ${percent}%`, current: false } }),
      promoteCanary: async (name) => (name === 'demo' ? { ok: true, version: { version: '2', hash: 'h', publishedAt: 0, publishedBy: 'api', current: true } } : undefined),
      stopCanary: (name) => name === 'demo',
    },
    calls: { live: () => [], recent: () => [], trace: (id) => (id === 'c1' ? { id: 'c1', events: [] } : undefined), stats: () => ({ flows: [] }) },
    hours: createMemoryOverrides(),
    recordings: { list: () => [] },
    phone: { start: async () => phone, get: (id) => (id === 'p1' ? phone : undefined), press: (id) => id === 'p1', hangup: (id) => id === 'p1' },
    readiness: { check: async () => ({ flows: { ok: true, state: 'ok' }, store: { ok: true, state: 'ok' }, ari: { ok: true, state: 'disabled' }, ami: { ok: true, state: 'disabled' } }) },
    metrics: createMetrics(),
    logger,
    auth: { token: TOKEN, requireForReads: false },
    ...overrides,
  };
  return Object.assign(deps, { logged, published });
}
