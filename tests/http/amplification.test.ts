import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { MAX_ERROR_BODY_BYTES } from '../../src/http/errors.ts';
import { ErrorSchema } from '../../src/http/schemas.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { setupBots, webhookHeaders } from '../setup/bots.ts';
import { openTestIndex } from '../setup/test-index.ts';

const BODY_LIMIT = 65_536;
const bytes = (text: string) => new TextEncoder().encode(text).length;

/** Error responses never amplify a request: whatever the input, an error body stays under a fixed size. */
describe('error responses are bounded', () => {
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    const service = createQaService((await openTestIndex()).index);
    app = createApp({
      service,
      config: { MAX_BODY_BYTES: BODY_LIMIT, MAX_QUESTION_CHARS: 2000, RATE_LIMIT_PER_MINUTE: 0 },
    });
  });

  const ask = (body: string) =>
    app.request('/v1/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  async function expectBoundedError(res: Response) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const text = await res.text();
    expect(bytes(text)).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
    return ErrorSchema.parse(JSON.parse(text));
  }

  it('answers a 64 KiB body of 8,000+ unknown fields with a small error that says how many there were', async () => {
    const fields: Record<string, number> = { question: 0 };
    let size = JSON.stringify(fields).length;
    for (let i = 0; size + 9 < BODY_LIMIT; i++) {
      const key = i.toString(36);
      fields[key] = 1;
      size += key.length + 5; // "key":1,
    }
    const body = JSON.stringify(fields);
    expect(bytes(body)).toBeLessThanOrEqual(BODY_LIMIT);
    expect(Object.keys(fields).length).toBeGreaterThan(8200);
    const error = await expectBoundedError(await ask(body));
    expect(error.error.code).toBe('INVALID_REQUEST');
    expect(error.error.message).toMatch(/^question: [^;]+; \w+: unknown field/);
    expect(error.error.message).toMatch(/and \d{4} more problems/);
  });

  it('bounds the list of unknown filter values', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `${'x'.repeat(190)}-${i}`);
    const error = await expectBoundedError(
      await ask(JSON.stringify({ question: 'q', filters: { documentIds: ids } })),
    );
    expect(error.error.code).toBe('UNKNOWN_FILTER_VALUE');
  });

  it('bounds the echo of a long unknown path', async () => {
    await expectBoundedError(await app.request(`/${'a'.repeat(20_000)}`));
    await expectBoundedError(await app.request(`/v1/${'b'.repeat(20_000)}`, { method: 'DELETE' }));
  });

  it('keeps every error of /v1/ask under the bound for arbitrary bodies up to the body limit', async () => {
    const key = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
    const body = fc.oneof(
      fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { minKeys: 200, maxKeys: 1500 }),
      fc.record({
        question: fc.string({ maxLength: 3000 }),
        history: fc.array(fc.record({ role: fc.string(), content: fc.string({ maxLength: 500 }) }), {
          maxLength: 60,
        }),
        filters: fc.record({ documentIds: fc.array(fc.string({ maxLength: 200 }), { maxLength: 120 }) }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const text = JSON.stringify(payload);
        const res = await ask(text);
        if (res.status === 200) return;
        await expectBoundedError(res);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  it('bounds the errors of the bots too', async () => {
    const bots = setupBots();
    const fields: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) fields[`field-${i}`] = i;
    const body = JSON.stringify({ text: 'q', ...fields });
    const res = await bots.app.request('/bots/webhook', {
      method: 'POST',
      headers: await webhookHeaders(body),
      body,
    });
    await expectBoundedError(res);
  });
});
