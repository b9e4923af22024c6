import { copyFile, mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { createDocumentStore } from '../../src/index/document-store.node.ts';
import type { ReindexStatus } from '../../src/index/types.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import type { QaService } from '../../src/retrieve/types.ts';
import { openTestIndex } from '../setup/test-index.ts';

const TOKEN = 'admin-token-for-tests-0123456789';
const FIXTURES = 'tests/fixtures/documents';
const auth = { authorization: `Bearer ${TOKEN}` };

async function setup() {
  const corpus = await mkdtemp(join(tmpdir(), 'qa-upload-'));
  await mkdir(corpus, { recursive: true });
  await copyFile('corpus/001_e1c1b68bfc39f0f8.txt', join(corpus, '001_e1c1b68bfc39f0f8.txt'));
  const { index } = await openTestIndex();
  const service: QaService = createQaService(index);
  let reindexed = 0;
  const status = (): ReindexStatus => ({ state: reindexed > 0 ? 'running' : 'idle' });
  const reindex = () => {
    reindexed++;
    return status();
  };
  const config = { CORPUS_DIR: corpus, MAX_DOCUMENT_BYTES: 8192 };
  const documents = createDocumentStore({
    config,
    reindex,
    sourceOf: (id) => (id === 'upload-1' ? { source: 'electoral-reform.pdf', ids: ['upload-1'] } : undefined),
  });
  const app = createApp({
    service,
    config: { MAX_BODY_BYTES: 4096, MAX_QUESTION_CHARS: 2000, ADMIN_TOKEN: TOKEN, MAX_DOCUMENT_BYTES: 8192 },
    admin: { reindex, status, documents },
  });
  return { app, service, corpus, reindexed: () => reindexed };
}

async function upload(
  app: Awaited<ReturnType<typeof setup>>['app'],
  name: string,
  path = join(FIXTURES, name),
  headers = auth,
) {
  const form = new FormData();
  form.append('file', new File([await readFile(path)], name));
  return app.request('/admin/documents', { method: 'POST', body: form, headers });
}

describe('GET /v1/documents/{id}/text', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  });

  it('serves the stored text that citation offsets index into', async () => {
    const ask = await env.app.request('/v1/ask', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'What is the role of political parties in Kazakhstan?' }),
    });
    const top = (await ask.json()).passages[0];
    const res = await env.app.request(`/v1/documents/${top.citation.documentId}/text`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      documentId: top.citation.documentId,
      source: top.citation.source,
      format: 'text',
    });
    const raw: string = body.text.slice(top.quote.start, top.quote.end);
    expect(raw.replace(/[*\s]+/g, ' ').trim()).toContain(top.quote.text.replace(/[*\s]+/g, ' ').slice(0, 60));
  });

  it('answers 404 for an unknown document', async () => {
    const res = await env.app.request('/v1/documents/no-such-doc/text');
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('NOT_FOUND');
  });

  it('lists skipped files in GET /v1/documents and /healthz', async () => {
    expect((await (await env.app.request('/v1/documents')).json()).skipped).toEqual([]);
    expect((await (await env.app.request('/healthz')).json()).skipped).toEqual([]);
  });
});

describe('POST /admin/documents and DELETE /admin/documents/{id}', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    env = await setup();
  });

  it('refuses an upload without the admin token', async () => {
    const res = await upload(env.app, 'electoral-reform.pdf', undefined, { authorization: 'Bearer wrong' });
    expect(res.status).toBe(401);
    expect(await readdir(env.corpus)).not.toContain('electoral-reform.pdf');
  });

  it('stores a valid PDF atomically under its name and starts a rebuild', async () => {
    const before = env.reindexed();
    const res = await upload(env.app, 'electoral-reform.pdf');
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ file: 'electoral-reform.pdf', replaced: false });
    expect(env.reindexed()).toBe(before + 1);
    const stored = await readFile(join(env.corpus, 'electoral-reform.pdf'));
    expect(stored.equals(await readFile(join(FIXTURES, 'electoral-reform.pdf')))).toBe(true);
    expect((await readdir(env.corpus)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const again = await upload(env.app, 'electoral-reform.pdf');
    expect(await again.json()).toMatchObject({ replaced: true });
  });

  it.each([
    ['scanned.pdf', 'no-text'],
    ['encrypted.pdf', 'encrypted'],
    ['mislabelled.pdf', 'mislabelled'],
    ['truncated.pdf', 'truncated'],
  ])('refuses %s with 422 and the reason, storing nothing', async (name, reason) => {
    const res = await upload(env.app, name, join(FIXTURES, 'bad', name));
    expect(res.status).toBe(422);
    expect((await res.json()).error).toMatchObject({
      code: 'DOCUMENT_REJECTED',
      details: { file: name, reason },
    });
    expect(await readdir(env.corpus)).not.toContain(name);
  });

  it('refuses a file over MAX_DOCUMENT_BYTES with 413', async () => {
    const res = await upload(env.app, 'egov-services.docx');
    expect(res.status).toBe(413);
    expect((await res.json()).error.message).toMatch(/MAX_DOCUMENT_BYTES/);
  });

  it('refuses an unsupported type, an unsafe name, a missing file part and a non-multipart body', async () => {
    const form = (name: string) => {
      const f = new FormData();
      f.append('file', new File(['hello'], name));
      return f;
    };
    const post = (body: BodyInit, headers: Record<string, string> = auth) =>
      env.app.request('/admin/documents', { method: 'POST', body, headers });
    expect((await post(form('image.png'))).status).toBe(415);
    const unsafe = await post(form('../escape.txt'));
    expect(unsafe.status).toBe(400);
    expect((await unsafe.json()).error.details[0].field).toBe('file');
    const empty = new FormData();
    empty.append('other', 'x');
    expect((await post(empty)).status).toBe(400);
    expect((await post('plain', { ...auth, 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('removes the file holding a document and refuses unknown ids', async () => {
    const res = await env.app.request('/admin/documents/upload-1', { method: 'DELETE', headers: auth });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ file: 'electoral-reform.pdf', removed: ['upload-1'] });
    expect(await readdir(env.corpus)).not.toContain('electoral-reform.pdf');
    const missing = await env.app.request('/admin/documents/nothing-here', {
      method: 'DELETE',
      headers: auth,
    });
    expect(missing.status).toBe(404);
  });

  it('refuses to remove the last document of the corpus', async () => {
    const res = await env.app.request('/admin/documents/001_e1c1b68bfc39f0f8.txt', {
      method: 'DELETE',
      headers: auth,
    });
    expect(res.status).toBe(409);
    expect(await readdir(env.corpus)).toContain('001_e1c1b68bfc39f0f8.txt');
  });
});
