import { MAX_SKEW_SECONDS } from './verify.ts';

/**
 * Remembers the signatures of accepted signed requests for as long as their timestamp would still pass
 * the freshness check, so a recorded request replayed inside that window is recognised. Bounded: past
 * `maxEntries` the oldest signatures (those closest to expiry) are forgotten first.
 */
export interface ReplayGuard {
  /**
   * True the first time a signature is seen; false for a replay. In memory this answers at once; a shared
   * store (a Durable Object on Workers) answers asynchronously.
   */
  firstUse(signature: string, timestampSeconds: number): boolean | Promise<boolean>;
}

export interface ReplayGuardOptions {
  /** How long a signed timestamp stays acceptable, in seconds (the verifiers' window). */
  windowSeconds: number;
  /** Most signatures held at once (~150 bytes each). */
  maxEntries: number;
  now: () => number;
}

export const DEFAULT_REPLAY_GUARD_OPTIONS: ReplayGuardOptions = {
  windowSeconds: MAX_SKEW_SECONDS,
  maxEntries: 100_000,
  now: Date.now,
};

export function createReplayGuard(
  options: Partial<ReplayGuardOptions> = {},
): ReplayGuard & { firstUse(signature: string, timestampSeconds: number): boolean; size(): number } {
  const { windowSeconds, maxEntries, now } = { ...DEFAULT_REPLAY_GUARD_OPTIONS, ...options };
  /** Signature → the time (unix seconds) after which its timestamp is refused anyway. */
  const seen = new Map<string, number>();
  const forgetExpired = (nowSeconds: number) => {
    for (const [signature, expires] of seen) {
      if (expires >= nowSeconds) break;
      seen.delete(signature);
    }
  };
  return {
    firstUse(signature, timestampSeconds) {
      const nowSeconds = now() / 1000;
      forgetExpired(nowSeconds);
      const expires = seen.get(signature);
      if (expires !== undefined && expires >= nowSeconds) return false;
      seen.set(signature, timestampSeconds + windowSeconds);
      while (seen.size > maxEntries) seen.delete(seen.keys().next().value as string);
      return true;
    },
    size() {
      forgetExpired(now() / 1000);
      return seen.size;
    },
  };
}

/** How long a platform may re-deliver an event it saw no answer to (Telegram retries for up to a day). */
export const DELIVERY_WINDOW_SECONDS = 24 * 3600;

/**
 * Ids of delivered events (Telegram `update_id`, Slack `event_id`), keyed `platform:id`, so an event
 * delivered again is answered once: the last 10,000 within a day.
 */
export function createDeliveryGuard(now: () => number = Date.now): ReplayGuard {
  return createReplayGuard({ windowSeconds: DELIVERY_WINDOW_SECONDS, maxEntries: 10_000, now });
}
