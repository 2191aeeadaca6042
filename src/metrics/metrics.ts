/**
 * The server's Prometheus metrics (prom-client), in one registry per server so tests do not share state.
 * Call, step and key figures come from engine hooks and the port wrapper; store and ARI figures are read when scraped.
 */
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';

/** Figures read at scrape time from parts that keep their own counts. */
export interface ScrapedFigures {
  storeBacklog?(): number;
  storeLost?(): number;
  ariReconnects?(): number;
}

export interface Metrics {
  readonly registry: Registry;
  readonly callsTotal: Counter<'flow' | 'outcome'>;
  readonly liveCalls: Gauge<'flow'>;
  readonly stepSeconds: Histogram<'kind'>;
  readonly keyToCommandSeconds: Histogram;
  readonly lookupErrors: Counter<'flow' | 'source'>;
  readonly flowPublishes: Counter<'flow' | 'result'>;
  readonly authFailures: Counter;
}

/**
 * Creates the registry and every metric Touchtone exports.
 * @example const m = createMetrics({ storeBacklog: () => store.metrics().backlog }); res.send(await m.registry.metrics());
 */
export function createMetrics(figures: ScrapedFigures = {}, options: { defaults?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry, prefix: 'touchtone_' });
  const registers = [registry];
  const m: Metrics = {
    registry,
    callsTotal: new Counter({ name: 'touchtone_calls_total', help: 'Calls ended, by flow and outcome.', labelNames: ['flow', 'outcome'], registers }),
    liveCalls: new Gauge({ name: 'touchtone_live_calls', help: 'Calls in progress, by flow.', labelNames: ['flow'], registers }),
    stepSeconds: new Histogram({ name: 'touchtone_step_duration_seconds', help: 'Time spent in a step, by step kind.', labelNames: ['kind'], buckets: [0.05, 0.25, 1, 2.5, 5, 10, 30, 60, 300], registers }),
    keyToCommandSeconds: new Histogram({
      name: 'touchtone_key_to_command_seconds',
      help: 'From a key arriving to the next command sent to the line (the latency a caller feels).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    lookupErrors: new Counter({ name: 'touchtone_lookup_errors_total', help: 'Lookups that ended in error or timeout, by flow and source.', labelNames: ['flow', 'source'], registers }),
    flowPublishes: new Counter({ name: 'touchtone_flow_publishes_total', help: 'Flow publish attempts, by flow and result (`published`, `rejected`).', labelNames: ['flow', 'result'], registers }),
    authFailures: new Counter({ name: 'touchtone_http_auth_failures_total', help: 'Admin API requests refused for a missing or wrong token.', registers }),
  };
  new Gauge({
    name: 'touchtone_store_backlog',
    help: 'Call records waiting to be written to the store.',
    registers,
    collect() {
      this.set(figures.storeBacklog?.() ?? 0);
    },
  });
  new Gauge({
    name: 'touchtone_store_lost_total',
    help: 'Call records the store had to drop (backlog overflow or write errors).',
    registers,
    collect() {
      this.set(figures.storeLost?.() ?? 0);
    },
  });
  new Gauge({
    name: 'touchtone_ari_reconnects_total',
    help: 'Times the ARI connection was re-established.',
    registers,
    collect() {
      this.set(figures.ariReconnects?.() ?? 0);
    },
  });
  return m;
}
