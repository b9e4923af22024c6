import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.ts';
import type { DocumentInfo, Passage } from '../../src/core/types.ts';
import { createApp } from '../../src/http/app.ts';
import {
  AskResponseSchema,
  DocumentListSchema,
  DocumentSchema,
  ErrorSchema,
  HealthSchema,
  PassageContextSchema,
} from '../../src/http/schemas.ts';
import type { AskRequest, QaService } from '../../src/retrieve/types.ts';
import { confidentSignals } from '../setup/fixtures.ts';

const doc: DocumentInfo = {
  id: 'doc-1',
  source: 'a.txt',
  title: 'A Title',
  authors: ['Ann Author'],
  languages: ['en'],
  type: 'article',
  start: 0,
  end: 100,
};
const passage: Passage = {
  id: 'doc-1.p1',
  ordinal: 0,
  documentId: 'doc-1',
  source: 'a.txt',
  section: ['Intro'],
  language: 'en',
  kind: 'body',
  text: 'Akims are elected.',
  sentences: [{ text: 'Akims are elected.', start: 0, end: 18 }],
  start: 0,
  end: 18,
};

/** A fake service shaped like the real one, recording what it was asked. */
function fakeService(overrides: Partial<QaService> = {}): QaService & { calls: AskRequest[] } {
  const calls: AskRequest[] = [];
  return {
    calls,
    ask: async (request) => {
      calls.push(request);
      const unknown = (request.filters?.documentIds ?? []).filter((id) => id !== 'doc-1');
      if (unknown.length) {
        throw new AppError('UNKNOWN_FILTER_VALUE', `filters.documentIds: unknown ${unknown.join(', ')}`, {
          details: [{ path: 'filters.documentIds', values: unknown }],
        });
      }
      return {
        query: { text: request.question, language: 'en', usedHistory: false, model: 'test-model' },
        confidence: 'high',
        signals: confidentSignals,
        tookMs: 1,
        passages: [
          {
            id: passage.id,
            rank: 1,
            score: 0.5,
            text: passage.text,
            language: 'en',
            kind: 'body',
            quote: {
              text: passage.text,
              start: 0,
              end: 18,
              highlights: [{ start: 0, end: 5 }],
              marks: [{ start: 0, end: 5 }],
            },
            citation: {
              source: 'a.txt',
              documentId: 'doc-1',
              title: 'A Title',
              authors: ['Ann Author'],
              section: 'Intro',
              start: 0,
              end: 18,
              label: 'Author, A., “A Title”',
            },
          },
        ],
      };
    },
    listDocuments: () => [{ ...doc, passageCount: 1 }],
    getDocument: (id) => (id === 'doc-1' ? { ...doc, passageCount: 1 } : undefined),
    getPassage: (id) =>
      id === passage.id ? { passage, document: doc, previousId: null, nextId: null } : undefined,
    getDocumentText: (id) =>
      id === 'doc-1'
        ? {
            documentId: 'doc-1',
            source: doc.source,
            format: 'text',
            start: 0,
            end: 18,
            text: 'A passage of text.',
          }
        : undefined,
    listSkipped: () => [],
    health: () => ({
      status: 'ok',
      documents: 1,
      passages: 1,
      model: { id: 'm', dims: 4 },
      indexBuiltAt: 'now',
      skipped: [],
    }),
    ...overrides,
  };
}

const config = { MAX_BODY_BYTES: 4096, MAX_QUESTION_CHARS: 2000 };
const logs: Array<Record<string, unknown>> = [];
const appWith = (service = fakeService()) => createApp({ service, config, log: (e) => logs.push(e) });

