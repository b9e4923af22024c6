import { AppError } from '../../core/errors.ts';
import type { HealthReport, QaService } from '../../retrieve/types.ts';
import type { HttpMetrics } from '../metrics.ts';
import { createOpenApiApp, documented, errorResponses, textResponse } from '../openapi.ts';
import { HealthSchema } from '../schemas.ts';

/** What operators poll: `/healthz` always, `/metrics` when metrics are collected. */
export function createOpsRoutes(service: QaService, metrics?: HttpMetrics) {
  const app = createOpenApiApp();
  // A service that hands out the same report until what it reports changes (the Node server's does) has
  // it serialised once, not once per probe.
  let sent: { report: HealthReport; body: string } | undefined;
  // Registered with `documented`: the probe validates nothing, and its body is sent as serialised.
  documented(
    app,
    {
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness and index facts',
      responses: {
        200: { description: 'Healthy', content: { 'application/json': { schema: HealthSchema } } },
        ...errorResponses(429, 503),
      },
    },
    (c) => {
      const report = service.health();
      // A replica whose database is gone cannot answer; its balancer should send traffic elsewhere.
      const database = report.index?.database;
      if (database?.status === 'unavailable') {
        throw new AppError(
          'DATABASE_UNAVAILABLE',
          `The index database cannot be reached (since ${database.checkedAt}); retrying`,
        );
      }
      if (sent?.report !== report) sent = { report, body: JSON.stringify(report) };
      return c.body(sent.body, 200, { 'content-type': 'application/json' });
    },
  );

  if (metrics) {
    const { registry } = metrics;
    documented(
      app,
      {
        method: 'get',
        path: '/metrics',
        operationId: 'metrics',
        summary: 'Prometheus metrics: requests by route and status, latency histograms, index size',
        responses: { ...textResponse('Prometheus text format', 'text/plain'), ...errorResponses(429) },
      },
      async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }),
    );
  }
  return app;
}
