import { MAX_REASON_CHARS } from '../feedback/types.ts';
import {
  type BotFeedback,
  feedbackData,
  isAskId,
  LABELS,
  parseFeedbackData,
  REASON_LABEL,
  REASON_TITLE,
  readReason,
  reasonTooLong,
  THANKS,
  TOO_OLD,
} from './feedback.ts';
import type { SlackInteraction } from './schemas.ts';

/**
 * Feedback in Slack: 👍/👎 buttons in an actions block under each answer; after a 👎 a modal (Web API
 * `views.open` with the press's `trigger_id`, which needs `SLACK_BOT_TOKEN`) asks for an optional reason,
 * and its `view_submission` stores it. The modal carries the `askId` in `private_metadata`, which Slack
 * hands back unchanged, so no state is kept between the two.
 */

export interface SlackFeedback {
  feedback: BotFeedback;
  /** Opens a modal for the press behind `triggerId`; absent without a bot token. */
  openModal?: (view: Record<string, unknown>, triggerId: string) => Promise<unknown>;
  log: (entry: Record<string, unknown>) => void;
}

/** The modal's `callback_id`, and the block and action id of its one input. */
export const REASON_CALLBACK = 'feedback_reason';
const REASON_INPUT = 'reason';

const plain = (text: string) => ({ type: 'plain_text', text });

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

/** The modal asking why an answer did not help. */
export function slackReasonModal(askId: string) {
  return {
    type: 'modal',
    callback_id: REASON_CALLBACK,
    private_metadata: askId,
    title: plain(REASON_TITLE),
    submit: plain('Send'),
    close: plain('Skip'),
    blocks: [
      {
        type: 'input',
        block_id: REASON_INPUT,
        optional: true,
        label: plain(REASON_LABEL),
        element: {
          type: 'plain_text_input',
          action_id: REASON_INPUT,
          multiline: true,
          max_length: MAX_REASON_CHARS,
        },
      },
    ],
  };
}

/** The modal replaced by a message (Slack closes it when the reader presses Close). */
const notice = (text: string) => ({
  response_action: 'update' as const,
  view: {
    type: 'modal',
    title: plain(REASON_TITLE),
    close: plain('Close'),
    blocks: [{ type: 'section', text: plain(text) }],
  },
});

/**
 * Slack interactivity payloads: `block_actions` records the first feedback button pressed (and after a
 * 👎 opens the reason modal); `view_submission` of that modal records the reason.
 */
export async function answerSlackInteraction(deps: SlackFeedback, payload: SlackInteraction) {
  if (payload.type === 'view_submission') return answerReasonModal(deps.feedback, payload.view);
  const actions = payload.actions ?? [];
  const parsed = actions.map((a) => parseFeedbackData(a.value)).find((p) => p !== undefined);
  const kept = parsed ? await deps.feedback.rate(parsed.askId, parsed.rating) : false;
  if (kept && parsed?.rating === 'down' && payload.trigger_id && deps.openModal) {
    try {
      await deps.openModal(slackReasonModal(parsed.askId), payload.trigger_id);
    } catch (error) {
      // The thumb is recorded already; without the modal the reader only loses the chance to explain.
      deps.log({ level: 'error', msg: 'slack reason modal failed', error: String(error) });
    }
  }
  return { text: kept ? THANKS : 'Nothing to record.' };
}

async function answerReasonModal(feedback: BotFeedback, view: SlackInteraction['view']) {
  // Not our modal: close it, record nothing.
  if (view?.callback_id !== REASON_CALLBACK) return { response_action: 'clear' as const };
  const askId = view.private_metadata ?? '';
  const { reason, length, tooLong } = readReason(view.state?.values[REASON_INPUT]?.[REASON_INPUT]?.value);
  // Slack shows the error under the input and keeps the modal open for a shorter reason.
  if (tooLong)
    return { response_action: 'errors' as const, errors: { [REASON_INPUT]: reasonTooLong(length) } };
  const kept = isAskId(askId) && (await feedback.rate(askId, 'down', reason));
  return notice(kept ? THANKS : TOO_OLD);
}
