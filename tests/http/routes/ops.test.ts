import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/http/app.ts';
import { createMetrics } from '../../../src/http/metrics.ts';
import { HealthSchema } from '../../../src/http/schemas.ts';
import { createQaService } from '../../../src/retrieve/engine.ts';
import type { HealthReport, QaService } from '../../../src/retrieve/types.ts';
import { openTestIndex } from '../../setup/test-index.ts';

const config = { MAX_BODY_BYTES: 65_536, MAX_QUESTION_CHARS: 2000, RATE_LIMIT_PER_MINUTE: 0 };

describe('GET /healthz', () => {
  let engine: QaService;

  beforeAll(async () => {
    engine = createQaService((await openTestIndex()).index);
  });

  /** The engine's service, reporting whatever `report()` says (as the Node server's wrapper does). */
  const serving = (report: () => HealthReport): QaService => ({ ...engine, health: report });

  it('reports the index: status, documents, passages, model, build time, skipped files and backend', async () => {
    const expected = { ...engine.health(), index: { backend: 'files' as const } };
    const res = await createApp({ service: serving(() => expected), config }).request('/healthz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = HealthSchema.parse(await res.json());
    expect(body).toEqual(expected);
    expect(body.documents).toBe(engine.listDocuments().length);
    expect(body.passages).toBeGreaterThan(body.documents);
    expect(body.model.id).toBe('builtin-static');
  });

  it('sends what the report says now when the report changes (an index swap, a database check)', async () => {
    let report: HealthReport = { ...engine.health(), index: { backend: 'files' } };
    const app = createApp({ service: serving(() => report), config });
    const first = await (await app.request('/healthz')).json();
    expect(await (await app.request('/healthz')).json()).toEqual(first);
    report = { ...report, passages: report.passages + 1, indexBuiltAt: '2030-01-01T00:00:00.000Z' };
    expect(await (await app.request('/healthz')).json()).toEqual(report);
    // A service that builds a report per call (the engine's own) is serialised per call.
    const fresh = createApp({ service: engine, config });
    expect(await (await fresh.request('/healthz')).json()).toEqual(engine.health());
  });

  it('answers 503 DATABASE_UNAVAILABLE when the index database cannot be reached', async () => {
    const report: HealthReport = {
      ...engine.health(),
      index: { backend: 'postgres', version: 3, database: { status: 'unavailable', checkedAt: 'then' } },
    };
    const res = await createApp({ service: serving(() => report), config }).request('/healthz');
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('is logged and counted in the metrics like any other request', async () => {
    const entries: Array<Record<string, unknown>> = [];
    const metrics = createMetrics('test');
    const app = createApp({ service: engine, config, metrics, log: (e) => entries.push(e) });
    await app.request('/healthz', { headers: { 'x-request-id': 'probe-1' } });
    expect(entries).toContainEqual(
      expect.objectContaining({ requestId: 'probe-1', method: 'GET', path: '/healthz', status: 200 }),
    );
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{route="/healthz",method="GET",status="200"} 1');
    expect(text).toMatch(/http_request_duration_seconds_count\{route="\/healthz",method="GET"\} 1/);
  });
});
