import type { ConversationStore } from './conversations.ts';
import {
  type BotFeedback,
  feedbackData,
  LABELS,
  parseFeedbackData,
  REASON_LABEL,
  readReason,
  reasonTooLong,
  THANKS,
  TOO_OLD,
} from './feedback.ts';
import { callPlatform } from './platform-api.ts';
import type { TelegramUpdate } from './schemas.ts';

/**
 * Feedback in Telegram: 👍/👎 in an inline keyboard under each answer; after a 👎 the bot sends a message
 * with a forced reply asking what was missing, and a reply to that message is stored as the reason. The
 * webhook response can hold one Bot API call only, and it answers the button press; the prompt goes
 * through the Bot API itself (`TELEGRAM_BOT_TOKEN`), whose answer gives the prompt's message id — the key
 * that ties a reply to its answer. Without a token the thumb alone is recorded.
 */

/** The prompt's text; also how a reply to a prompt the bot has forgotten is recognised. */
export const REASON_PROMPT =
  'What was missing or wrong in this answer? Reply to this message with a short reason, or just ignore it.';

export interface TelegramFeedback {
  feedback: BotFeedback;
  prompts: Pick<ConversationStore, 'expectReason' | 'pendingReason' | 'settleReason'>;
  /** Sends a message through the Bot API and returns its `message_id`; absent without a bot token. */
  send?: (message: Record<string, unknown>) => Promise<number>;
  log: (entry: Record<string, unknown>) => void;
}

type CallbackQuery = NonNullable<TelegramUpdate['callback_query']>;
type Message = NonNullable<TelegramUpdate['message']>;

/** Bot API `sendMessage` with the bot token (`fetch` is the platform boundary tests replace). */
export function createTelegramSender(token: string, fetcher: typeof fetch) {
  return async (message: Record<string, unknown>): Promise<number> => {
    const answer = await callPlatform({
      fetch: fetcher,
      url: `https://api.telegram.org/bot${token}/sendMessage`,
      name: 'Telegram sendMessage',
      body: message,
    });
    const id = (answer.result as { message_id?: unknown } | undefined)?.message_id;
    if (typeof id !== 'number') throw new Error('Telegram sendMessage answered without a message_id');
    return id;
  };
}

/** Telegram: an inline keyboard under the answer. */
export function telegramKeyboard(askId: string) {
  return {
    reply_markup: {
      inline_keyboard: [
        (['up', 'down'] as const).map((r) => ({ text: LABELS[r], callback_data: feedbackData(r, askId) })),
      ],
    },
  };
}

/** Message ids are per chat: a prompt is known by both. */
const promptKey = (chatId: number | string, messageId: number) => `telegram:${chatId}:${messageId}`;

/**
 * Records a button press and answers the callback query (the webhook response) with a toast; after a 👎
 * the reason prompt is sent first, so the toast can point to it.
 */
export async function answerTelegramCallback(
  deps: TelegramFeedback,
  query: CallbackQuery,
): Promise<Record<string, unknown>> {
  const parsed = parseFeedbackData(query.data);
  const kept = parsed ? await deps.feedback.rate(parsed.askId, parsed.rating) : false;
  const asked = kept && parsed?.rating === 'down' ? await askReason(deps, parsed.askId, query) : false;
  return {
    method: 'answerCallbackQuery',
    callback_query_id: query.id,
    text: !kept ? TOO_OLD : asked ? `${THANKS} You can add a reason by replying to my message.` : THANKS,
  };
}

async function askReason(deps: TelegramFeedback, askId: string, query: CallbackQuery): Promise<boolean> {
  const answer = query.message;
  if (!deps.send || !answer) return false;
  try {
    // No `selective`: it would target the sender of the replied-to answer, the bot itself. In a group the
    // reply is matched to the presser below instead.
    const promptId = await deps.send({
      chat_id: answer.chat.id,
      text: REASON_PROMPT,
      reply_to_message_id: answer.message_id,
      reply_markup: { force_reply: true, input_field_placeholder: REASON_LABEL },
    });
    await deps.prompts.expectReason(promptKey(answer.chat.id, promptId), {
      askId,
      ...(query.from ? { user: String(query.from.id) } : {}),
    });
    return true;
  } catch (error) {
    // The thumb is recorded already; a reader without a prompt only loses the chance to explain.
    deps.log({ level: 'error', msg: 'telegram reason prompt failed', error: String(error) });
    return false;
  }
}

/**
 * A text message replying to one of the bot's reason prompts: stores the reason and thanks the reader
 * (the webhook response). Undefined when the message is not such a reply, so it is answered as a question.
 */
export async function answerTelegramReason(
  deps: TelegramFeedback,
  message: Message & { text: string },
): Promise<Record<string, unknown> | undefined> {
  const prompt = message.reply_to_message;
  if (!prompt) return undefined;
  const reply = (text: string) => ({
    method: 'sendMessage',
    chat_id: message.chat.id,
    text,
    ...(message.message_id ? { reply_to_message_id: message.message_id } : {}),
  });
  const key = promptKey(message.chat.id, prompt.message_id);
  const pending = await deps.prompts.pendingReason(key);
  if (!pending) {
    // A reply to a prompt the bot no longer remembers (expired, or sent before a restart) is a late reason,
    // not a question; any other reply is a follow-up question.
    const late = prompt.from?.is_bot === true && prompt.text === REASON_PROMPT;
    return late
      ? reply('Sorry, that request for a reason has expired; your 👎 was kept without it.')
      : undefined;
  }
  // Someone else in a group answering the prompt: neither a reason nor a question.
  if (pending.user !== undefined && pending.user !== String(message.from?.id)) return {};
  const { reason, length, tooLong } = readReason(message.text);
  if (tooLong) return reply(`${reasonTooLong(length)} Reply to my message again with a shorter one.`);
  await deps.prompts.settleReason(key);
  const kept = await deps.feedback.rate(pending.askId, 'down', reason);
  return reply(kept ? THANKS : TOO_OLD);
}
