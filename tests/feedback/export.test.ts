import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { asksToCsv } from '../../src/feedback/export.ts';
import { askAt } from './store-contract.ts';

describe('asksToCsv', () => {
  it('writes one row per question with its feedback, quoting commas, quotes and line breaks', () => {
    const csv = asksToCsv([
      {
        ...askAt('a', Date.UTC(2026, 0, 1)),
        question: 'Parties, "akims"\nand maslikhats?',
        feedback: { rating: 'down', reason: 'too old, wrong', at: Date.UTC(2026, 0, 2) },
      },
      askAt('b', Date.UTC(2026, 0, 3)),
    ]);
    const rows = parse(csv) as string[][];
    expect(rows[0]).toEqual([
      'ask_id',
      'asked_at',
      'channel',
      'question',
      'confidence',
      'passage_ids',
      'document_ids',
      'rating',
      'reason',
      'rated_at',
    ]);
    expect(rows[1]).toEqual([
      'a',
      '2026-01-01T00:00:00.000Z',
      'web',
      'Parties, "akims"\nand maslikhats?',
      'high',
      'd1.p1 d2.p4',
      'd1 d2',
      'down',
      'too old, wrong',
      '2026-01-02T00:00:00.000Z',
    ]);
    expect(rows[2]?.slice(7)).toEqual(['', '', '']);
  });

  it('keeps a question typed as a formula from running in a spreadsheet', () => {
    const rows = parse(
      asksToCsv([{ ...askAt('a', 0), question: '=HYPERLINK("http://x","y")' }]),
    ) as string[][];
    expect(rows[1]?.[3]).toBe('\'=HYPERLINK("http://x","y")');
  });
});
