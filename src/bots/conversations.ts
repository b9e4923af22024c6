import type { Turn } from '../core/types.ts';

/**
 * Per-chat memory for follow-up questions and `/more`: the last few user turns and the last question,
 * bounded in size and forgotten after a period of silence.
 */
export interface ConversationStore {
  history(chat: string): Awaitable<Turn[]>;
  remember(chat: string, question: string): Awaitable<void>;
  /** The last question of a chat and how many results were already shown. */
  last(chat: string): Awaitable<LastQuestion | undefined>;
  markShown(chat: string, shown: number): Awaitable<void>;
  clear(chat: string): Awaitable<void>;
}

/** In memory a store answers at once; a shared one (a Durable Object on Workers) asynchronously. */
type Awaitable<T> = T | Promise<T>;

export interface LastQuestion {
  question: string;
  history: Turn[];
  shown: number;
}

export interface ConversationOptions {
  maxTurns: number;
  ttlMs: number;
  maxChats: number;
}

export const DEFAULT_CONVERSATION_OPTIONS: ConversationOptions = {
  maxTurns: 6,
  ttlMs: 30 * 60_000,
  maxChats: 10_000,
};

export function createConversationStore(
  options: Partial<ConversationOptions> = {},
  now: () => number = Date.now,
): ConversationStore {
  const opts = { ...DEFAULT_CONVERSATION_OPTIONS, ...options };
  const chats = new Map<
    string,
    { turns: Turn[]; at: number; last?: { question: string; history: Turn[]; shown: number } }
  >();
  const get = (chat: string) => {
    const entry = chats.get(chat);
    if (!entry) return undefined;
    if (now() - entry.at > opts.ttlMs) {
      chats.delete(chat);
      return undefined;
    }
    return entry;
  };
  return {
    history: (chat) => [...(get(chat)?.turns ?? [])],
    remember(chat, question) {
      const entry = get(chat) ?? { turns: [], at: now() };
      const history = [...entry.turns];
      entry.turns = [...entry.turns, { role: 'user' as const, content: question }].slice(-opts.maxTurns);
      entry.at = now();
      entry.last = { question, history, shown: 0 };
      chats.delete(chat);
      chats.set(chat, entry);
      if (chats.size > opts.maxChats) chats.delete(chats.keys().next().value as string);
    },
    last: (chat) => get(chat)?.last,
    markShown(chat, shown) {
      const entry = get(chat);
      if (entry?.last) entry.last.shown = shown;
    },
    clear: (chat) => {
      chats.delete(chat);
    },
  };
}
