import { Hono } from 'hono';
import type { Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import type { AskResult, QaService } from '../retrieve/types.ts';
import { type ConversationStore, createConversationStore } from './conversations.ts';
import {
  answerDiscordInteraction,
  answerSlackInteraction,
  answerTelegramCallback,
  type BotFeedback,
  discordFeedbackRow,
  slackFeedbackBlock,
  telegramKeyboard,
} from './feedback.ts';
import { clip, formatPlain, formatTelegram, lowConfidence, passageLink } from './format.ts';
import { constantTimeEqual, verifyDiscord, verifySlack, verifyWebhook } from './verify.ts';

/**
 * Messaging adapters: each turns a platform's request into a question (with that chat's history) and the
 * answer into the platform's message format. Requests that fail verification get 401 and change nothing.
 */

export type BotConfig = Partial<
  Pick<
    Config,
    | 'PUBLIC_URL'
    | 'TELEGRAM_WEBHOOK_SECRET'
    | 'SLACK_SIGNING_SECRET'
    | 'SLACK_BOT_TOKEN'
    | 'DISCORD_PUBLIC_KEY'
    | 'WEBHOOK_SECRET'
  >
>;

export interface BotDeps {
  service: QaService;
  config: BotConfig;
  /** Outbound HTTP (Slack chat.postMessage); injectable so tests need no network. */
  fetch?: typeof fetch;
  log?: (entry: Record<string, unknown>) => void;
  conversations?: ConversationStore;
  now?: () => number;
  /** Records answers and readers' 👍/👎 (buttons under each answer); without it no buttons are shown. */
  feedback?: BotFeedback;
}

const PAGE = 3;
const HELP =
  'Ask a question about the corpus and I answer with verbatim passages and their sources. ' +
  'Follow-up questions use the conversation. /more shows more passages for the last question.';

/** Remembers ids already handled so a re-delivered update is not answered twice. */
function createSeenSet(limit = 10_000) {
  const seen = new Set<string>();
  return (id: string): boolean => {
    if (seen.has(id)) return true;
    seen.add(id);
    if (seen.size > limit) seen.delete(seen.values().next().value as string);
    return false;
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('INVALID_JSON', 'The request body is not valid JSON');
  }
}

export function createBotRoutes(deps: BotDeps): Hono {
  const { service, config } = deps;
  const app = new Hono();
  const store = deps.conversations ?? createConversationStore();
  const now = deps.now ?? Date.now;
  const log = deps.log ?? (() => {});

  /** Answers a chat message: commands, `/more` paging, or a new question with the chat's history. */
  async function converse(
    chat: string,
    text: string,
  ): Promise<{ result?: AskResult; reply?: string; offset: number; askId?: string }> {
    const command = text.trim().split(/\s+/)[0]?.toLowerCase().replace(/@.*$/, '');
    if (command === '/start' || command === '/help') {
      if (command === '/start') store.clear(chat);
      return { reply: HELP, offset: 0 };
    }
    if (command === '/more') {
      const last = store.last(chat);
      if (!last) return { reply: 'Ask a question first.', offset: 0 };
      const result = await service.ask({
        question: last.question,
        history: last.history,
        topK: Math.min(50, last.shown + PAGE),
      });
      const shown = last.shown;
      store.markShown(chat, Math.min(50, last.shown + PAGE));
      return { result: { ...result, passages: result.passages.slice(shown) }, offset: shown };
    }
    const question = clip(text.trim(), 2000);
    const result = await service.ask({ question, history: store.history(chat), topK: PAGE });
    store.remember(chat, question);
    store.markShown(chat, PAGE);
    return { result, offset: 0, askId: await deps.feedback?.record(chat, question, result) };
  }

  if (config.TELEGRAM_WEBHOOK_SECRET) {
    const secret = config.TELEGRAM_WEBHOOK_SECRET;
    const seen = createSeenSet();
    app.post('/telegram', async (c) => {
      const given = c.req.header('x-telegram-bot-api-secret-token') ?? '';
      if (!constantTimeEqual(given, secret)) throw new AppError('UNAUTHORIZED', 'Bad Telegram secret token');
      const update = parseJson(await c.req.text()) as {
        update_id?: number;
        message?: { message_id?: number; chat?: { id?: number | string }; text?: string };
        callback_query?: { id?: string; data?: unknown };
      };
      if (typeof update?.update_id !== 'number')
        throw new AppError('INVALID_REQUEST', 'update_id: required number');
      if (seen(String(update.update_id))) return c.json({});
      if (update.callback_query && deps.feedback)
        return c.json(await answerTelegramCallback(deps.feedback, update.callback_query));
      const message = update.message;
      const chatId = message?.chat?.id;
      if (chatId === undefined || typeof message?.text !== 'string' || message.text.trim() === '')
        return c.json({});
      const { result, reply, askId } = await converse(`telegram:${chatId}`, message.text);
      const text =
        reply ?? (result?.passages.length ? formatTelegram(result, config.PUBLIC_URL) : 'No more passages.');
      return c.json({
        method: 'sendMessage',
        chat_id: chatId,
        text,
        parse_mode: 'HTML',
        disable_web_page_preview: true,
        ...(message.message_id ? { reply_to_message_id: message.message_id } : {}),
        ...(askId ? telegramKeyboard(askId) : {}),
      });
    });
  }

  if (config.SLACK_SIGNING_SECRET) {
    const secret = config.SLACK_SIGNING_SECRET;
    const seen = createSeenSet();
    const verified = async (c: {
      req: { header(n: string): string | undefined; text(): Promise<string> };
    }) => {
      const body = await c.req.text();
      const ok = await verifySlack(
        secret,
        {
          timestamp: c.req.header('x-slack-request-timestamp'),
          signature: c.req.header('x-slack-signature'),
        },
        body,
        now() / 1000,
      );
      if (!ok) throw new AppError('UNAUTHORIZED', 'Bad or expired Slack signature');
      return body;
    };
    app.post('/slack/commands', async (c) => {
      const form = new URLSearchParams(await verified(c));
      const text = form.get('text') ?? '';
      const chat = `slack:${form.get('channel_id') ?? ''}:${form.get('user_id') ?? ''}`;
      const { result, reply, askId } = await converse(chat, text.trim() === '' ? '/help' : text);
      return c.json(slackMessage(result, reply, config.PUBLIC_URL, askId));
    });
    app.post('/slack/interactions', async (c) => {
      const payload = parseJson(new URLSearchParams(await verified(c)).get('payload') ?? '');
      return c.json(deps.feedback ? await answerSlackInteraction(deps.feedback, payload) : {});
    });
    app.post('/slack/events', async (c) => {
      const payload = parseJson(await verified(c)) as {
        type?: string;
        challenge?: string;
        event_id?: string;
        event?: {
          type?: string;
          text?: string;
          channel?: string;
          user?: string;
          bot_id?: string;
          thread_ts?: string;
          ts?: string;
        };
      };
      if (payload.type === 'url_verification') return c.json({ challenge: payload.challenge ?? '' });
      const event = payload.event;
      // Slack re-sends events it thinks were missed; answer each event once.
      if (
        payload.type !== 'event_callback' ||
        !event ||
        event.bot_id ||
        !payload.event_id ||
        seen(payload.event_id)
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
          if (!config.SLACK_BOT_TOKEN) return;
          const body = {
            channel: event.channel,
            thread_ts: event.thread_ts ?? event.ts,
            ...slackMessage(result, reply, config.PUBLIC_URL, askId),
          };
          await (deps.fetch ?? fetch)('https://slack.com/api/chat.postMessage', {
            method: 'POST',
            headers: {
              'content-type': 'application/json; charset=utf-8',
              authorization: `Bearer ${config.SLACK_BOT_TOKEN}`,
            },
            body: JSON.stringify(body),
          });
        };
        // Slack wants the acknowledgement within 3 s; the answer follows as a message.
        void post().catch((error: unknown) =>
          log({ level: 'error', msg: 'slack post failed', error: String(error) }),
        );
      }
      return c.json({ ok: true });
    });
  }

  if (config.DISCORD_PUBLIC_KEY) {
    const key = config.DISCORD_PUBLIC_KEY;
    app.post('/discord', async (c) => {
      const body = await c.req.text();
      const ok = await verifyDiscord(
        key,
        { timestamp: c.req.header('x-signature-timestamp'), signature: c.req.header('x-signature-ed25519') },
        body,
        now() / 1000,
      );
      if (!ok) throw new AppError('UNAUTHORIZED', 'Bad or expired Discord signature');
      const interaction = parseJson(body) as {
        type?: number;
        channel_id?: string;
        member?: { user?: { id?: string } };
        user?: { id?: string };
        data?: {
          options?: Array<{ name?: string; value?: unknown }>;
          custom_id?: unknown;
          components?: unknown;
        };
      };
      if (interaction.type === 1) return c.json({ type: 1 });
      if ((interaction.type === 3 || interaction.type === 5) && deps.feedback)
        return c.json(await answerDiscordInteraction(deps.feedback, interaction));
      if (interaction.type !== 2)
        throw new AppError('INVALID_REQUEST', 'type: only PING (1) and APPLICATION_COMMAND (2) are handled');
      const option =
        interaction.data?.options?.find((o) => o.name === 'question') ?? interaction.data?.options?.[0];
      const text = typeof option?.value === 'string' ? option.value : '/help';
      const user = interaction.member?.user?.id ?? interaction.user?.id ?? '';
      const { result, reply, askId } = await converse(
        `discord:${interaction.channel_id ?? ''}:${user}`,
        text,
      );
      return c.json({ type: 4, data: discordMessage(result, reply, config.PUBLIC_URL, askId) });
    });
  }

  if (config.WEBHOOK_SECRET) {
    const secret = config.WEBHOOK_SECRET;
    app.post('/webhook', async (c) => {
      const body = await c.req.text();
      const ok = await verifyWebhook(
        secret,
        { timestamp: c.req.header('x-webhook-timestamp'), signature: c.req.header('x-webhook-signature') },
        body,
        now() / 1000,
      );
      if (!ok) throw new AppError('UNAUTHORIZED', 'Bad or expired webhook signature');
      const message = parseJson(body) as { conversationId?: unknown; text?: unknown };
      if (typeof message?.text !== 'string' || message.text.trim() === '') {
        throw new AppError('INVALID_REQUEST', 'text: required non-empty string');
      }
      const conversation = typeof message.conversationId === 'string' ? message.conversationId : 'default';
      const { result, reply, askId } = await converse(`webhook:${conversation}`, message.text);
      return c.json({
        text: reply ?? (result ? formatPlain(result) : ''),
        answer: result ?? null,
        ...(askId ? { askId } : {}),
      });
    });
  }

  return app;
}

function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack Block Kit: one section per passage (section text ≤ 3000 characters). */
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

/**
 * Discord: one embed per passage, titled with the document (title ≤ 256 characters) and the full
 * reference with its section in the footer (≤ 2048), so a long title never cuts the section off; the
 * total stays under Discord's 6000 characters.
 */
function discordMessage(
  result: AskResult | undefined,
  reply: string | undefined,
  publicUrl?: string,
  askId?: string,
) {
  if (reply || !result) return { content: reply ?? '' };
  const embeds: unknown[] = [];
  let total = 0;
  for (const p of result.passages) {
    const title = clip(p.citation.title, 256);
    const description = clip(`“${p.quote.text}”`, 1500);
    const footer = clip(p.citation.label, 2048);
    if (total + title.length + description.length + footer.length > 5500) break;
    total += title.length + description.length + footer.length;
    const link = passageLink(publicUrl, p);
    embeds.push({ title, description, footer: { text: footer }, ...(link ? { url: link } : {}) });
  }
  return {
    content: lowConfidence(result) ?? (result.passages.length ? '' : 'No more passages.'),
    embeds,
    ...(askId ? { components: [discordFeedbackRow(askId)] } : {}),
  };
}
