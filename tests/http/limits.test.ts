import { describe, expect, it } from 'vitest';
import { type AppConfig, createApp } from '../../src/http/app.ts';
import { ErrorSchema } from '../../src/http/schemas.ts';
import { fakeBotService } from '../setup/bots.ts';

/**
 * Limits as a contract: each configurable bound of a request is accepted at its value and refused one
 * past it, with the error code the README documents. (Connection, header and body-time limits are tested
 * on the real server in connections.test.ts and bodies.test.ts.)
 */
const base: AppConfig = { MAX_BODY_BYTES: 2048, MAX_QUESTION_CHARS: 50, RATE_LIMIT_PER_MINUTE: 0 };

function appWith(config: Partial<AppConfig> = {}) {
  return createApp({ service: fakeBotService().service, config: { ...base, ...config } });
}

const ask = (app: ReturnType<typeof appWith>, body: unknown) =>
  app.request('/v1/ask', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function expectCode(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(ErrorSchema.parse(await res.json()).error.code).toBe(code);
}

describe('request limits at their boundary', () => {
  it('MAX_BODY_BYTES: a body of exactly the limit is read, one byte more is a 413', async () => {
    const app = appWith();
    const exactly = (bytes: number) => {
      const shell = JSON.stringify({ question: 'q', pad: '' });
      return JSON.stringify({ question: 'q', pad: 'x'.repeat(bytes - shell.length) });
    };
    expect(new TextEncoder().encode(exactly(2048)).length).toBe(2048);
    // Read in full: refused for its unknown field, not for its size.
    await expectCode(await ask(app, exactly(2048)), 400, 'INVALID_REQUEST');
    await expectCode(await ask(app, exactly(2049)), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('MAX_QUESTION_CHARS: a question of exactly the limit is answered, one character more is a 400', async () => {
    const app = appWith();
    expect((await ask(app, { question: 'q'.repeat(50) })).status).toBe(200);
    await expectCode(await ask(app, { question: 'q'.repeat(51) }), 400, 'INVALID_REQUEST');
  });

  it('MAX_HISTORY_TURNS: that many earlier turns are accepted, one more is a 400', async () => {
    const app = appWith({ MAX_HISTORY_TURNS: 3 });
    const history = (n: number) => Array.from({ length: n }, () => ({ role: 'user', content: 'earlier' }));
    expect((await ask(app, { question: 'q', history: history(3) })).status).toBe(200);
    await expectCode(await ask(app, { question: 'q', history: history(4) }), 400, 'INVALID_REQUEST');
  });

  it('MAX_TOP_K: topK at the limit is answered, one more is a 400', async () => {
    const app = appWith({ MAX_TOP_K: 7 });
    expect((await ask(app, { question: 'q', topK: 7 })).status).toBe(200);
    await expectCode(await ask(app, { question: 'q', topK: 8 }), 400, 'INVALID_REQUEST');
  });

  it('MAX_TOP_K also bounds the MCP tool', async () => {
    const app = appWith({ MAX_TOP_K: 7 });
    const call = (topK: number) =>
      app.request('/mcp', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'search_corpus', arguments: { question: 'q', topK } },
        }),
      });
    const ok = (await (await call(7)).json()) as { result: { isError?: boolean } };
    expect(ok.result.isError).toBeFalsy();
    const refused = (await (await call(8)).json()) as { result?: { isError?: boolean }; error?: unknown };
    expect(refused.error ?? refused.result?.isError).toBeTruthy();
  });

  it('RATE_LIMIT_PER_MINUTE: that many requests pass, the next is a 429 with Retry-After', async () => {
    const app = appWith({ RATE_LIMIT_PER_MINUTE: 5 });
    for (let i = 0; i < 5; i++) expect((await app.request('/v1/documents')).status).toBe(200);
    const res = await app.request('/v1/documents');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectCode(res, 429, 'RATE_LIMITED');
  });

  it('OPS_RATE_LIMIT_PER_MINUTE: probes have their own budget, apart from the API', async () => {
    const app = appWith({ RATE_LIMIT_PER_MINUTE: 3, OPS_RATE_LIMIT_PER_MINUTE: 4 });
    for (let i = 0; i < 3; i++) expect((await app.request('/v1/documents')).status).toBe(200);
    await expectCode(await app.request('/v1/documents'), 429, 'RATE_LIMITED');
    // The API's budget is spent; the probes' is not.
    for (let i = 0; i < 4; i++) expect((await app.request('/healthz')).status).toBe(200);
    await expectCode(await app.request('/healthz'), 429, 'RATE_LIMITED');
  });
});
