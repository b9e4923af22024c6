import { describe, expect, it } from 'vitest';
import {
  isHit,
  locate,
  metricsOf,
  parseQuestions,
  runQuestions,
  summarize,
} from '../../src/eval/evaluate.ts';
import type { AskRequest, AskResult } from '../../src/retrieve/types.ts';

const raw = 'Intro.\n\nThe **akims** of rural\ndistricts are elected. Other text here.';

describe('locate', () => {
  it('finds verbatim evidence', () => {
    expect(locate(raw, 'Other text')).toEqual({
      start: raw.indexOf('Other'),
      end: raw.indexOf('Other') + 10,
    });
  });

  it('finds evidence across markup and line breaks', () => {
    const span = locate(raw, 'The akims of rural districts are elected.');
    expect(span && raw.slice(span.start, span.end)).toBe('The **akims** of rural\ndistricts are elected.');
  });

  it('returns undefined for text that is not there', () => {
    expect(locate(raw, 'nowhere to be found')).toBeUndefined();
  });
});

describe('isHit', () => {
  it('needs at least half of an evidence span covered', () => {
    expect(isHit({ start: 0, end: 50 }, [{ start: 40, end: 60 }])).toBe(true);
    expect(isHit({ start: 0, end: 49 }, [{ start: 40, end: 60 }])).toBe(false);
  });
});

describe('parseQuestions', () => {
  it('names the line of a malformed question', () => {
    expect(() => parseQuestions('{"id":"a","turns":["q"]}\n{"id":"b"}\n')).toThrow(/questions:2/);
  });
});

describe('runQuestions', () => {
  it('finds the rank of the first hit and summarises', async () => {
    const sources = new Map([['a.txt', raw]]);
    const questions = parseQuestions(
      [
        JSON.stringify({
          id: 'q1',
          kind: 'single',
          turns: ['akims?'],
          source: 'a.txt',
          evidence: ['Other text here.'],
        }),
        JSON.stringify({ id: 'q2', kind: 'unanswerable', turns: ['weather?'], source: null, evidence: [] }),
      ].join('\n'),
    );
    const start = raw.indexOf('Other');
    const ask = async (request: AskRequest): Promise<AskResult> => ({
      query: { text: request.question, language: 'en', usedHistory: false, model: 'test-model' },
      confidence: request.question === 'weather?' ? 'low' : 'high',
      signals: {
        coverage: 1,
        support: 1,
        agreement: true,
        missingNames: [],
        asksAboutNow: false,
        similarity: 0.9,
        otherLanguage: false,
      },
      tookMs: 0,
      passages: [0, start].map((s, i) => ({
        id: `p${i}`,
        rank: i + 1,
        score: 1,
        text: '',
        language: 'en',
        kind: 'body',
        quote: { text: '', start: s, end: s + 16, highlights: [], marks: [] },
        citation: {
          source: 'a.txt',
          documentId: 'a',
          title: '',
          authors: [],
          section: '',
          start: s,
          end: s + 16,
          label: '',
        },
      })),
    });
    const outcomes = await runQuestions(questions, sources, ask);
    expect(outcomes[0]?.rank).toBe(2);
    const report = summarize(outcomes);
    expect(report.answerable.mrr10).toBeCloseTo(0.5);
    expect(report.abstainedUnanswerable).toBe(1);
    expect(report.quoteHolds).toBe(1);
    expect(metricsOf([]).n).toBe(0);
  });
});
