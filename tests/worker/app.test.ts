import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

let client = 0;
/** A request from its own client address, so rate limits of one test never touch another. */
const get = (path: string, init: RequestInit = {}) =>
  SELF.fetch(`https://worker.test${path}`, {
    ...init,
    headers: { 'cf-connecting-ip': `198.51.100.${++client}`, ...(init.headers ?? {}) },
  });
const post = (path: string, body: unknown) =>
  get(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the Worker serves what the Node service serves', () => {
  it('reports health with the built-in model and the exported index', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { passages: number; documents: number; model: { id: string } };
    expect(body.model.id).toBe('builtin-static');
    expect(body.passages).toBeGreaterThan(100);
    expect(body.documents).toBeGreaterThan(0);
  });

  it('answers /v1/ask with cited passages, and names the field of a bad request', async () => {
    const res = await post('/v1/ask', { question: 'How are akims of rural districts elected?' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      passages: Array<{ citation: { source: string }; quote: { text: string } }>;
    };
    expect(body.passages.length).toBeGreaterThan(0);
    expect(body.passages[0]?.quote.text.length).toBeGreaterThan(0);
    const bad = await post('/v1/ask', { question: 42 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('question');
  });

  it('lists documents and shows a passage page', async () => {
    const docs = (await (await get('/v1/documents')).json()) as { documents: Array<{ id: string }> };
    expect(docs.documents.length).toBeGreaterThan(0);
    const ask = (await (await post('/v1/ask', { question: 'What is political modernization?' })).json()) as {
      passages: Array<{ id: string }>;
    };
    const id = ask.passages[0]?.id ?? '';
    expect((await get(`/v1/passages/${encodeURIComponent(id)}`)).status).toBe(200);
    const page = await get(`/passages/${encodeURIComponent(id)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('serves the widget script, the docs page and the OpenAPI document', async () => {
    const widget = await get('/widget.js');
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    expect((await widget.text()).length).toBeGreaterThan(1000);
    expect((await get('/docs')).status).toBe(200);
    expect((await get('/docs/swagger-ui-bundle.js')).status).toBe(200);
    const openapi = (await (await get('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/v1/ask', '/mcp', '/bots/slack/events']),
    );
  });

  it('answers MCP over HTTP', async () => {
    const res = await get('/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('"tools"');
  });

  it('never serves the index export or the assets directory as files', async () => {
    for (const path of [
      '/index/manifest.json',
      '/index/vectors.f32',
      '/static/widget.js',
      '/index/passages.json',
    ])
      expect((await get(path)).status, path).toBe(404);
  });

  it('has no admin routes: the index is rebuilt and redeployed', async () => {
    const res = await get('/admin/reindex', { method: 'POST', headers: { authorization: 'Bearer x' } });
    expect(res.status).toBe(404);
  });

  it('rate-limits each client address (CF-Connecting-IP) in the Durable Object', async () => {
    const from = (ip: string) =>
      SELF.fetch('https://worker.test/healthz', { headers: { 'cf-connecting-ip': ip } });
    // wrangler.toml's test environment allows 5 probes a minute per client.
    for (let i = 0; i < 5; i++) expect((await from('203.0.113.7')).status).toBe(200);
    const limited = await from('203.0.113.7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from('203.0.113.8')).status).toBe(200);
  });
});
