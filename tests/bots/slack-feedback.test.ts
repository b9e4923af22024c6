import { describe, expect, it } from 'vitest';
import { createBotFeedback } from '../../src/bots/feedback.ts';
import { REASON_CALLBACK } from '../../src/bots/slack-feedback.ts';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import { NOW, secrets, setupBots, slackHeaders } from '../setup/bots.ts';

/**
 * The reason after a 👎 in Slack, through the signed interactivity endpoint into the feedback store. The
 * Slack Web API (`views.open`) is the one part mocked, at its HTTP boundary (`fakePlatformApis`).
 */
describe('Slack reason modal after a 👎', () => {
  function setup(extra: Record<string, string | undefined> = {}) {
    const store = createMemoryFeedbackStore();
    const bots = setupBots(extra, createBotFeedback(store, { now: () => NOW }));
    const post = async (path: string, body: string, headers: Record<string, string> = {}) =>
      bots.app.request(`/bots/slack/${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(await slackHeaders(body)),
          ...headers,
        },
        body,
      });
    const interact = (payload: unknown) =>
      post('interactions', new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    /** Asks with the slash command and returns the askId of the answer. */
    const ask = async () => {
      const command = 'command=%2Fask&text=How+are+akims+elected%3F&channel_id=C1&user_id=U1';
      const message = (await (await post('commands', command)).json()) as {
        blocks: Array<{ elements?: Array<{ value: string }> }>;
      };
      return message.blocks.at(-1)?.elements?.[1]?.value.slice('fb:down:'.length) ?? '';
    };
    const submit = (askId: string, value: string | null, callbackId = REASON_CALLBACK) =>
      interact({
        type: 'view_submission',
        user: { id: 'U1' },
        view: {
          callback_id: callbackId,
          private_metadata: askId,
          state: { values: { reason: { reason: { type: 'plain_text_input', value } } } },
        },
      });
    const asks = () => store.listAsks({ from: 0, to: NOW + 1 });
    return { ...bots, interact, ask, submit, asks, post };
  }

  it('opens a modal with the trigger and the bot token, and stores the submitted reason', async () => {
    const { ask, interact, submit, asks, fetchMock } = setup();
    const askId = await ask();
    const pressed = await interact({
      type: 'block_actions',
      trigger_id: 'trig.123',
      actions: [{ action_id: 'feedback_down', value: `fb:down:${askId}` }],
    });
    expect(await pressed.json()).toEqual({ text: 'Thank you for the feedback; it goes to the site owner.' });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe('https://slack.com/api/views.open');
    expect(new Headers(init.headers).get('authorization')).toBe(`Bearer ${secrets.SLACK_BOT_TOKEN}`);
    const opened = JSON.parse(String(init.body));
    expect(opened).toMatchObject({
      trigger_id: 'trig.123',
      view: { type: 'modal', callback_id: REASON_CALLBACK, private_metadata: askId },
    });
    expect(opened.view.blocks).toEqual([
      expect.objectContaining({
        type: 'input',
        block_id: 'reason',
        optional: true,
        element: expect.objectContaining({ type: 'plain_text_input', action_id: 'reason', max_length: 500 }),
      }),
    ]);
    expect((await asks())[0]?.feedback).toMatchObject({ rating: 'down' });

    const submitted = await submit(askId, '  The wrong article  ');
    expect(submitted.status).toBe(200);
    expect(await submitted.json()).toMatchObject({
      response_action: 'update',
      view: { blocks: [{ text: { text: 'Thank you for the feedback; it goes to the site owner.' } }] },
    });
    expect((await asks())[0]?.feedback).toMatchObject({ rating: 'down', reason: 'The wrong article' });
  });

  it('opens no modal after 👍, and none without a bot token (the thumb is still recorded)', async () => {
    const up = setup();
    const upId = await up.ask();
    await up.interact({ type: 'block_actions', trigger_id: 't', actions: [{ value: `fb:up:${upId}` }] });
    expect(up.fetchMock).not.toHaveBeenCalled();

    const tokenless = setup({ SLACK_BOT_TOKEN: undefined });
    const askId = await tokenless.ask();
    await tokenless.interact({
      type: 'block_actions',
      trigger_id: 't',
      actions: [{ value: `fb:down:${askId}` }],
    });
    expect(tokenless.fetchMock).not.toHaveBeenCalled();
    expect((await tokenless.asks())[0]?.feedback?.rating).toBe('down');
  });

  it('keeps the thumb and logs when Slack refuses views.open', async () => {
    const { ask, interact, asks, fetchMock, logs } = setup();
    fetchMock.mockImplementationOnce(async () => Response.json({ ok: false, error: 'expired_trigger_id' }));
    const askId = await ask();
    const res = await interact({
      type: 'block_actions',
      trigger_id: 't',
      actions: [{ value: `fb:down:${askId}` }],
    });
    expect(res.status).toBe(200);
    expect((await asks())[0]?.feedback?.rating).toBe('down');
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: 'slack reason modal failed',
        error: expect.stringMatching(/expired_trigger_id/),
      }),
    );
  });

  it('keeps the modal open with an error on a reason over 500 characters', async () => {
    const { ask, submit, asks } = setup();
    const askId = await ask();
    const res = await submit(askId, 'x'.repeat(501));
    expect(await res.json()).toEqual({
      response_action: 'errors',
      errors: { reason: 'Please keep the reason to 500 characters (this one has 501).' },
    });
    expect((await asks())[0]?.feedback).toBeUndefined();
  });

  it('records an empty submission as a 👎 without a reason', async () => {
    const { ask, submit, asks } = setup();
    const askId = await ask();
    await submit(askId, null);
    const [stored] = await asks();
    expect(stored?.feedback?.rating).toBe('down');
    expect(stored?.feedback?.reason).toBeUndefined();
  });

  it('tells the reader when the answer is unknown or gone, and ignores other modals', async () => {
    const { ask, submit, asks } = setup();
    await ask();
    for (const askId of [crypto.randomUUID(), 'not-an-id', '']) {
      expect(await (await submit(askId, 'why')).json()).toMatchObject({
        response_action: 'update',
        view: { blocks: [{ text: { text: 'This answer is too old to rate.' } }] },
      });
    }
    const askId = (await asks())[0]?.id ?? '';
    expect(await (await submit(askId, 'why', 'someone_elses_modal')).json()).toEqual({
      response_action: 'clear',
    });
    expect((await asks())[0]?.feedback).toBeUndefined();
  });

  it('checks the signature and refuses a replayed submission', async () => {
    const { ask, post, asks } = setup();
    const askId = await ask();
    const body = new URLSearchParams({
      payload: JSON.stringify({
        type: 'view_submission',
        view: {
          callback_id: REASON_CALLBACK,
          private_metadata: askId,
          state: { values: { reason: { reason: { value: 'forged' } } } },
        },
      }),
    }).toString();
    expect((await post('interactions', body, { 'x-slack-signature': 'v0=00' })).status).toBe(401);
    expect((await asks())[0]?.feedback).toBeUndefined();
    expect((await post('interactions', body)).status).toBe(200);
    const replayed = await post('interactions', body);
    expect(replayed.status).toBe(409);
  });

  it('rejects a mis-shaped submission with 400 naming the field', async () => {
    const { interact } = setup();
    const res = await interact({
      type: 'view_submission',
      view: { callback_id: REASON_CALLBACK, state: { values: { reason: { reason: { value: 5 } } } } },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('view.state.values.reason.reason.value');
  });
});
