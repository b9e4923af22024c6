import { describe, expect, it } from 'vitest';
import { questionKey, summarize } from '../../src/feedback/report.ts';
import type { StoredAsk } from '../../src/feedback/types.ts';
import { askAt } from './store-contract.ts';

const DAY = 86_400_000;
const day0 = Date.UTC(2026, 0, 10);
const range = { from: day0, to: day0 + 3 * DAY };
const titleOf = (id: string) => ({ d1: 'Doc one', d2: 'Doc two' })[id];

describe('summarize', () => {
  const asks: StoredAsk[] = [
    { ...askAt('1', day0 + 1000, { question: 'How are akims elected?' }), feedback: { rating: 'up', at: 0 } },
    {
      ...askAt('2', day0 + 2000, { question: 'how are  akims elected' }),
      feedback: { rating: 'down', reason: 'old data', at: 0 },
    },
    askAt('3', day0 + DAY, {
      question: 'Who is the president of Uzbekistan?',
      confidence: 'low',
      documentIds: ['d2'],
      passageIds: ['d2.p1'],
    }),
    {
      ...askAt('4', day0 + DAY + 5, {
        question: 'Who is the president of Uzbekistan?',
        confidence: 'low',
        documentIds: ['d2', 'd2'],
      }),
      feedback: { rating: 'down', at: 0 },
    },
  ];
  const report = summarize(asks, range, { top: 10, titleOf });

  it('counts questions, low confidence and feedback per UTC day, with empty days as zeros', () => {
    expect(report.perDay).toEqual([
      { date: '2026-01-10', questions: 2, low: 0, up: 1, down: 1 },
      { date: '2026-01-11', questions: 2, low: 2, up: 0, down: 1 },
      { date: '2026-01-12', questions: 0, low: 0, up: 0, down: 0 },
    ]);
    expect(report.totals).toEqual({ questions: 4, lowConfidence: 2, lowShare: 0.5, up: 1, down: 2 });
    expect(report.range.days).toBe(3);
  });

  it('groups a question asked with different case, spacing and punctuation', () => {
    expect(questionKey(' How are  akims elected?! ')).toBe(questionKey('how are akims elected'));
    expect(report.topQuestions.map((q) => [q.question, q.count])).toEqual([
      ['Who is the president of Uzbekistan?', 2],
      ['how are  akims elected', 2],
    ]);
  });

  it('lists what the corpus lacks and what readers disliked, with their reasons', () => {
    expect(report.unanswered.map((q) => [q.question, q.low])).toEqual([
      ['Who is the president of Uzbekistan?', 2],
    ]);
    expect(report.disliked.map((q) => [q.question, q.down, q.up])).toEqual([
      ['Who is the president of Uzbekistan?', 1, 0],
      ['how are  akims elected', 1, 1],
    ]);
    expect(report.disliked[1]?.reasons).toEqual(['old data']);
  });

  it('counts each document once per answer, and which answers it led', () => {
    expect(report.topDocuments).toEqual([
      { documentId: 'd2', title: 'Doc two', answers: 4, top: 2 },
      { documentId: 'd1', title: 'Doc one', answers: 2, top: 2 },
    ]);
  });

  it('reports an empty period without dividing by zero', () => {
    const empty = summarize([], range, { top: 5, titleOf });
    expect(empty.totals.lowShare).toBe(0);
    expect(empty.topQuestions).toEqual([]);
  });
});
