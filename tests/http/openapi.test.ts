import { beforeAll, describe, expect, it } from 'vitest';
import { createBotFeedback } from '../../src/bots/feedback.ts';
import { createBotRoutes } from '../../src/bots/routes.ts';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { createRecordingService } from '../../src/feedback/recording.ts';
import { type AdminControl, createApp } from '../../src/http/app.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { createAskRequestSchema } from '../../src/http/schemas.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { createDiscordSigner, NOW, secrets, slackHeaders, webhookHeaders } from '../setup/bots.ts';
import { openTestIndex } from '../setup/test-index.ts';

type Operation = {
  operationId?: string;
  parameters?: Array<{
    name: string;
    in: string;
    required?: boolean;
    schema?: { example?: unknown };
    example?: unknown;
  }>;
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};
type Document = { paths: Record<string, Record<string, Operation>> };

const TOKEN = 'an-admin-token-for-tests';

/** `/openapi.json` describes every route, and each operation's example request succeeds as documented. */
describe('the OpenAPI document', () => {
  let app: ReturnType<typeof createApp>;
  let doc: Document;
  let discord: Awaited<ReturnType<typeof createDiscordSigner>>;

  beforeAll(async () => {
    const service = createQaService((await openTestIndex()).index);
    const store = createMemoryFeedbackStore();
    discord = await createDiscordSigner();
    const admin: AdminControl = { reindex: () => ({ state: 'running' }), status: () => ({ state: 'idle' }) };
    app = createApp({
      service: createRecordingService(service, store, { channel: 'web' }),
      config: {
        MAX_BODY_BYTES: 65_536,
        MAX_QUESTION_CHARS: 2000,
        RATE_LIMIT_PER_MINUTE: 0,
        ADMIN_TOKEN: TOKEN,
      },
      bots: createBotRoutes({
        service,
        config: { ...secrets, DISCORD_PUBLIC_KEY: discord.publicKey, SLACK_BOT_TOKEN: undefined },
        now: () => NOW,
        feedback: createBotFeedback(store),
      }),
      admin,
      feedback: { store, retentionDays: 30 },
      metrics: createMetrics('test'),
      assets: { widget: '/* widget */', swaggerCss: '/* css */', swaggerBundle: '/* ui */' },
    });
    doc = (await (await app.request('/openapi.json')).json()) as Document;
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );

  it('lists every route the app serves, and nothing else', () => {
    const served = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path.replaceAll(/:([^/]+)/g, '{$1}')}`),
    );
    const documented = new Set(operations().map((o) => `${o.method.toUpperCase()} ${o.path}`));
    expect([...documented].sort()).toEqual([...served].sort());
    expect(documented.size).toBeGreaterThanOrEqual(20);
  });

  /** Success: a 2xx, or the 303 that sends a browser's form post on to a page (sign-in, sign-out). */
  const succeeded = (status: string) => status.startsWith('2') || status === '303';

  it('gives every operation an id, a success response with a schema, and every body a schema with an example', () => {
    for (const { path, method, operation } of operations()) {
      const where = `${method} ${path}`;
      expect(operation.operationId, where).toBeTruthy();
      const success = Object.entries(operation.responses).filter(([status]) => succeeded(status));
      expect(success.length, where).toBeGreaterThan(0);
      for (const [status, response] of success) {
        if (status !== '202' && status !== '303')
          expect(Object.values(response.content ?? {})[0]?.schema, where).toBeTruthy();
      }
      for (const media of Object.values(operation.requestBody?.content ?? {})) {
        expect(media.schema, where).toBeTruthy();
        expect(media.example, where).toBeTruthy();
      }
    }
  });

  it('offers an ask example that the request schema accepts (not the generated documentIds: ["string"])', () => {
    const example = doc.paths['/v1/ask']?.post?.requestBody?.content['application/json']?.example;
    expect(createAskRequestSchema(2000).safeParse(example).success).toBe(true);
  });

  /** Headers an operation needs beyond its documented examples: real signatures and the admin token. */
  async function credentials(path: string, body: string): Promise<Record<string, string>> {
    if (path === '/bots/webhook') return webhookHeaders(body);
    if (path.startsWith('/bots/slack')) return slackHeaders(body);
    if (path === '/bots/discord') return discord.headers(body);
    if (path === '/bots/telegram')
      return { 'x-telegram-bot-api-secret-token': secrets.TELEGRAM_WEBHOOK_SECRET };
    if (path.startsWith('/admin')) return { authorization: `Bearer ${TOKEN}` };
    return {};
  }

  /**
   * An example body with the values only the running server can give: an askId it issued (feedback on an
   * answer) and the admin token (signing in). Like the signatures above, a document cannot hold them.
   */
  async function liveExample(path: string, example: unknown): Promise<unknown> {
    if (path === '/v1/feedback') {
      const answer = await app.request('/v1/ask', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'How are akims elected?' }),
      });
      return { ...(example as object), askId: ((await answer.json()) as { askId: string }).askId };
    }
    if (path === '/admin/login') return { ...(example as object), token: TOKEN };
    return example;
  }

  it('answers every operation tried with its documented example with a documented success', async () => {
    for (const { path, method, operation } of operations()) {
      let url = path;
      const headers: Record<string, string> = {};
      for (const parameter of operation.parameters ?? []) {
        const example = parameter.example ?? parameter.schema?.example;
        if (example === undefined) continue;
        if (parameter.in === 'path')
          url = url.replace(`{${parameter.name}}`, encodeURIComponent(String(example)));
        if (parameter.in === 'header' && parameter.name === 'accept') headers.accept = String(example);
      }
      const [mediaType, media] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
      let body: string | undefined;
      if (media) {
        const example = await liveExample(path, media.example);
        body =
          mediaType === 'application/x-www-form-urlencoded'
            ? new URLSearchParams(example as Record<string, string>).toString()
            : JSON.stringify(example);
        headers['content-type'] = mediaType as string;
      }
      Object.assign(headers, await credentials(path, body ?? ''));
      const res = await app.request(url, { method: method.toUpperCase(), headers, body });
      const documented = Object.keys(operation.responses).filter(succeeded);
      expect(documented, `${method} ${url} answered ${res.status}: ${await res.clone().text()}`).toContain(
        String(res.status),
      );
      const type = Object.keys(operation.responses[String(res.status)]?.content ?? {})[0];
      if (type) expect(res.headers.get('content-type'), `${method} ${url}`).toContain(type);
    }
  });
});
