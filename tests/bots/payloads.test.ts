import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBotFeedback } from '../../src/bots/feedback.ts';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { ErrorSchema } from '../../src/http/schemas.ts';
import { createDiscordSigner, secrets, setupBots, slackHeaders, webhookHeaders } from '../setup/bots.ts';

/**
 * Correctly signed requests whose bodies are not shaped as the platform documents: every bot answers
 * them with a 4xx error envelope naming the field (never a 500), and asks nothing.
 */
describe('signed but mis-shaped bot payloads', () => {
  let discord: Awaited<ReturnType<typeof createDiscordSigner>>;
  let bots: ReturnType<typeof setupBots>;
  beforeAll(async () => {
    discord = await createDiscordSigner();
    // With feedback on, so that button presses and modals are validated too.
    bots = setupBots(
      { DISCORD_PUBLIC_KEY: discord.publicKey },
      createBotFeedback(createMemoryFeedbackStore()),
    );
  });

  /** Every signed JSON endpoint, as a function that posts a body with valid credentials. */
  const endpoints: Record<string, (body: string) => Response | Promise<Response>> = {
    // Slack's interactivity JSON arrives in the `payload` field of a form.
    'slack interactions': async (json) => {
      const body = new URLSearchParams({ payload: json }).toString();
      return bots.app.request('/bots/slack/interactions', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(await slackHeaders(body)) },
        body,
      });
    },
    'slack events': async (body) =>
      bots.app.request('/bots/slack/events', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await slackHeaders(body)) },
        body,
      }),
    discord: async (body) =>
      bots.app.request('/bots/discord', { method: 'POST', headers: await discord.headers(body), body }),
    webhook: async (body) =>
      bots.app.request('/bots/webhook', { method: 'POST', headers: await webhookHeaders(body), body }),
    telegram: (body) =>
      bots.app.request('/bots/telegram', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': secrets.TELEGRAM_WEBHOOK_SECRET,
        },
        body,
      }),
  };

  async function expectRejected(res: Response, field?: string) {
    expect(res.status).toBe(400);
    const body = ErrorSchema.parse(await res.json());
    expect(body.error.code).toMatch(/^INVALID_(REQUEST|JSON)$/);
    if (field) expect(body.error.message).toContain(field);
  }

  it.each([
    ['slack interactions', 'null', undefined],
    ['slack interactions', '{"type":', undefined],
    [
      'slack interactions',
      JSON.stringify({ type: 'block_actions', actions: [{ value: 7 }] }),
      'actions.0.value',
    ],
    ['slack events', 'null', undefined],
    ['slack events', '[]', undefined],
    [
      'slack events',
      JSON.stringify({
        type: 'event_callback',
        event_id: 'Ev9',
        event: { type: 'app_mention', text: 42, channel: 'C1' },
      }),
      'event.text',
    ],
    ['slack events', JSON.stringify({ type: 'event_callback', event_id: 'Ev8', event: 'mention' }), 'event'],
    ['slack events', JSON.stringify({ type: 'url_verification', challenge: { a: 1 } }), 'challenge'],
    ['discord', 'null', undefined],
    ['discord', JSON.stringify({ type: 2, data: { options: 'question' } }), 'data.options'],
    [
      'discord',
      JSON.stringify({ type: 2, data: { options: { name: 'question', value: 'q' } } }),
      'data.options',
    ],
    ['discord', JSON.stringify({ type: 2, data: { options: [null] } }), 'data.options.0'],
    ['discord', JSON.stringify({ type: '2' }), 'type'],
    ['discord', JSON.stringify({ type: 2, member: { user: { id: 5 } } }), 'member.user.id'],
    ['discord', JSON.stringify({ type: 3, data: { custom_id: 5 } }), 'data.custom_id'],
    ['discord', JSON.stringify({ type: 5, data: { custom_id: 'fbr:x', components: {} } }), 'data.components'],
    ['webhook', 'null', undefined],
    ['webhook', JSON.stringify({ text: 'q', conversationId: 7 }), 'conversationId'],
    ['webhook', JSON.stringify({ text: ['q'] }), 'text'],
    ['telegram', 'null', undefined],
    ['telegram', JSON.stringify({ update_id: 1, message: { chat: { id: 1 }, text: 5 } }), 'message.text'],
    ['telegram', JSON.stringify({ update_id: 2, message: 'hi' }), 'message'],
    [
      'telegram',
      JSON.stringify({ update_id: 3, callback_query: { id: 'q', data: 9 } }),
      'callback_query.data',
    ],
  ])('%s: rejects %s with 400 naming the field', async (endpoint, body, field) => {
    const before = bots.calls.length;
    await expectRejected(await (endpoints[endpoint] as (b: string) => Promise<Response>)(body), field);
    expect(bots.calls.length).toBe(before);
  });

  const json = fc.jsonValue({ maxDepth: 4 });
  /** Valid-looking payloads with any field replaced by an arbitrary JSON value. */
  const mutated = (base: Record<string, unknown>) =>
    fc.record({ keys: fc.subarray(Object.keys(base)), value: json }).map(({ keys, value }) => {
      const copy: Record<string, unknown> = structuredClone(base);
      for (const key of keys) copy[key] = value;
      return copy;
    });
  const shapes: Record<string, Record<string, unknown>> = {
    'slack interactions': {
      type: 'block_actions',
      actions: [{ action_id: 'feedback_up', value: `fb:up:${crypto.randomUUID()}` }],
    },
    'slack events': {
      type: 'event_callback',
      event_id: 'Ev1',
      event: { type: 'app_mention', text: 'q', channel: 'C1', user: 'U1', ts: '1.2' },
    },
    discord: {
      type: 2,
      channel_id: 'c',
      member: { user: { id: 'u' } },
      data: { options: [{ name: 'question', value: 'q' }] },
    },
    webhook: { conversationId: 'c', text: 'q' },
    telegram: { update_id: 1, message: { message_id: 1, chat: { id: 1 }, text: 'q' } },
  };

  it.each(Object.keys(endpoints))(
    '%s: answers any signed JSON with 200 or a 4xx envelope, never a 5xx',
    async (name) => {
      const post = endpoints[name] as (b: string) => Promise<Response>;
      let n = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(json, mutated(shapes[name] as Record<string, unknown>)),
          async (payload) => {
            // Fresh ids so that de-duplication does not hide the handling of a payload.
            if (payload && typeof payload === 'object' && !Array.isArray(payload)) {
              const p = payload as Record<string, unknown>;
              if (p.event_id === 'Ev1') p.event_id = `Ev1-${n}`;
              if (p.update_id === 1) p.update_id = 1000 + n;
              if (p.text === 'q') p.text = `q ${n}`;
            }
            n++;
            const res = await post(JSON.stringify(payload));
            expect(res.status).toBeLessThan(500);
            const body = (await res.json()) as { error?: unknown };
            if (res.status >= 400) ErrorSchema.parse(body);
          },
        ),
        { numRuns: 150, seed: 16 },
      );
    },
  );
});
