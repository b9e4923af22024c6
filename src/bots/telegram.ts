import { z } from '@hono/zod-openapi';
import { constantTimeEqual } from '../core/compare.ts';
import { AppError } from '../core/errors.ts';
import { parseJson, parseWith } from '../core/validate.ts';
import { createOpenApiApp, documented, errorResponses } from '../http/openapi.ts';
import type { Converse } from './converse.ts';
import { formatTelegram } from './format.ts';
import { createDeliveryGuard, type ReplayGuard } from './replay.ts';
import { TelegramReplySchema, TelegramUpdateSchema } from './schemas.ts';

/**
 * Telegram webhook (`setWebhook` with `secret_token`): the answer goes back in the webhook response as
 * a `sendMessage` call in Telegram HTML.
 */
export function createTelegramRoutes(
  converse: Converse,
  secret: string,
  publicUrl?: string,
  deliveries: ReplayGuard = createDeliveryGuard(),
) {
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
          description: 'sendMessage, or {} when there is nothing to answer',
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
      const message = update.message;
      // Updates without a text message (photos, edits, joins) are acknowledged and ignored.
      if (!message || message.text === undefined || message.text.trim() === '') return c.json({});
      const chatId = message.chat.id;
      const { result, reply } = await converse(`telegram:${chatId}`, message.text);
      const text =
        reply ?? (result?.passages.length ? formatTelegram(result, publicUrl) : 'No more passages.');
      return c.json({
        method: 'sendMessage',
        chat_id: chatId,
        text,
        parse_mode: 'HTML',
        disable_web_page_preview: true,
        ...(message.message_id ? { reply_to_message_id: message.message_id } : {}),
      });
    },
  );
  return app;
}
