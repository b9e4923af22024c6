import type { Context } from 'hono';
import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp, documented } from '../http/openapi.ts';
import type { AskResult } from '../retrieve/types.ts';
import type { Converse } from './converse.ts';
import { clip, formatPlain, lowConfidence, passageLink } from './format.ts';
import { readVerified, type SignedRequest, signedRoute } from './payload.ts';
import type { ReplayGuard } from './replay.ts';
import {
  SlackCommandReplySchema,
  SlackCommandSchema,
  SlackEventReplySchema,
  SlackEventSchema,
} from './schemas.ts';
import { verifySlack } from './verify.ts';

const SLACK_SIGNATURE = 'v0=<hex HMAC-SHA256 of v0:timestamp:body>';

export interface SlackOptions {
  signingSecret: string;
  /** Bot token for `chat.postMessage`; without it event answers are computed but not posted. */
  botToken?: string;
  publicUrl?: string;
  now: () => number;
  fetch: typeof fetch;
  log: (entry: Record<string, unknown>) => void;
  replays: ReplayGuard;
  /** Event ids already answered (Slack re-sends events it thinks were missed). */
  deliveries: ReplayGuard;
}

/**
 * Slack: a slash command (`/commands`, answered in the response) and the Events API (`/events`,
 * acknowledged at once and answered with `chat.postMessage`). Every request is signature-checked.
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
      const { result, reply } = await converse(chat, text.trim() === '' ? '/help' : text);
      return c.json(slackMessage(result, reply, options.publicUrl));
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
          const { result, reply } = await converse(
            `slack:${event.channel}:${event.user ?? ''}`,
            text || '/help',
          );
          if (!options.botToken) return;
          const body = {
            channel: event.channel,
            thread_ts: event.thread_ts ?? event.ts,
            ...slackMessage(result, reply, options.publicUrl),
          };
          await options.fetch('https://slack.com/api/chat.postMessage', {
            method: 'POST',
            headers: {
              'content-type': 'application/json; charset=utf-8',
              authorization: `Bearer ${options.botToken}`,
            },
            body: JSON.stringify(body),
          });
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

/** Slack Block Kit: one section per passage (section text ≤ 3000 characters). */
function slackMessage(result: AskResult | undefined, reply: string | undefined, publicUrl?: string) {
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
  return { response_type: 'in_channel', text: clip(formatPlain(result), 3000), blocks };
}
