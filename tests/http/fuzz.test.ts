import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { openTestIndex } from '../setup/test-index.ts';

/** Property-based fuzzing of the request schema against the real search service: no 5xx, ever. */
describe('POST /v1/ask under arbitrary input', () => {
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    const service = createQaService((await openTestIndex()).index);
    app = createApp({
      service,
      config: { MAX_BODY_BYTES: 65_536, MAX_QUESTION_CHARS: 2000, RATE_LIMIT_PER_MINUTE: 0 },
    });
  });

  const text = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 300 }),
    fc.constantFrom(
      'Қазақстан саяси модернизация',
      'Что такое власть?',
      '🇰🇿🇰🇿🇰🇿',
      '\ud800\udfff\ud800',
      '\u0000\u0007\t\n',
      '',
    ),
    fc.string({ maxLength: 3000 }),
  );

  const body = fc.oneof(
    fc.record(
      {
        question: text,
        history: fc.array(fc.record({ role: fc.constantFrom('user', 'assistant', 'bot'), content: text }), {
          maxLength: 25,
        }),
        topK: fc.oneof(fc.integer({ min: -5, max: 60 }), fc.constant('5')),
        filters: fc.record(
          {
            documentIds: fc.array(fc.constantFrom('000-political-modernization', 'nope', ''), {
              maxLength: 3,
            }),
            languages: fc.array(fc.constantFrom('en', 'kk', 'ru', 'xx'), { maxLength: 3 }),
            kinds: fc.array(fc.constantFrom('body', 'references', 'poem'), { maxLength: 3 }),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    fc.jsonValue().map((v) => v as unknown),
  );

  it('answers 200 or a 4xx error envelope, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const res = await app.request('/v1/ask', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        });
        expect(res.status).toBeLessThan(500);
        const json = (await res.json()) as {
          error?: { code: string; message: string };
          passages?: unknown[];
        };
        if (res.status === 200) expect(Array.isArray(json.passages)).toBe(true);
        else expect(json.error?.code).toMatch(/^[A-Z_]+$/);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('survives raw bytes that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), async (bytes) => {
        const res = await app.request('/v1/ask', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: bytes,
        });
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
