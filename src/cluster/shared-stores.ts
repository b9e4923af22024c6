import {
  type ConversationOptions,
  type ConversationStore,
  createConversationStore,
} from '../bots/conversations.ts';
import {
  createReplayGuard,
  DELIVERY_WINDOW_SECONDS,
  type ReplayGuard,
  type ReplayGuardOptions,
} from '../bots/replay.ts';
import { createRateLimiter, type RateLimiter } from '../http/rate-limit.ts';
import type { RpcCall } from './rpc.ts';

/**
 * State that must be one across the cluster's workers (rate-limit buckets, signatures and Telegram update
 * ids seen, bot conversations) is kept by the primary in the in-memory stores; workers reach it through
 * these clients, so a client's budget and a replayed webhook are judged the same whichever worker the
 * connection lands on. The primary applies each call with the caller's clock.
 */
export interface SharedStores {
  rateLimiter(perMinute: number): RateLimiter;
  replayGuard(options?: Partial<Omit<ReplayGuardOptions, 'now'>>): ReplayGuard;
  conversations(options?: Partial<ConversationOptions>): ConversationStore;
}

/** Which store a call is for: its kind and options; the primary keeps one store per distinct target. */
type Target =
  | ['rate', number]
  | ['replay', Partial<Omit<ReplayGuardOptions, 'now'>>]
  | ['conversations', Partial<ConversationOptions>];

const CONVERSATION_METHODS = [
  'history',
  'remember',
  'last',
  'markShown',
  'clear',
  'expectReason',
  'pendingReason',
  'settleReason',
] as const satisfies ReadonlyArray<keyof ConversationStore>;

/** The worker side: every store method is a call to the primary. */
export function createSharedStoreClients(call: RpcCall): SharedStores {
  const on = (target: Target) => {
    const key = JSON.stringify(target);
    return (method: string, args: unknown[]) => call(key, method, args);
  };
  return {
    rateLimiter: (perMinute) => {
      const send = on(['rate', perMinute]);
      return { take: (key) => send('take', [key]) as Promise<number> };
    },
    replayGuard: (options = {}) => {
      const send = on(['replay', options]);
      return { firstUse: (signature, ts) => send('firstUse', [signature, ts]) as Promise<boolean> };
    },
    conversations: (options = {}) => {
      const send = on(['conversations', options]);
      return Object.fromEntries(
        CONVERSATION_METHODS.map((method) => [method, (...args: unknown[]) => send(method, args)]),
      ) as unknown as ConversationStore;
    },
  };
}

/** The stores a bot deployment shares: signatures, Telegram update ids (a day's window) and chats. */
export function botStores(shared: SharedStores) {
  return {
    replays: shared.replayGuard(),
    deliveries: shared.replayGuard({ windowSeconds: DELIVERY_WINDOW_SECONDS, maxEntries: 10_000 }),
    conversations: shared.conversations(),
  };
}

type Methods = Record<string, (...args: unknown[]) => unknown>;

/**
 * The primary side: the in-memory stores, created on first use, answering calls with the caller's time.
 * Calls are applied one at a time (the event loop), so each read-modify-write is atomic.
 */
export function createSharedStoreHost(): (
  target: string,
  method: string,
  args: unknown[],
  now: number,
) => unknown {
  let clock = Date.now();
  const now = () => clock;
  const stores = new Map<string, Methods>();
  const make = (target: Target): Methods => {
    const [kind, options] = target;
    if (kind === 'rate') return createRateLimiter(options, now) as unknown as Methods;
    if (kind === 'replay') return createReplayGuard({ ...options, now }) as unknown as Methods;
    if (kind === 'conversations') return createConversationStore(options, now) as unknown as Methods;
    throw new Error(`no shared store of kind "${String(kind)}"`);
  };
  return (target, method, args, callerNow) => {
    let store = stores.get(target);
    if (!store) {
      store = make(JSON.parse(target) as Target);
      stores.set(target, store);
    }
    const fn = store[method];
    if (typeof fn !== 'function') throw new Error(`shared store ${target} has no method "${method}"`);
    clock = Number.isFinite(callerNow) ? callerNow : Date.now();
    return fn.apply(store, args);
  };
}
