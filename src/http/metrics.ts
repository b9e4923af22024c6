// prom-client's classes, each from its own file: the package's entry also loads its default process
// metrics, push gateway and cluster aggregator (@opentelemetry/api among ~170 modules, ~80 ms of CPU at
// every start, measured), none of which is used here. They are the same classes the entry exports.
import Counter from 'prom-client/lib/counter.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import Registry from 'prom-client/lib/registry.js';

/** Prometheus metrics of one app instance (own registry, so tests and reloads never collide). */
export interface HttpMetrics {
  registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
  setIndex(info: { passages: number; documents: number; model: string; builtAt: string }): void;
}

export function createMetrics(version: string): HttpMetrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and method',
    labelNames: ['route', 'method'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const passages = new Gauge({
    name: 'index_passages',
    help: 'Passages in the loaded index',
    registers: [registry],
  });
  const documents = new Gauge({
    name: 'index_documents',
    help: 'Documents in the loaded index',
    registers: [registry],
  });
  const build = new Gauge({
    name: 'build_info',
    help: 'Service version and loaded index (value is always 1)',
    labelNames: ['version', 'model', 'index_built_at'],
    registers: [registry],
  });
  return {
    registry,
    observe(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      duration.observe({ route, method }, seconds);
    },
    setIndex(info) {
      passages.set(info.passages);
      documents.set(info.documents);
      build.reset();
      build.set({ version, model: info.model, index_built_at: info.builtAt }, 1);
    },
  };
}
