import { describe, expect, it } from 'vitest';
import { createBotFeedback } from '../../src/bots/feedback.ts';
import { REASON_PROMPT } from '../../src/bots/telegram-feedback.ts';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { fakePlatformApis, NOW, secrets, setupBots } from '../setup/bots.ts';

/**
 * The reason after a 👎 in Telegram, through the webhook into the feedback store. The Bot API
 * (`sendMessage` of the prompt) is the one part mocked, at its HTTP boundary (`fakePlatformApis`).
 */
describe('Telegram reason after a 👎', () => {
  const TOKEN = '123456:test-token_abc';
  const CHAT = 9;
  const READER = 501;

  function setup(extra: Record<string, string | undefined> = { TELEGRAM_BOT_TOKEN: TOKEN }) {
    const store = createMemoryFeedbackStore();
    const clock = { now: NOW };
    const fetchMock = fakePlatformApis();
    const bots = setupBots(extra, createBotFeedback(store, { now: () => clock.now }), {
      now: () => clock.now,
      fetch: fetchMock,
    });
    let updateId = 0;
    const post = async (update: Record<string, unknown>) => {
      const res = await bots.app.request('/bots/telegram', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': secrets.TELEGRAM_WEBHOOK_SECRET,
        },
        body: JSON.stringify({ update_id: ++updateId, ...update }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const message = (text: string, extraFields: Record<string, unknown> = {}) =>
      post({
        message: {
          message_id: 50 + updateId,
          chat: { id: CHAT },
          from: { id: READER },
          text,
          ...extraFields,
        },
      });
    /** Asks a question, presses 👎 under the answer; returns the askId and the prompt's message id. */
    const dislike = async () => {
      const answer = (await message('How are akims elected?')).body as {
        reply_markup: { inline_keyboard: Array<Array<{ callback_data: string }>> };
      };
      const down = answer.reply_markup.inline_keyboard[0]?.[1]?.callback_data ?? '';
      const toast = await post({
        callback_query: {
          id: 'cq1',
          data: down,
          from: { id: READER },
          message: { message_id: 77, chat: { id: CHAT } },
        },
      });
      const promptId = fetchMock.telegramMessageIds.at(-1) ?? -1;
      return { askId: down.slice('fb:down:'.length), toast: toast.body, promptId };
    };
    const replyTo = (promptId: number, text: string, from = READER) =>
      message(text, {
        from: { id: from },
        reply_to_message: { message_id: promptId, from: { id: 1, is_bot: true }, text: REASON_PROMPT },
      });
    const asks = () => store.listAsks({ from: 0, to: NOW + 10 * 86_400_000 });
    return { ...bots, fetchMock, clock, post, message, dislike, replyTo, asks };
  }

  it('asks with a forced reply after 👎 and stores the reply as the reason, thanking the reader', async () => {
    const { fetchMock, dislike, replyTo, asks, calls } = setup();
    const { askId, toast, promptId } = await dislike();
    expect(toast).toMatchObject({ method: 'answerCallbackQuery', callback_query_id: 'cq1' });
    expect(toast.text).toMatch(/reply/);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`https://api.telegram.org/bot${TOKEN}/sendMessage`);
    expect(JSON.parse(String(init.body))).toEqual({
      chat_id: CHAT,
      text: REASON_PROMPT,
      reply_to_message_id: 77,
      reply_markup: { force_reply: true, input_field_placeholder: 'Reason (optional)' },
    });
    expect((await asks())[0]?.feedback).toMatchObject({ rating: 'down' });
    expect((await asks())[0]?.feedback?.reason).toBeUndefined();

    const thanks = await replyTo(promptId, '  I wanted the 2021 figures  ');
    expect(thanks.body).toMatchObject({
      method: 'sendMessage',
      chat_id: CHAT,
      text: 'Thank you for the feedback; it goes to the site owner.',
    });
    const [ask] = await asks();
    expect(ask?.id).toBe(askId);
    expect(ask?.feedback).toMatchObject({ rating: 'down', reason: 'I wanted the 2021 figures' });
    // The reason was not searched as a question: only the first question reached the service.
    expect(calls.map((c) => c.question)).toEqual(['How are akims elected?']);

    // The prompt is settled: a second reply to it is not another reason (it is a late one).
    const again = await replyTo(promptId, 'and another thing');
    expect(again.body.text).toMatch(/expired/);
    expect((await asks())[0]?.feedback?.reason).toBe('I wanted the 2021 figures');
  });

  it('refuses a reason over 500 characters, keeps the prompt open and takes a shorter one', async () => {
    const { dislike, replyTo, asks } = setup();
    const { promptId } = await dislike();
    const long = await replyTo(promptId, 'x'.repeat(501));
    expect(long.status).toBe(200);
    expect(long.body.text).toMatch(/500 characters \(this one has 501\)/);
    expect((await asks())[0]?.feedback?.reason).toBeUndefined();
    await replyTo(promptId, 'y'.repeat(500));
    expect((await asks())[0]?.feedback?.reason).toBe('y'.repeat(500));
  });

  it('answers a reply to an unknown message as a follow-up question and records nothing', async () => {
    const { dislike, message, asks, calls } = setup();
    await dislike();
    const res = await message('and about parties?', {
      reply_to_message: { message_id: 12345, from: { id: 1, is_bot: true }, text: 'an earlier answer' },
    });
    expect(res.body).toMatchObject({ method: 'sendMessage', parse_mode: 'HTML' });
    expect(calls.map((c) => c.question)).toEqual(['How are akims elected?', 'and about parties?']);
    expect((await asks())[0]?.feedback?.reason).toBeUndefined();
  });

  it('says so when the prompt has expired, without storing the reason or searching it', async () => {
    const { dislike, replyTo, clock, asks, calls } = setup();
    const { promptId } = await dislike();
    clock.now += 60 * 60_000 + 1;
    const late = await replyTo(promptId, 'too late');
    expect(late.body).toMatchObject({ method: 'sendMessage', text: expect.stringMatching(/expired/) });
    expect((await asks())[0]?.feedback).toMatchObject({ rating: 'down' });
    expect((await asks())[0]?.feedback?.reason).toBeUndefined();
    expect(calls).toHaveLength(1);
  });

  it('in a group, ignores another member replying to the prompt', async () => {
    const { dislike, replyTo, asks, calls } = setup();
    const { promptId } = await dislike();
    expect((await replyTo(promptId, 'not mine to say', 999)).body).toEqual({});
    expect((await asks())[0]?.feedback?.reason).toBeUndefined();
    await replyTo(promptId, 'mine');
    expect((await asks())[0]?.feedback?.reason).toBe('mine');
    expect(calls).toHaveLength(1);
  });

  it('records the thumb alone without a bot token or when the Bot API refuses', async () => {
    const without = setup({ TELEGRAM_BOT_TOKEN: undefined });
    const { toast } = await without.dislike();
    expect(toast.text).toBe('Thank you for the feedback; it goes to the site owner.');
    expect(without.fetchMock).not.toHaveBeenCalled();
    expect((await without.asks())[0]?.feedback?.rating).toBe('down');

    const refused = setup();
    refused.fetchMock.mockImplementationOnce(async () =>
      Response.json({ ok: false, description: 'Bad Request: chat not found' }, { status: 400 }),
    );
    const answer = await refused.dislike();
    expect(answer.toast.text).toBe('Thank you for the feedback; it goes to the site owner.');
    expect((await refused.asks())[0]?.feedback?.rating).toBe('down');
    expect(refused.logs).toContainEqual(
      expect.objectContaining({
        msg: 'telegram reason prompt failed',
        error: expect.stringMatching(/chat not found/),
      }),
    );
    // The token never reaches the log.
    expect(JSON.stringify(refused.logs)).not.toContain(TOKEN);
  });

  it('rejects a mis-shaped reply with 400 naming the field', async () => {
    const { message } = setup();
    const res = await message('reason', { reply_to_message: { message_id: 'x' } });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('message.reply_to_message.message_id');
  });
});
