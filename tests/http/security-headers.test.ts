import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { createApp } from '../../src/http/app.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { API_SECURITY_HEADERS, DOCUMENT_SECURITY_HEADERS } from '../../src/http/middleware.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import type { QaService } from '../../src/retrieve/types.ts';
import { openTestIndex } from '../setup/test-index.ts';

const TOKEN = 'security-headers-test-token-0123';
const names = (set: ReadonlyArray<readonly [string, string]>) => set.map(([name]) => name.toLowerCase());
/** Headers only pages carry. */
const DOCUMENT_ONLY = names(DOCUMENT_SECURITY_HEADERS).filter(
  (n) => !names(API_SECURITY_HEADERS).includes(n),
);

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ in: string; name: string }>;
        responses: Record<string, { content?: Record<string, unknown> }>;
      }
    >
  >;
}

/**
 * The response carries the API security headers and none that only pages carry; a route may set its own
 * `Cache-Control` and declare further headers (`own`).
 */
function expectApiHeaders(res: Response, label: string, own: Record<string, string> = {}): void {
  for (const [name, value] of API_SECURITY_HEADERS)
    expect(res.headers.get(name), `${label}: ${name}`).toBe(own[name.toLowerCase()] ?? value);
  for (const name of DOCUMENT_ONLY)
    expect(res.headers.get(name), `${label}: ${name}`).toBe(own[name] ?? null);
}

function expectDocumentHeaders(res: Response, label: string): void {
  expect(res.headers.get('content-type'), label).toMatch(/^text\/html/);
  for (const [name, value] of DOCUMENT_SECURITY_HEADERS)
    expect(res.headers.get(name), `${label}: ${name}`).toBe(value);
}

describe('security headers by kind of response', () => {
  let service: QaService;
  let passageId: string;
  let app: ReturnType<typeof createApp>;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    const { index } = await openTestIndex();
    service = createQaService(index);
    passageId = index.passages[0]?.id ?? '';
    app = createApp({
      service,
      config: {
        MAX_BODY_BYTES: 65_536,
        MAX_QUESTION_CHARS: 2000,
        RATE_LIMIT_PER_MINUTE: 0,
        ADMIN_TOKEN: TOKEN,
      },
      feedback: { store: createMemoryFeedbackStore(), retentionDays: 30 },
      metrics: createMetrics('test'),
      assets: { widget: '/* widget */', swaggerCss: '/* css */', swaggerBundle: '/* ui */' },
    });
    doc = (await (await app.request('/openapi.json')).json()) as OpenApiDocument;
  });

  it('sends the OWASP REST set, and no document-only header, on JSON answers and errors', async () => {
    const json = { 'content-type': 'application/json' };
    const requests: Array<[string, RequestInit]> = [
      ['/healthz', {}],
      ['/v1/documents', {}],
      ['/openapi.json', {}],
      ['/v1/ask', { method: 'POST', headers: json, body: JSON.stringify({ question: 'What is an akim?' }) }],
      ['/v1/ask', { method: 'POST', headers: json, body: '{"question": ' }],
      ['/v1/ask', { method: 'POST', headers: json, body: '{"q": 1}' }],
      ['/v1/ask', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }],
      ['/healthz', { method: 'POST' }],
      ['/no-such-page', { headers: { accept: 'text/html' } }],
      ['/admin/analytics', { headers: { accept: 'application/json' } }],
    ];
    for (const [path, init] of requests) {
      const res = await app.request(path, init);
      const label = `${init.method ?? 'GET'} ${path} ${res.status}`;
      expect(res.headers.get('content-type'), label).toMatch(/^application\/json/);
      expectApiHeaders(res, label);
    }
  });

  it('sends the same set on scripts, styles, icons and metrics, keeping a route its own caching', async () => {
    // The widget is loaded by pages of other origins, some of which require a resource policy that allows it.
    expectApiHeaders(await app.request('/widget.js'), '/widget.js', {
      'cache-control': 'public, max-age=300',
      'cross-origin-resource-policy': 'cross-origin',
    });
    expectApiHeaders(await app.request('/favicon.svg'), '/favicon.svg', {
      'cache-control': 'public, max-age=86400',
    });
    expectApiHeaders(await app.request('/docs/swagger-ui.css'), '/docs/swagger-ui.css');
    expectApiHeaders(await app.request('/metrics'), '/metrics');
  });

  it('sends the document set on every route that serves HTML, and on HTML error pages', async () => {
    const pageRoutes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([method, op]) => method === 'get' && op.responses['200']?.content?.['text/html'])
        .map(([, op]) => {
          let url = path;
          for (const p of op.parameters ?? [])
            if (p.in === 'path') url = url.replace(`{${p.name}}`, passageId);
          return url;
        }),
    );
    // Path parameters: only passage pages have one.
    expect(pageRoutes).toEqual(expect.arrayContaining(['/', '/docs', '/admin/analytics']));
    for (const url of pageRoutes) {
      const res = await app.request(url, {
        headers: { accept: 'text/html', authorization: `Bearer ${TOKEN}` },
      });
      expect(res.status, url).toBe(200);
      expectDocumentHeaders(res, url);
    }
    // The passage page's 404 and the analytics sign-in page are pages too.
    expectDocumentHeaders(await app.request('/passages/no-such-passage'), '/passages 404');
    const login = await app.request('/admin/analytics', { headers: { accept: 'text/html' } });
    expect(login.status).toBe(401);
    expectDocumentHeaders(login, 'sign-in page');
    // Caching a page is left to its route: the analytics page is never stored, the demo page may be.
    expect((await app.request('/')).headers.get('cache-control')).toBeNull();
  });

  it('keeps the request id and CORS headers on every kind', async () => {
    for (const path of ['/healthz', '/', '/widget.js', '/no-such-page']) {
      const res = await app.request(path, { headers: { 'x-request-id': 'kind-1' } });
      expect(res.headers.get('x-request-id'), path).toBe('kind-1');
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
      expect(res.headers.get('access-control-expose-headers'), path).toBe('x-request-id,retry-after');
    }
  });
});
