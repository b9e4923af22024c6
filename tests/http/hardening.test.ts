import { describe, expect, it } from 'vitest';
import { type AdminControl, createApp, type ReindexStatus } from '../../src/http/app.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { createRateLimiter } from '../../src/http/rate-limit.ts';
import type { QaService } from '../../src/retrieve/types.ts';
import { confidentSignals, testDocument } from '../setup/fixtures.ts';

const doc = testDocument;
const service = (
  ask: QaService['ask'] = async (r) => ({
    query: { text: r.question, language: 'en', usedHistory: false, model: 'test-model' },
    confidence: 'medium',
    signals: { ...confidentSignals, support: 0.5 },
    passages: [],
    tookMs: 0,
  }),
): QaService => ({
  ask,
  listDocuments: () => [{ ...doc, passageCount: 0 }],
  getDocument: () => undefined,
  getPassage: () => undefined,
  getDocumentText: () => undefined,
  listSkipped: () => [],
  health: () => ({
    status: 'ok',
    documents: 1,
    passages: 0,
    model: { id: 'm', dims: 1 },
    indexBuiltAt: 'x',
    skipped: [],
  }),
});
const base = { MAX_BODY_BYTES: 4096, MAX_QUESTION_CHARS: 200 };
const ask = (app: ReturnType<typeof createApp>, headers: Record<string, string> = {}) =>
  app.request('/v1/ask', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ question: 'q?' }),
  });

describe('createRateLimiter', () => {
  it('allows a burst, then asks the client to wait, then refills', () => {
    let now = 0;
    const limiter = createRateLimiter(60, () => now);
    for (let i = 0; i < 60; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
    now += 1000;
    expect(limiter.take('a')).toBe(0);
  });

  it('keeps a limited client limited while a flood of new clients fills the table', () => {
    let now = 0;
    const limiter = createRateLimiter(2, () => now, 100);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.take('a')).toBeGreaterThan(0);
    for (let i = 0; i < 150; i++) limiter.take(`flood-${i}`);
    now += 10;
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('is off at 0 per minute', () => {
    const limiter = createRateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a')).toBe(0);
  });
});

describe('HTTP hardening', () => {
  it('answers 429 with Retry-After past the per-client limit', async () => {
    const app = createApp({ service: service(), config: { ...base, RATE_LIMIT_PER_MINUTE: 2 } });
    expect((await ask(app)).status).toBe(200);
    expect((await ask(app)).status).toBe(200);
    const res = await ask(app);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
    expect((await app.request('/healthz')).status).toBe(200);
  });

  it('counts clients apart by X-Forwarded-For only when told to trust the proxy', async () => {
    const app = createApp({
      service: service(),
      config: { ...base, RATE_LIMIT_PER_MINUTE: 1, TRUST_PROXY: 1 },
    });
    expect((await ask(app, { 'x-forwarded-for': '10.0.0.1' })).status).toBe(200);
    expect((await ask(app, { 'x-forwarded-for': '10.0.0.2' })).status).toBe(200);
    expect((await ask(app, { 'x-forwarded-for': '10.0.0.1' })).status).toBe(429);
  });

  it('cannot be escaped by writing extra X-Forwarded-For entries in front of the proxy', async () => {
    const app = createApp({
      service: service(),
      config: { ...base, RATE_LIMIT_PER_MINUTE: 2, TRUST_PROXY: 1 },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The client writes a new random address each time; the proxy appends the one it saw.
      const res = await ask(app, { 'x-forwarded-for': `203.0.113.${i}, 1.1.1.1` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
  });

  it('times out a slow request with 504 TIMEOUT', async () => {
    const slow = service(() => new Promise((resolve) => setTimeout(resolve, 2000)));
    const app = createApp({ service: slow, config: { ...base, REQUEST_TIMEOUT_MS: 50 } });
    const res = await ask(app);
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('TIMEOUT');
  });

  it('allows only the configured CORS origins', async () => {
    const app = createApp({ service: service(), config: { ...base, CORS_ORIGINS: 'https://a.example' } });
    const ok = await app.request('/healthz', { headers: { origin: 'https://a.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://a.example');
    expect(ok.headers.get('vary')).toContain('Origin');
    expect(ok.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const other = await app.request('/healthz', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await app.request('/v1/ask', {
      method: 'OPTIONS',
      headers: { origin: 'https://a.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://a.example');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
  });

  it('lets any origin read answers and errors, with their request ids, when no origins are configured', async () => {
    const app = createApp({ service: service(), config: base });
    for (const res of [
      await app.request('/healthz', { headers: { origin: 'https://any.example' } }),
      await app.request('/v1/ask', { method: 'POST', headers: { origin: 'https://any.example' }, body: '{' }),
      await app.request('/no-such-page', { headers: { origin: 'https://any.example' } }),
    ]) {
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-expose-headers')).toContain('retry-after');
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('sets security headers', async () => {
    const res = await createApp({ service: service(), config: base }).request('/healthz');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('protects the admin endpoint with the bearer token', async () => {
    let calls = 0;
    const status: ReindexStatus = { state: 'running', startedAt: 'now' };
    const admin: AdminControl = {
      reindex: () => {
        calls++;
        return status;
      },
      status: () => status,
    };
    const token = 'a-very-long-admin-token';
    const app = createApp({ service: service(), config: { ...base, ADMIN_TOKEN: token }, admin });
    expect((await app.request('/admin/reindex', { method: 'POST' })).status).toBe(401);
    expect(
      (await app.request('/admin/reindex', { method: 'POST', headers: { authorization: 'Bearer wrong' } }))
        .status,
    ).toBe(401);
    expect(calls).toBe(0);
    const res = await app.request('/admin/reindex', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual(status);
    expect(calls).toBe(1);
    expect(
      (await app.request('/admin/reindex', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
  });

  it('has no admin endpoint without a token', async () => {
    const admin: AdminControl = { reindex: () => ({ state: 'idle' }), status: () => ({ state: 'idle' }) };
    const app = createApp({ service: service(), config: base, admin });
    expect((await app.request('/admin/reindex', { method: 'POST' })).status).toBe(404);
  });

  it('exposes Prometheus metrics by route and status', async () => {
    const metrics = createMetrics('test');
    metrics.setIndex({ passages: 3, documents: 1, model: 'm', builtAt: 'x' });
    const app = createApp({ service: service(), config: base, metrics });
    await ask(app);
    await app.request('/v1/documents/missing');
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/http_requests_total\{route="\/v1\/ask",method="POST",status="200"\} 1/);
    expect(text).toMatch(/http_requests_total\{route="\/v1\/documents\/:id",method="GET",status="404"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_bucket/);
    expect(text).toMatch(/index_passages 3/);
  });
});
