import { recordAnswer } from '../feedback/recording.ts';
import { type Channel, type FeedbackStore, MAX_REASON_CHARS, type Rating } from '../feedback/types.ts';
import type { AskResult } from '../retrieve/types.ts';
import type { DiscordInteraction } from './schemas.ts';

/**
 * Feedback in the chat platforms: each answer is recorded with an id, the message carries 👍/👎 buttons
 * naming it, and the platform's button callback records the verdict. After a 👎 each platform asks for an
 * optional reason its own way: a Discord modal, a Slack modal (`slack-feedback.ts`), a Telegram message
 * to reply to (`telegram-feedback.ts`). The generic webhook returns the `askId`, for `POST /v1/feedback`.
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

export const THANKS = 'Thank you for the feedback; it goes to the site owner.';
export const TOO_OLD = 'This answer is too old to rate.';
export const LABELS: Record<Rating, string> = { up: '👍 Helpful', down: '👎 Not helpful' };
export const REASON_TITLE = 'What was missing?';
export const REASON_LABEL = 'Reason (optional)';

/**
 * A typed reason, trimmed: `reason` is undefined when it is blank; `tooLong` when it exceeds
 * MAX_REASON_CHARS (the limit of `POST /v1/feedback`), to be refused rather than cut.
 */
export function readReason(raw: string | null | undefined): {
  reason?: string;
  length: number;
  tooLong: boolean;
} {
  const reason = raw?.trim() ?? '';
  return { ...(reason ? { reason } : {}), length: reason.length, tooLong: reason.length > MAX_REASON_CHARS };
}

/** What a reader is told when a reason is over the limit (with its length, so they know how much to cut). */
export function reasonTooLong(length: number): string {
  return `Please keep the reason to ${MAX_REASON_CHARS} characters (this one has ${length}).`;
}

/** `fb:up:<askId>`: what a button carries (Telegram allows 64 bytes; a UUID leaves room). */
export function feedbackData(rating: Rating, askId: string): string {
  return `fb:${rating}:${askId}`;
}

/** Whether `text` has the shape of an `askId` (a UUID) before it is looked up. */
export function isAskId(text: string): boolean {
  return /^[0-9a-f-]{36}$/.test(text);
}

export function parseFeedbackData(data: unknown): { rating: Rating; askId: string } | undefined {
  const match = typeof data === 'string' ? /^fb:(up|down):([0-9a-f-]{36})$/.exec(data) : null;
  return match ? { rating: match[1] as Rating, askId: match[2] as string } : undefined;
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
    return ephemeral(kept ? THANKS : TOO_OLD);
  }
  const parsed = parseFeedbackData(id);
  if (!parsed || !(await feedback.rate(parsed.askId, parsed.rating))) return ephemeral(TOO_OLD);
  if (parsed.rating === 'up') return ephemeral(THANKS);
  return {
    type: 9,
    data: {
      custom_id: `${REASON_MODAL}${parsed.askId}`,
      title: REASON_TITLE,
      components: [
        {
          type: 1,
          components: [
            {
              type: 4,
              custom_id: 'reason',
              label: REASON_LABEL,
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
