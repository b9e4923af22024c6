import { describe, expect, it } from 'vitest';
import { createMemoryFeedbackStore } from '../../src/feedback/memory-store.ts';
import {
  createRecordingService,
  type RecordedAskResult,
  startRetention,
} from '../../src/feedback/recording.ts';
import type { FeedbackStore } from '../../src/feedback/types.ts';
import type { AskResult, QaService } from '../../src/retrieve/types.ts';
import { askAt } from './store-contract.ts';

const result = {
  query: { text: 'q', language: 'en', usedHistory: false },
  confidence: 'low',
  signals: { coverage: 0, support: 0, agreement: false, missingNames: [], asksAboutNow: false },
  passages: [{ id: 'd1.p2', citation: { documentId: 'd1' } }],
  tookMs: 1,
} as unknown as AskResult;

const service = { ask: async () => result } as unknown as QaService;

describe('createRecordingService', () => {
  it('records each answer and hands its askId back with it', async () => {
    const store = createMemoryFeedbackStore();
    const recording = createRecordingService(service, store, { channel: 'web', now: () => 42 });
    const answer = (await recording.ask({ question: 'Who?' })) as RecordedAskResult;
    expect(answer.askId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await store.listAsks({ from: 0, to: 100 })).toEqual([
      {
        id: answer.askId,
        at: 42,
        channel: 'web',
        question: 'Who?',
        confidence: 'low',
        passageIds: ['d1.p2'],
        documentIds: ['d1'],
      },
    ]);
  });

  it('still answers when the store fails, without an askId, and logs why', async () => {
    const broken = {
      ...createMemoryFeedbackStore(),
      addAsk: async () => Promise.reject(new Error('disk full')),
    };
    const logged: Array<Record<string, unknown>> = [];
    const recording = createRecordingService(service, broken as FeedbackStore, {
      channel: 'web',
      log: (e) => logged.push(e),
    });
    const answer = (await recording.ask({ question: 'Who?' })) as RecordedAskResult;
    expect(answer.passages).toHaveLength(1);
    expect(answer.askId).toBeUndefined();
    expect(String(logged[0]?.error)).toMatch(/disk full/);
  });
});

describe('startRetention', () => {
  it('deletes asks older than the retention when it starts', async () => {
    const store = createMemoryFeedbackStore();
    const now = Date.UTC(2026, 5, 1);
    await store.addAsk(askAt('old', now - 31 * 86_400_000));
    await store.addAsk(askAt('recent', now - 29 * 86_400_000));
    const stop = startRetention(store, 30, { now: () => now });
    await new Promise((r) => setTimeout(r, 10));
    stop();
    expect((await store.listAsks({ from: 0, to: now })).map((a) => a.id)).toEqual(['recent']);
  });
});
