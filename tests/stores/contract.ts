import { describe, expect, it } from 'vitest';
import type { ConversationStore } from '../../src/bots/conversations.ts';
import type { ReplayGuard } from '../../src/bots/replay.ts';
import type { RateLimiter } from '../../src/http/rate-limit.ts';

/**
 * One contract per store interface, run against every implementation: in memory (Node, tests/stores/)
 * and in a Durable Object (workerd, tests/worker/stores.test.ts). Keys are unique per test, so a shared
 * backing store cannot carry state from one test into another.
 */

/** A clock the tests move by hand. */
export function manualClock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

let serial = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${serial++}`;

export function rateLimiterContract(
  name: string,
  make: (perMinute: number, now: () => number) => RateLimiter,
): void {
  describe(`RateLimiter contract: ${name}`, () => {
    it('allows a burst of the per-minute budget, then says how many seconds to wait', async () => {
      const clock = manualClock();
      const limiter = make(3, clock.now);
      const key = unique('client');
      const waits = [];
      for (let i = 0; i < 4; i++) waits.push(await limiter.take(key));
      expect(waits).toEqual([0, 0, 0, 20]);
    });

    it('refills at the per-minute rate', async () => {
      const clock = manualClock();
      const limiter = make(60, clock.now);
      const key = unique('client');
      for (let i = 0; i < 60; i++) expect(await limiter.take(key)).toBe(0);
      expect(await limiter.take(key)).toBe(1);
      clock.advance(2_000);
      expect(await limiter.take(key)).toBe(0);
      expect(await limiter.take(key)).toBe(0);
      expect(await limiter.take(key)).toBeGreaterThan(0);
    });

    it('keeps one bucket per client', async () => {
      const clock = manualClock();
      const limiter = make(1, clock.now);
      const [a, b] = [unique('a'), unique('b')];
      expect(await limiter.take(a)).toBe(0);
      expect(await limiter.take(a)).toBeGreaterThan(0);
      expect(await limiter.take(b)).toBe(0);
    });

    it('never limits with a budget of 0', async () => {
      const limiter = make(0, manualClock().now);
      const key = unique('client');
      for (let i = 0; i < 5; i++) expect(await limiter.take(key)).toBe(0);
    });
  });
}

export function replayGuardContract(
  name: string,
  make: (windowSeconds: number, now: () => number) => ReplayGuard,
): void {
  describe(`ReplayGuard contract: ${name}`, () => {
    it('accepts a signature once within its window', async () => {
      const clock = manualClock();
      const guard = make(300, clock.now);
      const [sig, other] = [unique('sig'), unique('sig')];
      const ts = clock.now() / 1000;
      expect(await guard.firstUse(sig, ts)).toBe(true);
      expect(await guard.firstUse(sig, ts)).toBe(false);
      clock.advance(299_000);
      expect(await guard.firstUse(sig, ts)).toBe(false);
      expect(await guard.firstUse(other, ts)).toBe(true);
    });

    it('forgets a signature once its timestamp is past the window', async () => {
      const clock = manualClock();
      const guard = make(300, clock.now);
      const sig = unique('sig');
      const ts = clock.now() / 1000;
      expect(await guard.firstUse(sig, ts)).toBe(true);
      clock.advance(301_000);
      expect(await guard.firstUse(sig, clock.now() / 1000)).toBe(true);
    });
  });
}

export function conversationStoreContract(
  name: string,
  make: (
    options: { maxTurns: number; ttlMs: number; reasonTtlMs: number },
    now: () => number,
  ) => ConversationStore,
): void {
  describe(`ConversationStore contract: ${name}`, () => {
    it('knows nothing of a new chat', async () => {
      const store = make({ maxTurns: 3, ttlMs: 60_000, reasonTtlMs: 120_000 }, manualClock().now);
      const chat = unique('chat');
      expect(await store.history(chat)).toEqual([]);
      expect(await store.last(chat)).toBeUndefined();
    });

    it('keeps the last maxTurns questions as user turns, and the history each was asked with', async () => {
      const clock = manualClock();
      const store = make({ maxTurns: 2, ttlMs: 60_000, reasonTtlMs: 120_000 }, clock.now);
      const chat = unique('chat');
      for (const q of ['one', 'two', 'three']) {
        await store.remember(chat, q);
        clock.advance(1000);
      }
      expect(await store.history(chat)).toEqual([
        { role: 'user', content: 'two' },
        { role: 'user', content: 'three' },
      ]);
      expect(await store.last(chat)).toEqual({
        question: 'three',
        history: [
          { role: 'user', content: 'one' },
          { role: 'user', content: 'two' },
        ].slice(-2),
        shown: 0,
      });
    });

    it('records how many passages of the last question were shown', async () => {
      const store = make({ maxTurns: 3, ttlMs: 60_000, reasonTtlMs: 120_000 }, manualClock().now);
      const chat = unique('chat');
      await store.markShown(chat, 3);
      expect(await store.last(chat)).toBeUndefined();
      await store.remember(chat, 'question');
      await store.markShown(chat, 3);
      expect((await store.last(chat))?.shown).toBe(3);
    });

    it('forgets a chat after ttlMs of silence, and on clear', async () => {
      const clock = manualClock();
      const store = make({ maxTurns: 3, ttlMs: 60_000, reasonTtlMs: 120_000 }, clock.now);
      const [quiet, cleared] = [unique('chat'), unique('chat')];
      await store.remember(quiet, 'question');
      await store.remember(cleared, 'question');
      clock.advance(59_000);
      expect(await store.history(quiet)).toHaveLength(1);
      await store.clear(cleared);
      expect(await store.history(cleared)).toEqual([]);
      clock.advance(2_000);
      expect(await store.history(quiet)).toEqual([]);
      expect(await store.last(quiet)).toBeUndefined();
    });

    it('remembers a reason prompt until it is settled or reasonTtlMs has passed', async () => {
      const clock = manualClock();
      const store = make({ maxTurns: 3, ttlMs: 60_000, reasonTtlMs: 120_000 }, clock.now);
      const [settled, stale, unknown] = [unique('prompt'), unique('prompt'), unique('prompt')];
      await store.expectReason(settled, { askId: 'a1', user: '7' });
      await store.expectReason(stale, { askId: 'a2' });
      expect(await store.pendingReason(settled)).toEqual({ askId: 'a1', user: '7' });
      expect(await store.pendingReason(unknown)).toBeUndefined();
      await store.settleReason(settled);
      expect(await store.pendingReason(settled)).toBeUndefined();
      clock.advance(119_000);
      expect(await store.pendingReason(stale)).toEqual({ askId: 'a2' });
      clock.advance(2_000);
      expect(await store.pendingReason(stale)).toBeUndefined();
    });

    it('keeps chats apart', async () => {
      const store = make({ maxTurns: 3, ttlMs: 60_000, reasonTtlMs: 120_000 }, manualClock().now);
      const [a, b] = [unique('chat'), unique('chat')];
      await store.remember(a, 'for a');
      expect(await store.history(b)).toEqual([]);
    });
  });
}