const post = (app: ReturnType<typeof appWith>, body: unknown, headers: Record<string, string> = {}) =>
  app.request('/v1/ask', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function expectError(res: Response, status: number, code: string, field?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  const body = ErrorSchema.parse(await res.json());
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  if (field) expect(body.error.message).toContain(field);
  return body;
}

describe('POST /v1/ask', () => {
  it('returns ranked passages with citations in the documented shape', async () => {
    const service = fakeService();
    const res = await post(appWith(service), {
      question: 'How are akims chosen?',
      history: [{ role: 'user', content: 'Tell me about akims' }],
      topK: 3,
      filters: { documentIds: ['doc-1'], languages: ['en'], kinds: ['body'] },
    });
    expect(res.status).toBe(200);
    const body = AskResponseSchema.parse(await res.json());
    expect(body.passages[0]?.citation.source).toBe('a.txt');
    expect(service.calls[0]).toMatchObject({ topK: 3, filters: { documentIds: ['doc-1'] } });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('echoes a sane incoming request id', async () => {
    const res = await post(appWith(), { question: 'q?' }, { 'x-request-id': 'abc-123' });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it.each([
    ['malformed JSON', '{"question": ', 400, 'INVALID_JSON', undefined],
    ['a number as question', { question: 42 }, 400, 'INVALID_REQUEST', 'question'],
    ['a missing question', {}, 400, 'INVALID_REQUEST', 'question'],
    ['an empty question', { question: '   ' }, 400, 'INVALID_REQUEST', 'question'],
    ['a 10,000-character question', { question: 'x'.repeat(10_000) }, 413, 'PAYLOAD_TOO_LARGE', undefined],
    ['topK 0', { question: 'q', topK: 0 }, 400, 'INVALID_REQUEST', 'topK'],
    ['topK 51', { question: 'q', topK: 51 }, 400, 'INVALID_REQUEST', 'topK'],
    ['topK as a string', { question: 'q', topK: '5' }, 400, 'INVALID_REQUEST', 'topK'],
    ['an unknown field', { question: 'q', colour: 'red' }, 400, 'INVALID_REQUEST', 'colour'],
    [
      'a history turn with a bad role',
      { question: 'q', history: [{ role: 'bot', content: 'x' }] },
      400,
      'INVALID_REQUEST',
      'history.0.role',
    ],
    [
      'an unknown kind filter',
      { question: 'q', filters: { kinds: ['poems'] } },
      400,
      'INVALID_REQUEST',
      'filters.kinds',
    ],
    [
      'an unknown document id',
      { question: 'q', filters: { documentIds: ['nope'] } },
      400,
      'UNKNOWN_FILTER_VALUE',
      'filters.documentIds',
    ],
    ['a fractional topK', { question: 'q', topK: 5.5 }, 400, 'INVALID_REQUEST', 'topK'],
    [
      'an unknown filter field',
      { question: 'q', filters: { tags: ['x'] } },
      400,
      'INVALID_REQUEST',
      'filters.tags',
    ],
    [
      'more than 20 history turns',
      { question: 'q', history: Array.from({ length: 21 }, () => ({ role: 'user', content: 'x' })) },
      400,
      'INVALID_REQUEST',
      'history',
    ],
    [
      'more than 100 document ids',
      { question: 'q', filters: { documentIds: Array.from({ length: 101 }, (_, i) => `d${i}`) } },
      400,
      'INVALID_REQUEST',
      'filters.documentIds',
    ],
    ['an empty body', '', 400, 'INVALID_JSON', undefined],
    ['a JSON array body', [1, 2], 400, 'INVALID_REQUEST', undefined],
    ['a JSON null body', 'null', 400, 'INVALID_REQUEST', undefined],
  ])('rejects %s', async (_name, body, status, code, field) => {
    await expectError(await post(appWith(), body), status, code, field);
  });

  it('names every invalid field in the message and in details', async () => {
    const body = await expectError(
      await post(appWith(), { question: 42, topK: '5', colour: 'red', size: 'L' }),
      400,
      'INVALID_REQUEST',
    );
    expect(body.error.message).toMatch(/question.*topK.*colour.*size/);
    expect(body.error.details).toEqual([
      { path: 'question', message: expect.any(String) },
      { path: 'topK', message: expect.any(String) },
      { path: 'colour', message: 'unknown field' },
      { path: 'size', message: 'unknown field' },
    ]);
  });

  it('passes the trimmed question and the default topK to the service', async () => {
    const service = fakeService();
    const res = await post(appWith(service), { question: '  How are akims chosen?\n' });
    expect(res.status).toBe(200);
    expect(service.calls[0]).toEqual({ question: 'How are akims chosen?', topK: 5 });
  });

  it('accepts a JSON content type with parameters or a +json suffix', async () => {
    for (const type of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.api+json']) {
      expect((await post(appWith(), { question: 'q' }, { 'content-type': type })).status).toBe(200);
    }
  });

  it('replaces an incoming request id that is not a short token', async () => {
    const res = await post(appWith(), { question: 'q' }, { 'x-request-id': 'a b<script>' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('rejects a question over MAX_QUESTION_CHARS that fits in the body limit', async () => {
    const app = createApp({
      service: fakeService(),
      config: { MAX_BODY_BYTES: 65_536, MAX_QUESTION_CHARS: 2000 },
    });
    await expectError(await post(app, { question: 'x'.repeat(10_000) }), 400, 'INVALID_REQUEST', 'question');
  });

  it('rejects a body whose content-length is over the limit', async () => {
    const body = JSON.stringify({ question: 'x'.repeat(5000) });
    const res = await post(appWith(), body, {
      'content-length': String(new TextEncoder().encode(body).length),
    });
    await expectError(res, 413, 'PAYLOAD_TOO_LARGE', '4096');
  });

  it('rejects a body over the limit even without a content-length header', async () => {
    const big = JSON.stringify({ question: 'x'.repeat(5000) });
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const res = await appWith().request('/v1/ask', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      // @ts-expect-error Node's fetch needs duplex for stream bodies
      duplex: 'half',
    });
    await expectError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json-patch',
    'multipart/form-data',
  ])('rejects content type %s with 415', async (type) => {
    await expectError(
      await post(appWith(), { question: 'q' }, { 'content-type': type }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('rejects a body without a content type with 415', async () => {
    const res = await appWith().request('/v1/ask', {
      method: 'POST',
      body: new TextEncoder().encode('{"question":"q"}'),
    });
    await expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('hides the detail of an unexpected error behind a 500', async () => {
    const app = appWith(fakeService({ ask: async () => Promise.reject(new Error('secret stack detail')) }));
    const body = await expectError(await post(app, { question: 'q' }), 500, 'INTERNAL');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(logs.some((l) => String(l.error).includes('secret stack detail'))).toBe(true);
  });

  it('hides a thrown non-Error value behind a 500', async () => {
    const app = appWith(fakeService({ ask: async () => Promise.reject('secret string') }));
    const body = await expectError(await post(app, { question: 'q' }), 500, 'INTERNAL');
    expect(JSON.stringify(body)).not.toContain('secret');
  });

  it('maps NOT_READY to 503 and keeps its message', async () => {
    const app = appWith(
      fakeService({ ask: async () => Promise.reject(new AppError('NOT_READY', 'index loading')) }),
    );
    await expectError(await post(app, { question: 'q' }), 503, 'NOT_READY', 'index loading');
  });

  it.each([
    ['INDEX_MISSING', 503],
    ['CONFIG_INVALID', 500],
    ['MODEL_INVALID', 500],
    ['INTERNAL', 500],
  ] as const)('maps %s to %i without its internal message, naming the request id', async (code, status) => {
    const app = appWith(
      fakeService({ ask: async () => Promise.reject(new AppError(code, 'secret path /srv/index')) }),
    );
    const res = await post(app, { question: 'q' }, { 'x-request-id': 'req-42' });
    const body = await expectError(res, status, code, 'req-42');
    expect(JSON.stringify(body)).not.toContain('secret');
    expect(logs.some((l) => l.requestId === 'req-42' && String(l.msg).includes('secret path'))).toBe(true);
  });
});

describe('read endpoints', () => {
  const app = appWith();

  it('lists documents', async () => {
    const res = await app.request('/v1/documents');
    expect(DocumentListSchema.parse(await res.json()).documents[0]?.id).toBe('doc-1');
  });

  it('returns one document or a 404 naming it', async () => {
    const res = await app.request('/v1/documents/doc-1');
    expect(res.status).toBe(200);
    expect(DocumentSchema.parse(await res.json()).id).toBe('doc-1');
    await expectError(await app.request('/v1/documents/missing'), 404, 'NOT_FOUND', 'missing');
  });

  it('returns a passage with its neighbours or a 404', async () => {
    const res = await app.request('/v1/passages/doc-1.p1');
    expect(PassageContextSchema.parse(await res.json()).passage.id).toBe('doc-1.p1');
    await expectError(await app.request('/v1/passages/doc-1.p9'), 404, 'NOT_FOUND', 'doc-1.p9');
  });

  it('reports health', async () => {
    expect(HealthSchema.parse(await (await app.request('/healthz')).json()).status).toBe('ok');
  });

  it('answers unknown routes with a JSON 404 naming the route', async () => {
    await expectError(await app.request('/nope'), 404, 'NOT_FOUND', '/nope');
    await expectError(await app.request('/v1/documents/'), 404, 'NOT_FOUND');
  });

  it.each([
    ['GET', '/v1/ask', 'POST'],
    ['PUT', '/v1/ask', 'POST'],
    ['POST', '/v1/documents', 'GET, HEAD'],
    ['DELETE', '/v1/documents/doc-1', 'GET, HEAD'],
    ['POST', '/v1/passages/doc-1.p1', 'GET, HEAD'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['POST', '/openapi.json', 'GET, HEAD'],
  ])('answers %s %s with a 405 and Allow: %s', async (method, path, allow) => {
    const res = await app.request(path, { method });
    expect(res.headers.get('allow')).toBe(allow);
    await expectError(res, 405, 'METHOD_NOT_ALLOWED', method);
  });

  it('hides an unexpected error of a read endpoint behind a 500', async () => {
    const broken = appWith(
      fakeService({
        getDocument: () => {
          throw new TypeError('secret internals');
        },
      }),
    );
    const body = await expectError(await broken.request('/v1/documents/doc-1'), 500, 'INTERNAL');
    expect(JSON.stringify(body)).not.toContain('secret');
  });

  it('serves an OpenAPI 3.1 document covering every route', async () => {
    const res = await app.request('/openapi.json');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const doc = JSON.parse(await res.text()) as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'kz-retrieval-qa', version: expect.any(String) });
    expect(Object.keys(doc.paths['/v1/ask'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/v1/ask']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '413', '415', '500', '503']),
    );
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['AskRequest', 'AskResponse', 'Document', 'PassageContext', 'Health', 'Error']),
    );
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/ask',
        '/v1/documents',
        '/v1/documents/{id}',
        '/v1/passages/{id}',
        '/healthz',
      ]),
    );
  });
});
