import type { AskRecord, FeedbackStore, StoredAsk } from './types.ts';

/** A feedback store in memory: for tests, and for runtimes without SQLite. Lost on restart. */
export function createMemoryFeedbackStore(): FeedbackStore {
  const asks = new Map<string, StoredAsk>();
  const copy = (ask: StoredAsk): StoredAsk => ({
    ...ask,
    passageIds: [...ask.passageIds],
    documentIds: [...ask.documentIds],
    ...(ask.feedback ? { feedback: { ...ask.feedback } } : {}),
  });
  return {
    async addAsk(ask: AskRecord) {
      if (asks.has(ask.id)) throw new Error(`ask ${ask.id} is already stored`);
      asks.set(ask.id, copy(ask));
    },
    async setFeedback({ askId, rating, reason, at }) {
      const ask = asks.get(askId);
      if (!ask) return false;
      ask.feedback = { rating, at, ...(reason ? { reason } : {}) };
      return true;
    },
    async listAsks({ from, to }) {
      return [...asks.values()]
        .filter((a) => a.at >= from && a.at < to)
        .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id))
        .map(copy);
    },
    async purge(before) {
      let removed = 0;
      for (const [id, ask] of asks) {
        if (ask.at < before) {
          asks.delete(id);
          removed++;
        }
      }
      return removed;
    },
    async close() {},
  };
}
