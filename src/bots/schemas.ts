import { z } from '@hono/zod-openapi';
import { AskResponseSchema } from '../http/schemas.ts';

/**
 * The parts of each platform's payload the adapters read, as zod schemas: they validate signed requests
 * (a wrong shape is a 400 naming the field, never a crash) and document the endpoints in `/openapi.json`.
 * Platform objects stay open (`looseObject`): the platforms add fields over time. Our own webhook is strict.
 */

const id = z.string().max(200);

const TelegramChatSchema = z.looseObject({ id: z.union([z.number().int(), id]) });
const TelegramUserSchema = z.looseObject({ id: z.number().int(), is_bot: z.boolean().optional() });

export const TelegramUpdateSchema = z
  .looseObject({
    update_id: z.number().int(),
    message: z
      .looseObject({
        message_id: z.number().int().optional(),
        chat: TelegramChatSchema,
        from: TelegramUserSchema.optional(),
        text: z.string().optional(),
        /** The message this one replies to: a reply to the bot's reason prompt carries a reason. */
        reply_to_message: z
          .looseObject({
            message_id: z.number().int(),
            from: TelegramUserSchema.optional(),
            text: z.string().optional(),
          })
          .optional(),
      })
      .optional(),
    /** A press on a feedback button under an earlier answer (`message` is that answer). */
    callback_query: z
      .looseObject({
        id,
        data: z.string().max(64).optional(),
        from: TelegramUserSchema.optional(),
        message: z.looseObject({ message_id: z.number().int(), chat: TelegramChatSchema }).optional(),
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

/** Slack interactivity: a form whose `payload` field holds the JSON of a `SlackInteraction`. */
export const SlackInteractionFormSchema = z
  .looseObject({
    payload: z
      .string()
      .openapi({ description: 'JSON of the interaction (block_actions or view_submission)' }),
  })
  .openapi('SlackInteractionForm');

/** A submitted modal: our `private_metadata` and the inputs' values by block and action id. */
const SlackViewSchema = z.looseObject({
  callback_id: z.string().max(255).optional(),
  private_metadata: z.string().max(3000).optional(),
  state: z
    .looseObject({
      values: z.record(
        z.string(),
        // Slack's plain_text_input holds at most 3000 characters; longer is not a Slack payload.
        z.record(z.string(), z.looseObject({ value: z.string().max(3000).nullable().optional() })),
      ),
    })
    .optional(),
});

export const SlackInteractionSchema = z.looseObject({
  type: z.string(),
  /** Lets the app open a modal within 3 s of a button press. */
  trigger_id: z.string().max(500).optional(),
  actions: z
    .array(z.looseObject({ action_id: id.optional(), value: z.string().max(200).optional() }))
    .max(25)
    .optional(),
  view: SlackViewSchema.optional(),
});

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
        /** The button pressed (type 3) or the modal submitted (type 5). */
        custom_id: z.string().max(100).optional(),
        /** A submitted modal's rows of text inputs. */
        components: z
          .array(
            z.looseObject({
              components: z
                .array(z.looseObject({ custom_id: z.string().optional(), value: z.string().optional() }))
                .max(5)
                .optional(),
            }),
          )
          .max(5)
          .optional(),
      })
      .optional(),
  })
  .openapi('DiscordInteraction');

export type TelegramUpdate = z.infer<typeof TelegramUpdateSchema>;
export type SlackInteraction = z.infer<typeof SlackInteractionSchema>;
export type DiscordInteraction = z.infer<typeof DiscordInteractionSchema>;

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

/**
 * The webhook response: a `sendMessage` call (with feedback buttons when answers are recorded), an
 * `answerCallbackQuery` for a button press, or `{}` when there is nothing to answer.
 */
export const TelegramReplySchema = z
  .object({
    method: z.enum(['sendMessage', 'answerCallbackQuery']).optional(),
    chat_id: z.union([z.number(), z.string()]).optional(),
    text: z.string().optional(),
    parse_mode: z.literal('HTML').optional(),
    disable_web_page_preview: z.boolean().optional(),
    reply_to_message_id: z.number().optional(),
    reply_markup: z
      .object({
        inline_keyboard: z.array(z.array(z.object({ text: z.string(), callback_data: z.string() }))),
      })
      .optional(),
    callback_query_id: z.string().optional(),
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

/**
 * What the reader who pressed a feedback button is told (`text`), or, for a submitted reason modal, what
 * becomes of it: `update` to a thank-you view, `errors` by input block (a reason over the limit), `clear`.
 */
export const SlackInteractionReplySchema = z
  .object({
    text: z.string().optional(),
    response_action: z.enum(['update', 'errors', 'clear']).optional(),
    view: z.record(z.string(), z.unknown()).optional(),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .openapi('SlackInteractionReply');

/** `{challenge}` for the URL check, `{ok: true}` as the acknowledgement of an event. */
export const SlackEventReplySchema = z
  .object({ challenge: z.string().optional(), ok: z.boolean().optional() })
  .openapi('SlackEventReply');

const DiscordComponents = z.array(z.record(z.string(), z.unknown()));

/** PONG (1), a message (4: the answer, or an ephemeral thank-you) or a modal asking a reason (9). */
export const DiscordReplySchema = z
  .object({
    type: z.number().int(),
    data: z
      .union([
        z.object({
          content: z.string(),
          embeds: z
            .array(
              z.object({
                title: z.string(),
                description: z.string(),
                footer: z.object({ text: z.string() }).optional(),
                url: z.string().optional(),
              }),
            )
            .optional(),
          components: DiscordComponents.optional(),
          flags: z.number().int().optional(),
        }),
        z.object({ custom_id: z.string(), title: z.string(), components: DiscordComponents }),
      ])
      .optional(),
  })
  .openapi('DiscordReply');

export const WebhookReplySchema = z
  .object({
    text: z.string().openapi({ description: 'The answer as plain text, ready to post' }),
    answer: AskResponseSchema.nullable().openapi({ description: 'The structured answer; null for commands' }),
    askId: z.string().optional().openapi({
      description:
        'Id of a new answer for `POST /v1/feedback`; absent for commands and when analytics is off',
    }),
  })
  .openapi('WebhookReply');
