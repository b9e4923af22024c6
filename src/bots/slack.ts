import type { Context } from 'hono';
import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp, documented } from '../http/openapi.ts';
import type { AskResult } from '../retrieve/types.ts';
import type { Converse } from './converse.ts';
import type { BotFeedback } from './feedback.ts';
import { clip, formatPlain, lowConfidence, passageLink } from './format.ts';
import { readVerified, type SignedRequest, signedRoute } from './payload.ts';
import { callPlatform } from './platform-api.ts';
import type { ReplayGuard } from './replay.ts';
import {
  SlackCommandReplySchema,
  SlackCommandSchema,
  SlackEventReplySchema,
  SlackEventSchema,
  SlackInteractionFormSchema,
  SlackInteractionReplySchema,
  SlackInteractionSchema,
} from './schemas.ts';
import { answerSlackInteraction, type SlackFeedback, slackFeedbackBlock } from './slack-feedback.ts';
import { verifySlack } from './verify.ts';

const SLACK_SIGNATURE = 'v0=<hex HMAC-SHA256 of v0:timestamp:body>';

export interface SlackOptions {
  signingSecret: string;
  /**
   * Bot token for the Web API (`chat.postMessage`, `views.open`); without it event answers are computed
   * but not posted, and a 👎 opens no reason modal.
   */
  botToken?: string;
  publicUrl?: string;
  now: () => number;
  fetch: typeof fetch;
  log: (entry: Record<string, unknown>) => void;
  replays: ReplayGuard;
  /** Records answers; each then carries 👍/👎 buttons, whose presses (and reasons) arrive at `/interactions`. */
  feedback?: BotFeedback;
  /** Event ids already answered (Slack re-sends events it thinks were missed). */
  deliveries: ReplayGuard;
}

/**
 * Slack: a slash command (`/commands`, answered in the response), the Events API (`/events`,
 * acknowledged at once and answered with `chat.postMessage`) and interactivity (`/interactions`, the
 * feedback buttons and the reason modal). Every request is signature-checked.
 */
