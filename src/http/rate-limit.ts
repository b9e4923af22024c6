/**
 * Per-client token buckets: each client may burst up to `perMinute` requests and refills at
 * `perMinute / 60` per second. Memory is bounded by `maxClients`: when full, the clients with at least
 * half their allowance left are forgotten first, then the least recently used.
 */
export interface RateLimiter {
  /**
   * Takes one token for `key`; returns 0 when allowed, else the seconds to wait before retrying. In memory
   * this answers at once; a shared store (a Durable Object on Workers) answers asynchronously.
   */
  take(key: string): number | Promise<number>;
}

export function createRateLimiter(
  perMinute: number,
  now: () => number = Date.now,
  maxClients = 100_000,
): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const rate = perMinute / 60_000;
  return {
    take(key) {
      if (perMinute <= 0) return 0;
      const t = now();
      let bucket = buckets.get(key);
      if (bucket) {
        // Most recently used last, so the eviction below drops the idlest clients.
        buckets.delete(key);
      } else {
        if (buckets.size >= maxClients) {
          // Forget the clients with at least half their allowance left; the limited ones are remembered,
          // so a flood of new addresses cannot refill their buckets.
          for (const [k, b] of buckets) if (b.tokens + (t - b.at) * rate >= perMinute / 2) buckets.delete(k);
          while (buckets.size >= maxClients) buckets.delete(buckets.keys().next().value as string);
        }
        bucket = { tokens: perMinute, at: t };
      }
      buckets.set(key, bucket);
      return takeToken(bucket, perMinute, t);
    },
  };
}

/** A client's bucket: tokens left at time `at` (ms). */
export interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Refills `bucket` up to time `t` and takes one token from it (mutating it); returns 0 when allowed, else
 * the seconds until a token is back. The one rule every rate-limit store applies.
 */
export function takeToken(bucket: Bucket, perMinute: number, t: number): number {
  if (perMinute <= 0) return 0;
  const rate = perMinute / 60_000;
  bucket.tokens = Math.min(perMinute, bucket.tokens + (t - bucket.at) * rate);
  bucket.at = t;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return 0;
  }
  return Math.ceil((1 - bucket.tokens) / rate / 1000);
}
