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
  /** Remembers that the bot's message `prompt` (platform-scoped, e.g. `telegram:7:42`) asks for a reason. */
  expectReason(prompt: string, pending: PendingReason): Awaitable<void>;
  /** What a prompt asked about, while it is fresh; undefined for unknown or expired prompts. */
  pendingReason(prompt: string): Awaitable<PendingReason | undefined>;
  /** Forgets a prompt once its reason is recorded, so a second reply is not taken for one. */
  settleReason(prompt: string): Awaitable<void>;
}

/** In memory a store answers at once; a shared one (a Durable Object on Workers) asynchronously. */
type Awaitable<T> = T | Promise<T>;

/** A 👎 whose reason the bot asked for in a message of its own. */
export interface PendingReason {
  askId: string;
  /** The reader who pressed 👎; in a group only their reply is taken as the reason. */
  user?: string;
}

export interface LastQuestion {
  question: string;
  history: Turn[];
  shown: number;
}

export interface ConversationOptions {
  /** User turns kept per chat for follow-up questions. */
  maxTurns: number;
  /** A chat silent this long starts afresh (milliseconds). */
  ttlMs: number;
  /** Chats remembered at once; the least recently active go first. */
  maxChats: number;
  /** How long a reason prompt can be answered (milliseconds). */
  reasonTtlMs: number;
  /** Reason prompts remembered at once; the oldest go first. */
  maxPrompts: number;
}

export const DEFAULT_CONVERSATION_OPTIONS: ConversationOptions = {
  maxTurns: 6,
  ttlMs: 30 * 60_000,
  maxChats: 10_000,
  reasonTtlMs: 60 * 60_000,
  maxPrompts: 10_000,
};

export function createConversationStore(
  options: Partial<ConversationOptions> = {},
  now: () => number = Date.now,
): ConversationStore {
  const opts = { ...DEFAULT_CONVERSATION_OPTIONS, ...options };
  const chats = new Map<string, { turns: Turn[]; at: number; last?: LastQuestion }>();
  const prompts = new Map<string, { pending: PendingReason; at: number }>();
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
    expectReason(prompt, pending) {
      prompts.delete(prompt);
      prompts.set(prompt, { pending: { ...pending }, at: now() });
      // Insertion order is age order: the oldest prompts are the first keys.
      for (const [key, entry] of prompts) {
        if (prompts.size <= opts.maxPrompts && now() - entry.at <= opts.reasonTtlMs) break;
        prompts.delete(key);
      }
    },
    pendingReason(prompt) {
      const entry = prompts.get(prompt);
      if (!entry) return undefined;
      if (now() - entry.at > opts.reasonTtlMs) {
        prompts.delete(prompt);
        return undefined;
      }
      return { ...entry.pending };
    },
    settleReason: (prompt) => {
      prompts.delete(prompt);
    },
  };
}
