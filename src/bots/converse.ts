import type { AskResult, QaService } from '../retrieve/types.ts';
import type { ConversationStore } from './conversations.ts';
import type { BotFeedback } from './feedback.ts';
import { clip } from './format.ts';

/** Passages per answer in a chat; `/more` shows the next ones. */
export const PAGE = 3;

export const HELP =
  'Ask a question about the corpus and I answer with verbatim passages and their sources. ' +
  'Follow-up questions use the conversation. /more shows more passages for the last question.';

/** The outcome of one chat message: an answer (with the rank offset for `/more`) or a plain reply. */
export interface Turn {
  result?: AskResult;
  reply?: string;
  offset: number;
  /** Id under which a new answer was recorded, for the feedback buttons; absent for commands and `/more`. */
  askId?: string;
}

/** Answers a chat message: commands, `/more` paging, or a new question with the chat's history. */
export type Converse = (chat: string, text: string) => Promise<Turn>;

export interface ConverseOptions {
  /** Longest question kept (MAX_QUESTION_CHARS); longer messages are clipped. */
  maxChars: number;
  /** Records each new answer; without it nothing is recorded and no askId is returned. */
  feedback?: BotFeedback;
}

export const DEFAULT_CONVERSE_OPTIONS: ConverseOptions = { maxChars: 2000 };

export function createConverse(
  service: QaService,
  store: ConversationStore,
  options: Partial<ConverseOptions> = {},
): Converse {
  const { maxChars, feedback } = { ...DEFAULT_CONVERSE_OPTIONS, ...options };
  return async (chat, text) => {
    const command = text.trim().split(/\s+/)[0]?.toLowerCase().replace(/@.*$/, '');
    if (command === '/start' || command === '/help') {
      if (command === '/start') await store.clear(chat);
      return { reply: HELP, offset: 0 };
    }
    if (command === '/more') {
      const last = await store.last(chat);
      if (!last) return { reply: 'Ask a question first.', offset: 0 };
      const result = await service.ask({
        question: last.question,
        history: last.history,
        topK: Math.min(50, last.shown + PAGE),
      });
      const shown = last.shown;
      await store.markShown(chat, Math.min(50, last.shown + PAGE));
      return { result: { ...result, passages: result.passages.slice(shown) }, offset: shown };
    }
    const question = clip(text.trim(), maxChars);
    const result = await service.ask({ question, history: await store.history(chat), topK: PAGE });
    await store.remember(chat, question);
    await store.markShown(chat, PAGE);
    return { result, offset: 0, askId: await feedback?.record(chat, question, result) };
  };
}
