import { describe, expect, it } from 'vitest';
import type { AskRecord, FeedbackStore } from '../../src/feedback/types.ts';

/** An ask at `at` (ms) with two passages of document `d1`. */
export function askAt(id: string, at: number, overrides: Partial<AskRecord> = {}): AskRecord {
  return {
    id,
    at,
    channel: 'web',
    question: `Question ${id}?`,
    confidence: 'high',
    passageIds: ['d1.p1', 'd2.p4'],
    documentIds: ['d1', 'd2'],
    ...overrides,
  };
}

/**
 * The contract every feedback store keeps; each implementation's test file runs it with a factory that
 * returns a fresh, empty store.
 */
export function feedbackStoreContract(name: string, open: () => Promise<FeedbackStore>): void {
  describe(`feedback store contract: ${name}`, () => {
    it('returns the asks of a half-open range, oldest first, as they were stored', async () => {
      const store = await open();
      await store.addAsk(
        askAt('b', 2000, { question: 'Кто такой Хантингтон? «цитата» 😀', confidence: 'low' }),
      );
      await store.addAsk(askAt('a', 1000));
      await store.addAsk(askAt('c', 3000));
      const asks = await store.listAsks({ from: 1000, to: 3000 });
      expect(asks.map((a) => a.id)).toEqual(['a', 'b']);
      expect(asks[1]).toEqual(
        askAt('b', 2000, { question: 'Кто такой Хантингтон? «цитата» 😀', confidence: 'low' }),
      );
      await store.close();
    });

    it('refuses a second ask with the same id and keeps the first', async () => {
      const store = await open();
      await store.addAsk(askAt('a', 1000));
      await expect(store.addAsk(askAt('a', 5000, { question: 'other' }))).rejects.toThrow();
      expect((await store.listAsks({ from: 0, to: 10_000 }))[0]?.question).toBe('Question a?');
      await store.close();
    });

    it('records feedback on a known ask, and a later verdict replaces the earlier one', async () => {
      const store = await open();
      await store.addAsk(askAt('a', 1000));
      expect(await store.setFeedback({ askId: 'a', rating: 'down', reason: 'wrong article', at: 1100 })).toBe(
        true,
      );
      expect((await store.listAsks({ from: 0, to: 2000 }))[0]?.feedback).toEqual({
        rating: 'down',
        reason: 'wrong article',
        at: 1100,
      });
      expect(await store.setFeedback({ askId: 'a', rating: 'up', at: 1200 })).toBe(true);
      expect((await store.listAsks({ from: 0, to: 2000 }))[0]?.feedback).toEqual({ rating: 'up', at: 1200 });
      await store.close();
    });

    it('refuses feedback on an unknown ask and stores nothing', async () => {
      const store = await open();
      expect(await store.setFeedback({ askId: 'missing', rating: 'up', at: 1 })).toBe(false);
      await store.addAsk(askAt('a', 1000));
      expect((await store.listAsks({ from: 0, to: 2000 }))[0]?.feedback).toBeUndefined();
      await store.close();
    });

    it('purges asks older than the cut-off together with their feedback', async () => {
      const store = await open();
      await store.addAsk(askAt('old', 1000));
      await store.addAsk(askAt('new', 5000));
      await store.setFeedback({ askId: 'old', rating: 'down', at: 1001 });
      expect(await store.purge(5000)).toBe(1);
      expect((await store.listAsks({ from: 0, to: 10_000 })).map((a) => a.id)).toEqual(['new']);
      // Feedback on a purged ask is refused, as for an unknown one.
      expect(await store.setFeedback({ askId: 'old', rating: 'up', at: 6000 })).toBe(false);
      expect(await store.purge(5000)).toBe(0);
      await store.close();
    });
  });
}
