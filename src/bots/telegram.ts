import { z } from '@hono/zod-openapi';
import { constantTimeEqual } from '../core/compare.ts';
import { AppError } from '../core/errors.ts';
import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp, documented, errorResponses } from '../http/openapi.ts';
import type { ConversationStore } from './conversations.ts';
import type { Converse } from './converse.ts';
import type { BotFeedback } from './feedback.ts';
import { formatTelegram } from './format.ts';
import { createDeliveryGuard, type ReplayGuard } from './replay.ts';
import { TelegramReplySchema, TelegramUpdateSchema } from './schemas.ts';
import {
  answerTelegramCallback,
  answerTelegramReason,
  createTelegramSender,
  type TelegramFeedback,
  telegramKeyboard,
} from './telegram-feedback.ts';

export interface TelegramOptions {
  /** The `secret_token` given to `setWebhook` (TELEGRAM_WEBHOOK_SECRET). */
  secret: string;
  publicUrl?: string;
  /** Records answers; each then carries 👍/👎 buttons whose presses come back as callback queries. */
  feedback?: BotFeedback;
  /** Bot API token (TELEGRAM_BOT_TOKEN): with it, a 👎 is followed by a message asking for a reason. */
  botToken?: string;
  /** Where the reason prompts are remembered (the bots' conversation store). */
  prompts: ConversationStore;
  fetch: typeof fetch;
  log: (entry: Record<string, unknown>) => void;
  /** Update ids already answered (default: in memory). */
  deliveries?: ReplayGuard;
}

/**
 * Telegram webhook (`setWebhook` with `secret_token`): the answer goes back in the webhook response as
 * a `sendMessage` call in Telegram HTML; a press on a feedback button is answered with a toast, and a
 * reply to the bot's reason prompt is recorded as the reason (`telegram-feedback.ts`).
 */
export function createTelegramRoutes(converse: Converse, options: TelegramOptions) {
  const { secret, publicUrl, feedback } = options;
  const deliveries = options.deliveries ?? createDeliveryGuard();
  const reasons: TelegramFeedback | undefined = feedback && {
    feedback,
    prompts: options.prompts,
    ...(options.botToken ? { send: createTelegramSender(options.botToken, options.fetch) } : {}),
    log: options.log,
  };
  const app = createOpenApiApp();
  documented(
    app,
    {
      method: 'post',
      path: '/',
      operationId: 'botTelegram',
      summary: 'Telegram webhook; the answer comes back in the response as a sendMessage call',
      tags: ['bots'],
      request: {
        headers: z.object({
          'x-telegram-bot-api-secret-token': z.string().openapi({
            description: 'The secret_token given to setWebhook',
            example: 'TELEGRAM_WEBHOOK_SECRET',
          }),
        }),
        body: {
          required: true,
          content: {
            'application/json': {
              schema: TelegramUpdateSchema,
              example: {
                update_id: 1,
                message: { message_id: 1, chat: { id: 7 }, text: 'How are akims elected?' },
              },
            },
          },
        },
      },
      responses: {
        200: {
          description:
            'sendMessage (an answer, or thanks for a reason), answerCallbackQuery, or {} when there is nothing to answer',
          content: { 'application/json': { schema: TelegramReplySchema } },
        },
        ...errorResponses(400, 401, 408, 413, 429, 500),
      },
    },
    async (c) => {
      const given = c.req.header('x-telegram-bot-api-secret-token') ?? '';
      if (!constantTimeEqual(given, secret)) throw new AppError('UNAUTHORIZED', 'Bad Telegram secret token');
      const update = parseWith(TelegramUpdateSchema, parseJson(await c.req.text()));
      // Telegram re-delivers an update it saw no answer to; it is answered once.
      if (!(await deliveries.firstUse(`telegram:${update.update_id}`, Date.now() / 1000))) return c.json({});
      if (update.callback_query && reasons)
        return c.json(await answerTelegramCallback(reasons, update.callback_query));
      const message = update.message;
      // Updates without a text message (photos, edits, joins) are acknowledged and ignored.
      if (!message || message.text === undefined || message.text.trim() === '') return c.json({});
      const reason = reasons && (await answerTelegramReason(reasons, { ...message, text: message.text }));
      if (reason) return c.json(reason);
      const chatId = message.chat.id;
      const { result, reply, askId } = await converse(`telegram:${chatId}`, message.text);
      const text =
        reply ?? (result?.passages.length ? formatTelegram(result, publicUrl) : 'No more passages.');
      return c.json({
        method: 'sendMessage',
        chat_id: chatId,
        text,
        parse_mode: 'HTML',
        disable_web_page_preview: true,
        ...(message.message_id ? { reply_to_message_id: message.message_id } : {}),
        ...(askId ? telegramKeyboard(askId) : {}),
      });
    },
  );
  return app;
}
