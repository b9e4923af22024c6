import { recordAnswer } from '../feedback/recording.ts';
import { type Channel, type FeedbackStore, MAX_REASON_CHARS, type Rating } from '../feedback/types.ts';
import type { AskResult } from '../retrieve/types.ts';
import type { DiscordInteraction, SlackInteraction } from './schemas.ts';

/**
 * Feedback in the chat platforms: each answer is recorded with an id, the message carries 👍/👎 buttons
 * naming it, and the platform's button callback records the verdict. Telegram and Slack take a thumb;
 * Discord also asks for an optional reason in a modal after a 👎. The generic webhook returns the
 * `askId`, for `POST /v1/feedback`.
 */

export interface BotFeedback {
  /** Records an answer; its id goes into the feedback buttons (undefined if the store failed). */
  record(chat: string, question: string, result: AskResult): Promise<string | undefined>;
  rate(askId: string, rating: Rating, reason?: string): Promise<boolean>;
}

export function createBotFeedback(
  store: FeedbackStore,
  options: { now?: () => number; log?: (entry: Record<string, unknown>) => void } = {},
): BotFeedback {
  const now = options.now ?? Date.now;
  return {
    record: (chat, question, result) =>
      recordAnswer(store, question, result, { channel: channelOf(chat), now, log: options.log }),
    rate: (askId, rating, reason) =>
      store.setFeedback({ askId, rating, ...(reason ? { reason } : {}), at: now() }),
  };
}

/** The platform of a chat key (`telegram:42`, `slack:C1:U1`, …). */
function channelOf(chat: string): Channel {
  const platform = chat.split(':')[0];
  return platform === 'telegram' || platform === 'slack' || platform === 'discord' ? platform : 'webhook';
}

const THANKS = 'Thank you for the feedback; it goes to the site owner.';
const LABELS: Record<Rating, string> = { up: '👍 Helpful', down: '👎 Not helpful' };

/** `fb:up:<askId>`: what a button carries (Telegram allows 64 bytes; a UUID leaves room). */
export function feedbackData(rating: Rating, askId: string): string {
  return `fb:${rating}:${askId}`;
}

export function parseFeedbackData(data: unknown): { rating: Rating; askId: string } | undefined {
  const match = typeof data === 'string' ? /^fb:(up|down):([0-9a-f-]{36})$/.exec(data) : null;
  return match ? { rating: match[1] as Rating, askId: match[2] as string } : undefined;
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

/** Telegram: records a button press; the webhook response answers the callback query with a toast. */
export async function answerTelegramCallback(
  feedback: BotFeedback,
  query: { id?: string; data?: unknown },
): Promise<Record<string, unknown>> {
  const parsed = parseFeedbackData(query.data);
  const kept = parsed ? await feedback.rate(parsed.askId, parsed.rating) : false;
  return {
    method: 'answerCallbackQuery',
    callback_query_id: query.id ?? '',
    text: kept ? THANKS : 'This answer is too old to rate.',
  };
}

/** Slack: an actions block under the answer. */
export function slackFeedbackBlock(askId: string) {
  return {
    type: 'actions',
    block_id: 'feedback',
    elements: (['up', 'down'] as const).map((r) => ({
      type: 'button',
      action_id: `feedback_${r}`,
      text: { type: 'plain_text', text: LABELS[r], emoji: true },
      value: feedbackData(r, askId),
    })),
  };
}

/** Slack interactivity payload (`block_actions`): records the first feedback button pressed. */
export async function answerSlackInteraction(
  feedback: BotFeedback,
  payload: SlackInteraction,
): Promise<{ text: string }> {
  const actions = payload.actions ?? [];
  const parsed = actions.map((a) => parseFeedbackData(a.value)).find((p) => p !== undefined);
  const kept = parsed ? await feedback.rate(parsed.askId, parsed.rating) : false;
  return { text: kept ? THANKS : 'Nothing to record.' };
}

/** Discord: a row of two buttons under the embeds. */
export function discordFeedbackRow(askId: string) {
  return {
    type: 1,
    components: (['up', 'down'] as const).map((r) => ({
      type: 2,
      style: r === 'up' ? 3 : 4,
      label: LABELS[r],
      custom_id: feedbackData(r, askId),
    })),
  };
}

const REASON_MODAL = 'fbr:';

/**
 * Discord component (type 3) and modal (type 5) interactions: 👍 is recorded at once; 👎 is recorded and
 * opens a modal asking what was missing, whose answer is stored as the reason. Replies are ephemeral.
 */
export async function answerDiscordInteraction(
  feedback: BotFeedback,
  interaction: Pick<DiscordInteraction, 'type' | 'data'>,
): Promise<Record<string, unknown>> {
  const ephemeral = (content: string) => ({ type: 4, data: { content, flags: 64 } });
  const id = interaction.data?.custom_id;
  if (interaction.type === 5 && id?.startsWith(REASON_MODAL)) {
    const askId = id.slice(REASON_MODAL.length);
    const rows = interaction.data?.components ?? [];
    const reason = rows.flatMap((r) => r.components ?? []).find((c) => c.value !== undefined)?.value;
    const kept = await feedback.rate(askId, 'down', reason?.trim().slice(0, MAX_REASON_CHARS) || undefined);
    return ephemeral(kept ? THANKS : 'This answer is too old to rate.');
  }
  const parsed = parseFeedbackData(id);
  if (!parsed || !(await feedback.rate(parsed.askId, parsed.rating)))
    return ephemeral('This answer is too old to rate.');
  if (parsed.rating === 'up') return ephemeral(THANKS);
  return {
    type: 9,
    data: {
      custom_id: `${REASON_MODAL}${parsed.askId}`,
      title: 'What was missing?',
      components: [
        {
          type: 1,
          components: [
            {
              type: 4,
              custom_id: 'reason',
              label: 'Reason (optional)',
              style: 2,
              max_length: MAX_REASON_CHARS,
              required: false,
            },
          ],
        },
      ],
    },
  };
}
