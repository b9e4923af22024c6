import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryFeedbackStore } from '../../../src/feedback/memory-store.ts';
import { createRecordingService } from '../../../src/feedback/recording.ts';
import type { FeedbackStore } from '../../../src/feedback/types.ts';
import { createApp } from '../../../src/http/app.ts';
import { createQaService } from '../../../src/retrieve/engine.ts';
import type { QaService } from '../../../src/retrieve/types.ts';
import { openTestIndex } from '../../setup/test-index.ts';

const TOKEN = 'analytics-test-token-0123456789';
const config = {
  MAX_BODY_BYTES: 65536,
  MAX_QUESTION_CHARS: 2000,
  ADMIN_TOKEN: TOKEN,
  RATE_LIMIT_PER_MINUTE: 0,
};
const bearer = { authorization: `Bearer ${TOKEN}` };

describe('feedback and analytics over HTTP', () => {
  let service: QaService;
  let store: FeedbackStore;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    service = createQaService((await openTestIndex()).index);
    store = createMemoryFeedbackStore();
    app = createApp({
      service: createRecordingService(service, store, { channel: 'web' }),
      config,
      feedback: { store, retentionDays: 60 },
    });
  });

  const ask = async (question: string) =>
    (await (
      await app.request('/v1/ask', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question }),
      })
    ).json()) as { askId: string; confidence: string };
  const feedback = (body: unknown, type = 'application/json') =>
    app.request('/v1/feedback', {
      method: 'POST',
      headers: { 'content-type': type },
      body: JSON.stringify(body),
    });

  it('takes a thumbs down with a reason on an answer and shows it to the site owner', async () => {
    const answer = await ask('How are akims elected?');
    expect(answer.askId).toMatch(/^[0-9a-f-]{36}$/);
    const res = await feedback({ askId: answer.askId, rating: 'down', reason: '  wanted the 2021 numbers ' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      askId: answer.askId,
      rating: 'down',
      reason: 'wanted the 2021 numbers',
    });
    await ask("Who is the current chairman of Kazakhstan's Senate?");
    const report = await (await app.request('/admin/analytics?days=7', { headers: bearer })).json();
    expect(report.totals).toMatchObject({ questions: 2, lowConfidence: 1, down: 1 });
    expect(report.disliked[0]).toMatchObject({
      question: 'How are akims elected?',
      reasons: ['wanted the 2021 numbers'],
    });
    expect(report.unanswered[0].question).toBe("Who is the current chairman of Kazakhstan's Senate?");
    expect(report.topDocuments[0].title).toBeTruthy();
  });

  it('rejects feedback that is not JSON, malformed, unknown or too long, naming the field', async () => {
    const { askId } = await ask('What is political modernization?');
    expect((await feedback({ askId, rating: 'up' }, 'text/plain')).status).toBe(415);
    const bad = await app.request('/v1/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect((await bad.json()).error.code).toBe('INVALID_JSON');
    const rating = await (await feedback({ askId, rating: 'meh' })).json();
    expect(rating.error.details[0].path).toBe('rating');
    const long = await (await feedback({ askId, rating: 'down', reason: 'x'.repeat(501) })).json();
    expect(long.error).toMatchObject({ code: 'INVALID_REQUEST', message: 'reason: at most 500 characters' });
    const extra = await (await feedback({ askId, rating: 'up', ip: '1.2.3.4' })).json();
    expect(extra.error.details).toEqual([{ path: 'ip', message: 'unknown field' }]);
    const unknown = await feedback({ askId: crypto.randomUUID(), rating: 'up' });
    expect(unknown.status).toBe(404);
    expect((await app.request('/v1/feedback')).status).toBe(405);
  });

  it('exports the questions as CSV', async () => {
    const res = await app.request('/admin/analytics/export?format=csv&days=7', { headers: bearer });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="questions-.*-7d\.csv"/);
    const csv = await res.text();
    expect(csv.split('\r\n')[0]).toBe(
      'ask_id,asked_at,channel,question,confidence,passage_ids,document_ids,rating,reason,rated_at',
    );
    expect(csv).toContain('How are akims elected?,high');
    expect(csv).toContain(',down,wanted the 2021 numbers,');
  });

  it('refuses analytics without the token, offers browsers a sign-in, and opens a session with it', async () => {
    const json = await app.request('/admin/analytics');
    expect(json.status).toBe(401);
    expect((await json.json()).error.code).toBe('UNAUTHORIZED');
    expect(
      (await app.request('/admin/analytics', { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    const page = await app.request('/admin/analytics?days=7', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('name="next" value="/admin/analytics?days=7"');
    const wrong = await app.request('/admin/login', {
      method: 'POST',
      body: new URLSearchParams({ token: 'nope', next: '/admin/analytics' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const login = await app.request('/admin/login', {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN, next: 'https://evil.example/' }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/analytics');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = cookie.split(';')[0] ?? '';
    const html = await app.request('/admin/analytics', { headers: { accept: 'text/html', cookie: session } });
    expect(html.status).toBe(200);
    const body = await html.text();
    expect(body).toContain('<svg class="chart"');
    expect(body).toContain('wanted the 2021 numbers');
    const forged = session.replace(/=\d+/, '=99999999999999');
    expect((await app.request('/admin/analytics', { headers: { cookie: forged } })).status).toBe(401);
  });

  it('limits the period to the retention', async () => {
    const res = await app.request('/admin/analytics?days=61', { headers: bearer });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe('days: at most 60 (ANALYTICS_RETENTION_DAYS)');
  });

  it('offers no analytics without an admin token, and no feedback without a store', async () => {
    const open = createApp({
      service,
      config: { ...config, ADMIN_TOKEN: undefined },
      feedback: { store, retentionDays: 60 },
    });
    expect((await open.request('/admin/analytics', { headers: bearer })).status).toBe(404);
    const none = createApp({ service, config });
    expect((await none.request('/v1/feedback', { method: 'POST' })).status).toBe(404);
  });
});
