import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createBotFeedback } from '../../src/bots/feedback.ts';
import { createBotRoutes } from '../../src/bots/routes.ts';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { createApp } from '../../src/http/app.ts';
import type { AskResult } from '../../src/retrieve/types.ts';
import {
  createDiscordSigner,
  fakeBotService,
  NOW,
  secrets,
  setupBots as setup,
  slackHeaders,
  webhookHeaders,
} from '../setup/bots.ts';

describe('Telegram webhook', () => {
  const update = (id: number, text: string, chat = 7) =>
    JSON.stringify({
      update_id: id,
      message: { message_id: 100 + id, chat: { id: chat, type: 'private' }, text },
    });
  const post = (
    app: ReturnType<typeof setup>['app'],
    body: string,
    secret = secrets.TELEGRAM_WEBHOOK_SECRET,
  ) =>
    app.request('/bots/telegram', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
      body,
    });

  it('answers in the webhook response with escaped HTML and links to the passages', async () => {
    const { app } = setup();
    const res = await post(app, update(1, 'How are akims elected?'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { method: string; chat_id: number; text: string; parse_mode: string };
    expect(body).toMatchObject({ method: 'sendMessage', chat_id: 7, parse_mode: 'HTML' });
    expect(body.text).toContain('&lt;b&gt;markup&lt;/b&gt; &amp; more');
    expect(body.text).toContain('<a href="https://qa.example/passages/d.p1">Label 1</a>');
    expect(body.text.length).toBeLessThanOrEqual(4096);
  });

  it('rejects a forged request without asking anything', async () => {
    const { app, calls } = setup();
    expect((await post(app, update(2, 'q'), 'wrong')).status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it('answers a re-delivered update only once', async () => {
    const { app, calls } = setup();
    await post(app, update(3, 'q'));
    const again = await post(app, update(3, 'q'));
    expect(await again.json()).toEqual({});
    expect(calls).toHaveLength(1);
  });

  it('rejects malformed JSON with 400', async () => {
    const { app } = setup();
    expect((await post(app, '{"update_id":')).status).toBe(400);
  });

  it('keeps per-chat history for follow-ups and pages with /more', async () => {
    const { app, calls } = setup();
    await post(app, update(10, 'What does Huntington say about modernization?'));
    await post(app, update(11, 'and about parties?'));
    expect(calls[1]?.history).toEqual([
      { role: 'user', content: 'What does Huntington say about modernization?' },
    ]);
    await post(app, update(12, 'unrelated', 99));
    expect(calls[2]?.history).toEqual([]);
    const more = (await (await post(app, update(13, '/more'))).json()) as { text: string };
    expect(more.text).toContain('Label 4');
    expect(more.text).not.toContain('Label 1<');
  });

  it('answers /start and /help without searching', async () => {
    const { app, calls } = setup();
    const res = (await (await post(app, update(20, '/start'))).json()) as { text: string };
    expect(res.text).toMatch(/Ask a question/);
    expect(calls).toHaveLength(0);
  });

  it('says when the corpus probably does not cover the question', async () => {
    const { app } = setup();
    const res = (await (await post(app, update(30, "Uzbekistan's elections?"))).json()) as { text: string };
    expect(res.text).toMatch(
      /<i>The closest passages do not mention Uzbekistan; the documents may not cover this.<\/i>/,
    );
  });
});

describe('Slack', () => {
  const signed = (body: string, timestamp = Math.floor(NOW / 1000), secret = secrets.SLACK_SIGNING_SECRET) =>
    slackHeaders(body, String(timestamp), secret);

  it('answers a slash command with Block Kit sections', async () => {
    const { app } = setup();
    const body = 'command=%2Fask&text=How+are+akims+elected%3F&channel_id=C1&user_id=U1';
    const res = await app.request('/bots/slack/commands', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(await signed(body)) },
      body,
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as {
      response_type: string;
      blocks: Array<{ type: string; text?: { text: string } }>;
    };
    expect(json.response_type).toBe('in_channel');
    expect(json.blocks[0]?.text?.text).toMatch(
      /^>Quote 1 with &lt;b&gt;markup&lt;\/b&gt; &amp; more\n— <https:\/\/qa\.example\/passages\/d\.p1\|Label 1>/,
    );
  });

  it('rejects a forged or replayed signature', async () => {
    const { app, calls } = setup();
    const body = 'text=q&channel_id=C1&user_id=U1';
    const forged = await app.request('/bots/slack/commands', {
      method: 'POST',
      headers: await signed(body, undefined, 'nope-nope-nope'),
      body,
    });
    expect(forged.status).toBe(401);
    const old = Math.floor(NOW / 1000) - 600;
    const replayed = await app.request('/bots/slack/commands', {
      method: 'POST',
      headers: await signed(body, old),
      body,
    });
    expect(replayed.status).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it('answers the URL verification challenge and posts event answers once per event', async () => {
    const { app, fetchMock } = setup();
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'abc' });
    const res = await app.request('/bots/slack/events', {
      method: 'POST',
      headers: await signed(challenge),
      body: challenge,
    });
    expect(await res.json()).toEqual({ challenge: 'abc' });

    const event = JSON.stringify({
      type: 'event_callback',
      event_id: 'Ev1',
      event: {
        type: 'app_mention',
        text: '<@U0BOT> How are akims elected?',
        channel: 'C1',
        user: 'U1',
        ts: '1.2',
      },
    });
    expect(
      (await app.request('/bots/slack/events', { method: 'POST', headers: await signed(event), body: event }))
        .status,
    ).toBe(200);
    await app.request('/bots/slack/events', { method: 'POST', headers: await signed(event), body: event });
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('https://slack.com/api/chat.postMessage');
    expect(JSON.parse(String(init.body))).toMatchObject({ channel: 'C1', thread_ts: '1.2' });
  });
});

describe('Discord interactions', () => {
  let signer: Awaited<ReturnType<typeof createDiscordSigner>>;
  let publicKey: string;
  beforeAll(async () => {
    signer = await createDiscordSigner();
    publicKey = signer.publicKey;
  });
  const sign = (body: string, timestamp?: string) => signer.headers(body, timestamp);

  it('answers PING and a slash command with embeds', async () => {
    const { app } = setup({ DISCORD_PUBLIC_KEY: publicKey });
    const ping = JSON.stringify({ type: 1 });
    expect(
      await (
        await app.request('/bots/discord', { method: 'POST', headers: await sign(ping), body: ping })
      ).json(),
    ).toEqual({ type: 1 });
    const command = JSON.stringify({
      type: 2,
      channel_id: 'c',
      member: { user: { id: 'u' } },
      data: { name: 'ask', options: [{ name: 'question', value: 'How are akims elected?' }] },
    });
    const res = await app.request('/bots/discord', {
      method: 'POST',
      headers: await sign(command),
      body: command,
    });
    const json = (await res.json()) as {
      type: number;
      data: { embeds: Array<{ title: string; description: string; url: string }> };
    };
    expect(json.type).toBe(4);
    expect(json.data.embeds[0]).toMatchObject({
      title: 'D',
      footer: { text: 'Label 1' },
      url: 'https://qa.example/passages/d.p1',
    });
  });

  it('rejects a forged, replayed or malformed request', async () => {
    const { app, calls } = setup({ DISCORD_PUBLIC_KEY: publicKey });
    const body = JSON.stringify({ type: 2, data: { options: [{ name: 'question', value: 'q' }] } });
    const headers = await sign(body);
    const tampered = body.replace('"q"', '"x"');
    expect((await app.request('/bots/discord', { method: 'POST', headers, body: tampered })).status).toBe(
      401,
    );
    const old = await sign(body, String(Math.floor(NOW / 1000) - 3600));
    expect((await app.request('/bots/discord', { method: 'POST', headers: old, body })).status).toBe(401);
    const broken = '{"type":';
    expect(
      (await app.request('/bots/discord', { method: 'POST', headers: await sign(broken), body: broken }))
        .status,
    ).toBe(400);
    expect(calls).toHaveLength(0);
  });
});

describe('generic JSON webhook', () => {
  const signed = webhookHeaders;

  it('answers with formatted text and the structured answer', async () => {
    const { app } = setup();
    const body = JSON.stringify({ conversationId: 'c1', text: 'How are akims elected?' });
    const json = (await (
      await app.request('/bots/webhook', { method: 'POST', headers: await signed(body), body })
    ).json()) as {
      text: string;
      answer: AskResult;
    };
    expect(json.text).toMatch(/^1\. “Quote 1/);
    expect(json.answer.passages).toHaveLength(3);
  });

  it('rejects forged, replayed and malformed requests', async () => {
    const { app, calls } = setup();
    const body = JSON.stringify({ text: 'q' });
    expect(
      (
        await app.request('/bots/webhook', {
          method: 'POST',
          headers: await signed(body, undefined, 'wrong-secret-0000000'),
          body,
        })
      ).status,
    ).toBe(401);
    expect(
      (await app.request('/bots/webhook', { method: 'POST', headers: await signed(body, '1000'), body }))
        .status,
    ).toBe(401);
    const empty = JSON.stringify({ text: '' });
    expect(
      (await app.request('/bots/webhook', { method: 'POST', headers: await signed(empty), body: empty }))
        .status,
    ).toBe(400);
    expect(calls).toHaveLength(0);
  });

  it('is not mounted when its secret is not configured', async () => {
    const { service } = fakeBotService();
    const app = createApp({
      service,
      config: { MAX_BODY_BYTES: 4096, MAX_QUESTION_CHARS: 200 },
      bots: createBotRoutes({ service, config: {} }),
    });
    expect((await app.request('/bots/webhook', { method: 'POST', body: '{}' })).status).toBe(404);
  });
});

describe('feedback buttons in the bots', () => {
  const UUID = /^[0-9a-f-]{36}$/;
  const withFeedback = (extra: Record<string, string> = {}) => {
    const store = createMemoryFeedbackStore();
    const { app } = setup(extra, createBotFeedback(store, { now: () => NOW }));
    const asks = () => store.listAsks({ from: 0, to: NOW + 1 });
    return { app, asks };
  };

  it('Telegram: records the answer, offers 👍/👎 and records the press', async () => {
    const { app, asks } = withFeedback();
    const post = (body: unknown) =>
      app.request('/bots/telegram', {
        method: 'POST',
        headers: { 'x-telegram-bot-api-secret-token': secrets.TELEGRAM_WEBHOOK_SECRET },
        body: JSON.stringify(body),
      });
    const answer = (await (
      await post({
        update_id: 1,
        message: { message_id: 5, chat: { id: 9 }, text: 'How are akims elected?' },
      })
    ).json()) as { reply_markup: { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> } };
    const [up, down] = answer.reply_markup.inline_keyboard[0] ?? [];
    const [ask] = await asks();
    expect(ask).toMatchObject({
      channel: 'telegram',
      question: 'How are akims elected?',
      passageIds: ['d.p1', 'd.p2', 'd.p3'],
    });
    expect(ask?.id).toMatch(UUID);
    expect(up?.callback_data).toBe(`fb:up:${ask?.id}`);
    expect(down?.text).toBe('👎 Not helpful');
    const toast = await (
      await post({ update_id: 2, callback_query: { id: 'cq1', data: down?.callback_data } })
    ).json();
    expect(toast).toMatchObject({
      method: 'answerCallbackQuery',
      callback_query_id: 'cq1',
      text: /Thank you/,
    });
    expect((await asks())[0]?.feedback?.rating).toBe('down');
    const unknown = await (
      await post({ update_id: 3, callback_query: { id: 'cq2', data: `fb:up:${crypto.randomUUID()}` } })
    ).json();
    expect(unknown.text).toMatch(/too old/);
  });

  it('Slack: adds an actions block and records a button press from the interactivity endpoint', async () => {
    const { app, asks } = withFeedback();
    const sign = async (body: string) => ({
      'content-type': 'application/x-www-form-urlencoded',
      ...(await slackHeaders(body)),
    });
    const command = 'command=%2Fask&text=How+are+akims+elected%3F&channel_id=C1&user_id=U1';
    const message = (await (
      await app.request('/bots/slack/commands', {
        method: 'POST',
        headers: await sign(command),
        body: command,
      })
    ).json()) as { blocks: Array<{ type: string; elements?: Array<{ value: string }> }> };
    const actions = message.blocks.at(-1);
    expect(actions?.type).toBe('actions');
    const [ask] = await asks();
    expect(ask?.channel).toBe('slack');
    const payload = new URLSearchParams({
      payload: JSON.stringify({ type: 'block_actions', actions: [{ value: actions?.elements?.[0]?.value }] }),
    }).toString();
    const res = await app.request('/bots/slack/interactions', {
      method: 'POST',
      headers: await sign(payload),
      body: payload,
    });
    expect(await res.json()).toEqual({ text: 'Thank you for the feedback; it goes to the site owner.' });
    expect((await asks())[0]?.feedback?.rating).toBe('up');
    const forged = await app.request('/bots/slack/interactions', {
      method: 'POST',
      headers: { ...(await sign(payload)), 'x-slack-signature': 'v0=00' },
      body: payload,
    });
    expect(forged.status).toBe(401);
  });

  it('Discord: buttons under the embeds; 👎 opens a modal whose reason is stored', async () => {
    const signer = await createDiscordSigner();
    const { app, asks } = withFeedback({ DISCORD_PUBLIC_KEY: signer.publicKey });
    const send = async (interaction: unknown) => {
      const body = JSON.stringify(interaction);
      const headers = await signer.headers(body);
      return (await app.request('/bots/discord', { method: 'POST', headers, body })).json();
    };
    const answer = await send({
      type: 2,
      channel_id: 'c',
      member: { user: { id: 'u' } },
      data: { options: [{ name: 'question', value: 'How are akims elected?' }] },
    });
    const buttons = answer.data.components[0].components as Array<{ custom_id: string }>;
    const [ask] = await asks();
    expect(ask?.channel).toBe('discord');
    expect(buttons.map((b) => b.custom_id)).toEqual([`fb:up:${ask?.id}`, `fb:down:${ask?.id}`]);
    const modal = await send({ type: 3, data: { custom_id: buttons[1]?.custom_id } });
    expect(modal).toMatchObject({ type: 9, data: { custom_id: `fbr:${ask?.id}` } });
    expect((await asks())[0]?.feedback?.rating).toBe('down');
    const submitted = await send({
      type: 5,
      data: {
        custom_id: `fbr:${ask?.id}`,
        components: [{ type: 1, components: [{ custom_id: 'reason', value: ' The wrong article ' }] }],
      },
    });
    expect(submitted).toEqual({
      type: 4,
      data: { content: 'Thank you for the feedback; it goes to the site owner.', flags: 64 },
    });
    expect((await asks())[0]?.feedback).toMatchObject({ rating: 'down', reason: 'The wrong article' });
    expect(await send({ type: 3, data: { custom_id: buttons[0]?.custom_id } })).toMatchObject({
      type: 4,
      data: { flags: 64 },
    });
    expect((await asks())[0]?.feedback?.rating).toBe('up');
  });

  it('webhook: returns the askId for POST /v1/feedback; /more and /help record nothing', async () => {
    const { app, asks } = withFeedback();
    const send = async (text: string) => {
      const body = JSON.stringify({ conversationId: 'c1', text });
      const headers = await webhookHeaders(body);
      return (await (await app.request('/bots/webhook', { method: 'POST', headers, body })).json()) as {
        askId?: string;
      };
    };
    const first = await send('How are akims elected?');
    expect(first.askId).toMatch(UUID);
    expect((await send('/more')).askId).toBeUndefined();
    expect((await send('/help')).askId).toBeUndefined();
    expect((await asks()).map((a) => [a.id, a.channel])).toEqual([[first.askId, 'webhook']]);
  });

  it('shows no buttons without a feedback store', async () => {
    const { app } = setup();
    const body = { update_id: 1, message: { chat: { id: 9 }, text: 'How are akims elected?' } };
    const res = await app.request('/bots/telegram', {
      method: 'POST',
      headers: { 'x-telegram-bot-api-secret-token': secrets.TELEGRAM_WEBHOOK_SECRET },
      body: JSON.stringify(body),
    });
    expect((await res.json()).reply_markup).toBeUndefined();
  });
});
