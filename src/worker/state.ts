import { DurableObject } from 'cloudflare:workers';
import {
  type ConversationStore,
  DEFAULT_CONVERSATION_OPTIONS,
  type LastQuestion,
  type PendingReason,
} from '../bots/conversations.ts';
import { DEFAULT_REPLAY_GUARD_OPTIONS, DELIVERY_WINDOW_SECONDS, type ReplayGuard } from '../bots/replay.ts';
import type { Turn } from '../core/types.ts';
import { type Bucket, type RateLimiter, takeToken } from '../http/rate-limit.ts';

/** One chat's memory, as the in-memory store keeps it. */
interface Chat {
  turns: Turn[];
  at: number;
  last?: LastQuestion;
}

/** What one `EdgeState` object answers over RPC; every time is passed in by the caller (testable). */
export interface EdgeStateRpc {
  take(perMinute: number, nowMs: number): Promise<number>;
  firstUse(expiresSeconds: number, nowSeconds: number): Promise<boolean>;
  chat(nowMs: number, ttlMs: number): Promise<Chat | undefined>;
  remember(question: string, nowMs: number, ttlMs: number, maxTurns: number): Promise<void>;
  markShown(shown: number, nowMs: number, ttlMs: number): Promise<void>;
  clear(): Promise<void>;
  expectReason(pending: PendingReason, nowMs: number, ttlMs: number): Promise<void>;
  pendingReason(nowMs: number, ttlMs: number): Promise<PendingReason | undefined>;
}

/**
 * Edge state in a Durable Object, one object per key (a client's rate-limit bucket, a signature, a
 * Telegram update id, a chat): each object serialises its own requests, so read-modify-write is atomic,
 * and an alarm deletes its storage once it has expired, so nothing accumulates.
 */
export class EdgeState extends DurableObject implements EdgeStateRpc {
  async take(perMinute: number, nowMs: number): Promise<number> {
    const bucket = (await this.ctx.storage.get<Bucket>('bucket')) ?? { tokens: perMinute, at: nowMs };
    const wait = takeToken(bucket, perMinute, nowMs);
    await this.ctx.storage.put('bucket', bucket);
    // A full bucket is the same as none: forget the client once it has refilled.
    await this.#expireIn(perMinute > 0 ? ((perMinute - bucket.tokens) / perMinute) * 60_000 : 0);
    return wait;
  }

  async firstUse(expiresSeconds: number, nowSeconds: number): Promise<boolean> {
    const seen = await this.ctx.storage.get<number>('expires');
    if (seen !== undefined && seen >= nowSeconds) return false;
    await this.ctx.storage.put('expires', expiresSeconds);
    await this.#expireIn((expiresSeconds - nowSeconds) * 1000);
    return true;
  }

  async chat(nowMs: number, ttlMs: number): Promise<Chat | undefined> {
    const chat = await this.ctx.storage.get<Chat>('chat');
    return chat && nowMs - chat.at <= ttlMs ? chat : undefined;
  }

  async remember(question: string, nowMs: number, ttlMs: number, maxTurns: number): Promise<void> {
    const turns = (await this.chat(nowMs, ttlMs))?.turns ?? [];
    const chat: Chat = {
      turns: [...turns, { role: 'user' as const, content: question }].slice(-maxTurns),
      at: nowMs,
      last: { question, history: turns, shown: 0 },
    };
    await this.ctx.storage.put('chat', chat);
    await this.#expireIn(ttlMs);
  }

  async markShown(shown: number, nowMs: number, ttlMs: number): Promise<void> {
    const chat = await this.chat(nowMs, ttlMs);
    if (!chat?.last) return;
    await this.ctx.storage.put('chat', { ...chat, last: { ...chat.last, shown } });
  }

  async clear(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  async expectReason(pending: PendingReason, nowMs: number, ttlMs: number): Promise<void> {
    await this.ctx.storage.put('reason', { pending, at: nowMs });
    await this.#expireIn(ttlMs);
  }

  async pendingReason(nowMs: number, ttlMs: number): Promise<PendingReason | undefined> {
    const entry = await this.ctx.storage.get<{ pending: PendingReason; at: number }>('reason');
    return entry && nowMs - entry.at <= ttlMs ? entry.pending : undefined;
  }

  async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  /** The alarm runs on the real clock, whatever clock the caller's times come from. */
  async #expireIn(ms: number): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now() + Math.max(0, ms) + 1000);
  }
}

/** The `STATE` Durable Object namespace binding, as far as the stores use it. */
export interface StateNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): EdgeStateRpc;
}

export interface DurableStoreOptions {
  now: () => number;
  conversation: { maxTurns: number; ttlMs: number; reasonTtlMs: number };
  replayWindowSeconds: number;
  deliveryWindowSeconds: number;
}

export const DEFAULT_DURABLE_STORE_OPTIONS: DurableStoreOptions = {
  now: Date.now,
  conversation: DEFAULT_CONVERSATION_OPTIONS,
  replayWindowSeconds: DEFAULT_REPLAY_GUARD_OPTIONS.windowSeconds,
  deliveryWindowSeconds: DELIVERY_WINDOW_SECONDS,
};

/** The rate limiter, conversation store and replay guards of the Node service, backed by `EdgeState`. */
export function createDurableStores(namespace: StateNamespace, options: Partial<DurableStoreOptions> = {}) {
  const { now, conversation, replayWindowSeconds, deliveryWindowSeconds } = {
    ...DEFAULT_DURABLE_STORE_OPTIONS,
    ...options,
  };
  const object = (name: string) => namespace.get(namespace.idFromName(name));
  const guard = (kind: string, windowSeconds: number): ReplayGuard => ({
    firstUse: (key, timestampSeconds) =>
      object(`${kind}:${key}`).firstUse(timestampSeconds + windowSeconds, now() / 1000),
  });
  const { maxTurns, ttlMs, reasonTtlMs } = conversation;
  const chat = (id: string) => object(`chat:${id}`);
  const conversations: ConversationStore = {
    history: async (id) => [...((await chat(id).chat(now(), ttlMs))?.turns ?? [])],
    remember: (id, question) => chat(id).remember(question, now(), ttlMs, maxTurns),
    last: async (id) => (await chat(id).chat(now(), ttlMs))?.last,
    markShown: (id, shown) => chat(id).markShown(shown, now(), ttlMs),
    clear: (id) => chat(id).clear(),
    // A reason prompt is an object of its own; no size bound is needed, each one expires by alarm.
    expectReason: (prompt, pending) => object(`prompt:${prompt}`).expectReason(pending, now(), reasonTtlMs),
    pendingReason: (prompt) => object(`prompt:${prompt}`).pendingReason(now(), reasonTtlMs),
    settleReason: (prompt) => object(`prompt:${prompt}`).clear(),
  };
  // The app creates one limiter per budget (API, ops) in a fixed order; each gets its own buckets.
  let limiters = 0;
  return {
    rateLimiter: (perMinute: number): RateLimiter => {
      const name = `rate${limiters++}`;
      return { take: (key) => (perMinute <= 0 ? 0 : object(`${name}:${key}`).take(perMinute, now())) };
    },
    bots: {
      conversations,
      replays: guard('signature', replayWindowSeconds),
      deliveries: guard('delivery', deliveryWindowSeconds),
    },
  };
}
