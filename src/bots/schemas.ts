import { z } from '@hono/zod-openapi';
import { AskResponseSchema } from '../http/schemas.ts';

/**
 * The parts of each platform's payload the adapters read, as zod schemas: they validate signed requests
 * (a wrong shape is a 400 naming the field, never a crash) and document the endpoints in `/openapi.json`.
 * Platform objects stay open (`looseObject`): the platforms add fields over time. Our own webhook is strict.
 */

const id = z.string().max(200);

export const TelegramUpdateSchema = z
  .looseObject({
    update_id: z.number().int(),
    message: z
      .looseObject({
        message_id: z.number().int().optional(),
        chat: z.looseObject({ id: z.union([z.number().int(), id]) }),
        text: z.string().optional(),
      })
      .optional(),
  })
  .openapi('TelegramUpdate');

export const SlackEventSchema = z
  .looseObject({
    type: z.string(),
    challenge: z.string().max(1000).optional(),
    event_id: id.optional(),
    event: z
      .looseObject({
        type: z.string().optional(),
        text: z.string().optional(),
        channel: id.optional(),
        user: id.optional(),
        bot_id: id.optional(),
        thread_ts: id.optional(),
        ts: id.optional(),
      })
      .optional(),
  })
  .openapi('SlackEvent');

export const SlackCommandSchema = z
  .looseObject({ text: z.string().optional(), channel_id: id.optional(), user_id: id.optional() })
  .openapi('SlackCommand');

const DiscordUserSchema = z.looseObject({ id });

export const DiscordInteractionSchema = z
  .looseObject({
    type: z.number().int(),
    channel_id: id.optional(),
    member: z.looseObject({ user: DiscordUserSchema.optional() }).optional(),
    user: DiscordUserSchema.optional(),
    data: z
      .looseObject({
        options: z
          .array(z.looseObject({ name: z.string(), value: z.unknown().optional() }))
          .max(25)
          .optional(),
      })
      .optional(),
  })
  .openapi('DiscordInteraction');

/** The generic webhook's request; `maxChars` is MAX_QUESTION_CHARS. */
export function createWebhookMessageSchema(maxChars: number) {
  return z
    .strictObject({
      conversationId: z.string().min(1).max(200).optional().openapi({
        description: 'Keeps the history of one conversation apart from others; default `default`.',
      }),
      text: z
        .string()
        .trim()
        .min(1, 'must not be empty')
        .max(maxChars, `must be at most ${maxChars} characters`)
        .openapi({ description: 'A question, or `/more`, `/help`, `/start`.' }),
    })
    .openapi('WebhookMessage');
}

/** The webhook response: a `sendMessage` call, or `{}` when there is nothing to answer. */
export const TelegramReplySchema = z
  .object({
    method: z.literal('sendMessage').optional(),
    chat_id: z.union([z.number(), z.string()]).optional(),
    text: z.string().optional(),
    parse_mode: z.literal('HTML').optional(),
    disable_web_page_preview: z.boolean().optional(),
    reply_to_message_id: z.number().optional(),
  })
  .openapi('TelegramReply');

const SlackBlocks = z.array(z.record(z.string(), z.unknown()));

export const SlackCommandReplySchema = z
  .object({
    response_type: z.enum(['ephemeral', 'in_channel']),
    text: z.string(),
    blocks: SlackBlocks.optional(),
  })
  .openapi('SlackCommandReply');

/** `{challenge}` for the URL check, `{ok: true}` as the acknowledgement of an event. */
export const SlackEventReplySchema = z
  .object({ challenge: z.string().optional(), ok: z.boolean().optional() })
  .openapi('SlackEventReply');

export const DiscordReplySchema = z
  .object({
    type: z.number().int(),
    data: z
      .object({
        content: z.string(),
        embeds: z
          .array(z.object({ title: z.string(), description: z.string(), url: z.string().optional() }))
          .optional(),
      })
      .optional(),
  })
  .openapi('DiscordReply');

export const WebhookReplySchema = z
  .object({
    text: z.string().openapi({ description: 'The answer as plain text, ready to post' }),
    answer: AskResponseSchema.nullable().openapi({ description: 'The structured answer; null for commands' }),
  })
  .openapi('WebhookReply');
