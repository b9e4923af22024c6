// prom-client's classes, each from its own file: the package's entry also loads its default process
// metrics, push gateway and cluster aggregator (@opentelemetry/api among ~170 modules, ~80 ms of CPU at
// every start, measured), none of which is used here. They are the same classes the entry exports.
import type { Metric } from 'prom-client';
import Counter from 'prom-client/lib/counter.js';
import Gauge from 'prom-client/lib/gauge.js';
import Registry from 'prom-client/lib/registry.js';

/** Prometheus metrics of one app instance (own registry, so tests and reloads never collide). */
export interface HttpMetrics {
  registry: Registry;
  observe(route: string, method: string, status: number, seconds: number): void;
  setIndex(info: { passages: number; documents: number; model: string; builtAt: string }): void;
}

/** Upper bounds of the latency histogram's buckets, in seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/** Requests of one route, method and status: how many, and their latency by bucket (not cumulative). */
interface Series {
  route: string;
  method: string;
  status: string;
  count: number;
  sum: number;
  buckets: number[];
}

export function createMetrics(version: string): HttpMetrics {
  const registry = new Registry();
  // Requests are tallied here and handed to the registry when it is scraped: prom-client hashes and
  // validates the labels on every `inc` and `observe`, a few microseconds a request (more than the rest
  // of a health probe's bookkeeping).
  const series = new Map<string, Series>();
  new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { route, method, status, count } of series.values())
        this.inc({ route, method, status }, count);
    },
  });
  registry.registerMetric(latencyHistogram(series) as unknown as Metric);
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
      const key = `${status} ${method} ${route}`;
      let s = series.get(key);
      if (!s) {
        s = {
          route,
          method,
          status: String(status),
          count: 0,
          sum: 0,
          buckets: LATENCY_BUCKETS.map(() => 0),
        };
        series.set(key, s);
      }
      s.count++;
      s.sum += seconds;
      let bucket = 0;
      while (bucket < LATENCY_BUCKETS.length && seconds > (LATENCY_BUCKETS[bucket] as number)) bucket++;
      if (bucket < LATENCY_BUCKETS.length) s.buckets[bucket] = (s.buckets[bucket] ?? 0) + 1;
    },
    setIndex(info) {
      passages.set(info.passages);
      documents.set(info.documents);
      build.reset();
      build.set({ version, model: info.model, index_built_at: info.builtAt }, 1);
    },
  };
}

/**
 * `http_request_duration_seconds` by route and method, from the tallies, in the shape prom-client's own
 * histograms give the registry (`le` as the value's label, the series' labels shared), so the text is
 * the same as theirs. prom-client has no way to set a histogram's buckets, hence a metric of our own.
 */
function latencyHistogram(series: Map<string, Series>) {
  const name = 'http_request_duration_seconds';
  const metric = {
    name,
    help: 'HTTP request latency by route and method',
    type: 'histogram',
    aggregator: 'sum',
  };
  return {
    ...metric,
    get: async () => {
      // Statuses are not a label of the histogram: their tallies add up.
      const byRoute = new Map<
        string,
        { labels: { route: string; method: string }; count: number; sum: number; buckets: number[] }
      >();
      for (const s of series.values()) {
        const key = `${s.method} ${s.route}`;
        const total = byRoute.get(key) ?? {
          labels: { route: s.route, method: s.method },
          count: 0,
          sum: 0,
          buckets: LATENCY_BUCKETS.map(() => 0),
        };
        total.count += s.count;
        total.sum += s.sum;
        s.buckets.forEach((n, i) => {
          total.buckets[i] = (total.buckets[i] ?? 0) + n;
        });
        byRoute.set(key, total);
      }
      const values = [...byRoute.values()].flatMap(({ labels, count, sum, buckets }) => {
        let cumulative = 0;
        return [
          ...LATENCY_BUCKETS.map((le, i) => {
            cumulative += buckets[i] ?? 0;
            return { metricName: `${name}_bucket`, labels: { le }, sharedLabels: labels, value: cumulative };
          }),
          { metricName: `${name}_bucket`, labels: { le: '+Inf' }, sharedLabels: labels, value: count },
          { metricName: `${name}_sum`, labels: {}, sharedLabels: labels, value: sum },
          { metricName: `${name}_count`, labels: {}, sharedLabels: labels, value: count },
        ];
      });
      return { ...metric, values };
    },
  };
}
