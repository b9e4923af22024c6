import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_SECURITY_HEADERS, DOCUMENT_SECURITY_HEADERS } from '../../src/http/middleware.ts';
import { buildServer, exited, startServer, stopServer, testPort } from '../setup/server.ts';
import { TEST_INDEX_ENV } from '../setup/test-index.ts';

const ask = async (port: number, question: string) => {
  const res = await fetch(`http://127.0.0.1:${port}/v1/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question }),
  });
  return {
    status: res.status,
    body: (await res.json()) as {
      passages: Array<{ id: string; text: string; citation: { source: string; start: number; end: number } }>;
    },
  };
};

/**
 * Smoke test of the real entry point, serving the shared test index over TCP: `src/node.ts` under tsx
 * (`npm run dev`) and the compiled build in dist/ that `npm start` runs.
 */
describe('node server', () => {
  const port = testPort(0);
  const builtPort = testPort(1);
  // A directory of its own: the developer's dist/ may be serving while the tests run.
  const outdir = `.tmp/dist-test-${process.pid}`;
  let server: ChildProcess;
  let built: ChildProcess;

  beforeAll(async () => {
    [server, built] = await Promise.all([
      startServer(port, TEST_INDEX_ENV),
      buildServer(outdir).then(() => startServer(builtPort, TEST_INDEX_ENV, { build: outdir })),
    ]);
  });

  afterAll(async () => {
    await Promise.all([stopServer(server), stopServer(built)]);
    await rm(outdir, { recursive: true, force: true });
  });

  it('answers a question with cited passages over HTTP', async () => {
    const { status, body } = await ask(port, 'What is political modernization?');
    expect(status).toBe(200);
    expect(body.passages).toHaveLength(5);
    expect(body.passages[0]?.citation.source).toMatch(/\.txt$/);
  });

  it('sends the security headers of its kind, CORS and the request id on answers, errors and pages over TCP', async () => {
    const requests: Array<[string, RequestInit]> = [
      ['/healthz', {}],
      ['/v1/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"question": ' }],
      ['/v1/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"q": 1}' }],
      ['/widget.js', {}],
      ['/no-such-page', {}],
      ['/', {}],
    ];
    for (const p of [port, builtPort]) {
      for (const [path, init] of requests) {
        const res = await fetch(`http://127.0.0.1:${p}${path}`, {
          ...init,
          headers: { ...(init.headers as Record<string, string>), 'x-request-id': 'trace-1' },
        });
        await res.arrayBuffer();
        const page = path === '/';
        for (const [name, value] of page ? DOCUMENT_SECURITY_HEADERS : API_SECURITY_HEADERS) {
          // The widget script may be cached; its route says for how long.
          if (path === '/widget.js' && name === 'Cache-Control') continue;
          expect(res.headers.get(name), `${path} ${name}`).toBe(value);
        }
        if (!page) expect(res.headers.get('referrer-policy'), path).toBeNull();
        expect(res.headers.get('x-request-id')).toBe('trace-1');
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
        expect(res.headers.get('access-control-expose-headers')).toBe('x-request-id,retry-after');
        expect(res.headers.get('content-type'), path).toMatch(page ? /^text\/html/ : /json|javascript/);
      }
    }
  });

  it('answers TRACE, a method no web Request can carry, with a 4xx rather than a 500', async () => {
    // fetch refuses to send TRACE, so it goes through node:http.
    const status = (p: number, path: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: p, path, method: 'TRACE' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    for (const p of [port, builtPort]) {
      for (const path of ['/v1/ask', '/healthz', '/no-such-page']) {
        const code = await status(p, path);
        expect(code, `TRACE ${path}`).toBeGreaterThanOrEqual(400);
        expect(code, `TRACE ${path}`).toBeLessThan(500);
      }
    }
  });

  it('sends the passage text but not `why` unless the request includes it', async () => {
    const post = (body: unknown) =>
      fetch(`http://127.0.0.1:${builtPort}/v1/ask`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));
    const question = 'What is political modernization?';
    const byDefault = await post({ question });
    const full = await post({ question, include: ['text', 'why'] });
    const bare = await post({ question, include: [] });
    type Sent = { passages: Array<{ id: string; text?: string; why?: unknown; quote: unknown }> };
    for (const answer of [byDefault, full, bare]) expect(answer.status).toBe(200);
    const [d, f, b] = [byDefault.body as Sent, full.body as Sent, bare.body as Sent];
    expect(f.passages.map((p) => p.id)).toEqual(d.passages.map((p) => p.id));
    expect(b.passages.map((p) => p.id)).toEqual(d.passages.map((p) => p.id));
    for (const p of d.passages) expect([typeof p.text, p.why]).toEqual(['string', undefined]);
    for (const p of f.passages) expect([typeof p.text, typeof p.why]).toEqual(['string', 'object']);
    for (const p of b.passages)
      expect([p.text, p.why, typeof p.quote]).toEqual([undefined, undefined, 'object']);
    const wrong = await post({ question, include: ['everything'] });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('include');
  });

  it('sends each script with its own length, whichever was served before', async () => {
    for (const path of ['/docs/init.js', '/docs/swagger-ui-bundle.js', '/docs/init.js', '/widget.js']) {
      const res = await fetch(`http://127.0.0.1:${builtPort}${path}`);
      const body = new Uint8Array(await res.arrayBuffer());
      expect(res.status, path).toBe(200);
      expect(Number(res.headers.get('content-length')), path).toBe(body.byteLength);
    }
  });

  it('gives the same answers from the compiled build as from the sources', async () => {
    for (const question of ['What is political modernization?', 'Who founded the Alash party?']) {
      const [source, compiled] = await Promise.all([ask(port, question), ask(builtPort, question)]);
      expect(compiled.status).toBe(200);
      expect(compiled.body.passages.map((p) => p.id)).toEqual(source.body.passages.map((p) => p.id));
      expect(compiled.body.passages.length).toBeGreaterThan(0);
    }
  });

  it('serves the widget and Swagger UI from the compiled build', async () => {
    // Both are read from files located relative to the modules: the widget's source, swagger-ui-dist.
    for (const path of ['/widget.js', '/docs/swagger-ui-bundle.js']) {
      const text = (p: number) => fetch(`http://127.0.0.1:${p}${path}`).then((r) => r.text());
      const [source, compiled] = await Promise.all([text(port), text(builtPort)]);
      expect(compiled.length).toBeGreaterThan(1000);
      expect(compiled).toBe(source);
    }
  });

  it('exits cleanly on SIGTERM', async () => {
    for (const child of [server, built]) {
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited(child),
        new Promise((r) => setTimeout(() => r('timeout'), 10_000)),
      ]);
      expect(code).toBe(0);
    }
  });
});