export function createSlackRoutes(converse: Converse, options: SlackOptions) {
  const app = createOpenApiApp();
  const signed: SignedRequest = {
    platform: 'Slack',
    headers: { timestamp: 'x-slack-request-timestamp', signature: 'x-slack-signature' },
    verify: (headers, body) => verifySlack(options.signingSecret, headers, body, options.now() / 1000),
    replays: options.replays,
  };
  const verified = (c: Context) => readVerified(c, signed);
  const { botToken } = options;
  /** A Slack Web API method called with the bot token (`fetch` is the boundary tests replace). */
  const callSlack = botToken
    ? (method: string, body: unknown, timeoutMs?: number) =>
        callPlatform({
          fetch: options.fetch,
          url: `https://slack.com/api/${method}`,
          name: `Slack ${method}`,
          headers: { authorization: `Bearer ${botToken}` },
          body,
          ...(timeoutMs ? { timeoutMs } : {}),
        })
    : undefined;
  const reasons: SlackFeedback | undefined = options.feedback && {
    feedback: options.feedback,
    ...(callSlack
      ? { openModal: (view, triggerId) => callSlack('views.open', { trigger_id: triggerId, view }) }
      : {}),
    log: options.log,
  };

  documented(
    app,
    signedRoute(signed, {
      path: '/commands',
      operationId: 'botSlackCommand',
      summary: 'Slack slash command, answered in Block Kit',
      signatureExample: SLACK_SIGNATURE,
      body: {
        mediaType: 'application/x-www-form-urlencoded',
        schema: SlackCommandSchema,
        example: { text: 'How are akims elected?', channel_id: 'C1', user_id: 'U1' },
      },
      reply: { description: 'The answer', schema: SlackCommandReplySchema },
    }),
    async (c) => {
      const form = parseWith(SlackCommandSchema, Object.fromEntries(new URLSearchParams(await verified(c))));
      const text = form.text ?? '';
      const chat = `slack:${form.channel_id ?? ''}:${form.user_id ?? ''}`;
      const { result, reply, askId } = await converse(chat, text.trim() === '' ? '/help' : text);
      return c.json(slackMessage(result, reply, options.publicUrl, askId));
    },
  );

  documented(
    app,
    signedRoute(signed, {
      path: '/interactions',
      operationId: 'botSlackInteractions',
      summary: 'Slack interactivity: a press on a feedback button under an answer, or a submitted reason',
      signatureExample: SLACK_SIGNATURE,
      body: {
        mediaType: 'application/x-www-form-urlencoded',
        schema: SlackInteractionFormSchema,
        example: {
          payload: JSON.stringify({
            type: 'block_actions',
            actions: [{ action_id: 'feedback_up', value: 'fb:up:3f1c2a9e-8d4b-4c6f-9a1e-2b7d5e0c4f18' }],
          }),
        },
      },
      reply: { description: 'What the reader is told', schema: SlackInteractionReplySchema },
    }),
    async (c) => {
      const form = parseWith(
        SlackInteractionFormSchema,
        Object.fromEntries(new URLSearchParams(await verified(c))),
      );
      const payload = parseWith(SlackInteractionSchema, parseJson(form.payload));
      return c.json(
        reasons ? await answerSlackInteraction(reasons, payload) : { text: 'Nothing to record.' },
      );
    },
  );

  documented(
    app,
    signedRoute(signed, {
      path: '/events',
      operationId: 'botSlackEvents',
      summary: 'Slack Events API: URL verification and app mentions (answered with chat.postMessage)',
      signatureExample: SLACK_SIGNATURE,
      body: {
        schema: SlackEventSchema,
        example: {
          type: 'event_callback',
          event_id: 'Ev1',
          event: {
            type: 'app_mention',
            text: '<@U0BOT> How are akims elected?',
            channel: 'C1',
            user: 'U1',
            ts: '1.2',
          },
        },
      },
      reply: { description: 'Challenge or acknowledgement', schema: SlackEventReplySchema },
    }),
    async (c) => {
      const payload = parseWith(SlackEventSchema, parseJson(await verified(c)));
      if (payload.type === 'url_verification') return c.json({ challenge: payload.challenge ?? '' });
      const event = payload.event;
      // Slack re-sends events it thinks were missed; answer each event once.
      if (
        payload.type !== 'event_callback' ||
        !event ||
        event.bot_id ||
        !payload.event_id ||
        !(await options.deliveries.firstUse(`slack:${payload.event_id}`, options.now() / 1000))
      ) {
        return c.json({ ok: true });
      }
      if ((event.type === 'app_mention' || event.type === 'message') && event.text && event.channel) {
        const text = event.text.replace(/<@[A-Z0-9]+>/g, '').trim();
        const post = async () => {
          const { result, reply, askId } = await converse(
            `slack:${event.channel}:${event.user ?? ''}`,
            text || '/help',
          );
          // Not bound to a 3-second trigger like views.open: the answer may take longer to post.
          await callSlack?.(
            'chat.postMessage',
            {
              channel: event.channel,
              thread_ts: event.thread_ts ?? event.ts,
              ...slackMessage(result, reply, options.publicUrl, askId),
            },
            10_000,
          );
        };
        // Slack wants the acknowledgement within 3 s; the answer follows as a message.
        void post().catch((error: unknown) =>
          options.log({ level: 'error', msg: 'slack post failed', error: String(error) }),
        );
      }
      return c.json({ ok: true });
    },
  );
  return app;
}

function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack Block Kit: one section per passage (section text ≤ 3000 characters), then the feedback buttons. */
function slackMessage(
  result: AskResult | undefined,
  reply: string | undefined,
  publicUrl?: string,
  askId?: string,
) {
  if (reply || !result) return { response_type: 'ephemeral', text: reply ?? '' };
  const blocks: unknown[] = [];
  const note = lowConfidence(result);
  if (note) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `_${slackEscape(note)}_` }] });
  for (const p of result.passages) {
    const link = passageLink(publicUrl, p);
    const cite = link ? `<${link}|${slackEscape(p.citation.label)}>` : slackEscape(p.citation.label);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`>${slackEscape(clip(p.quote.text, 2500))}\n— ${cite}`, 3000) },
    });
  }
  if (result.passages.length === 0)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: 'No more passages.' } });
  if (askId) blocks.push(slackFeedbackBlock(askId));
  return { response_type: 'in_channel', text: clip(formatPlain(result), 3000), blocks };
}
