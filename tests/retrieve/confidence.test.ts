import { describe, expect, it } from 'vitest';
import { lowConfidenceNote, missingNames, rateConfidence } from '../../src/retrieve/confidence.ts';
import { asksAboutNow, expectedAnswer, holdsAnswer, namesIn } from '../../src/retrieve/query.ts';

const base = {
  coverage: 1,
  support: 0.8,
  agreement: true,
  missingNames: [] as string[],
  asksAboutNow: false,
  similarity: 0.9,
  otherLanguage: false,
};

describe('rateConfidence', () => {
  it('is low when most of the question is about words the corpus never uses', () => {
    expect(rateConfidence({ ...base, coverage: 0.3 })).toBe('low');
  });

  it('is low when the best passage never mentions a name the question asks about', () => {
    expect(rateConfidence({ ...base, missingNames: ['uzbekistan'] })).toBe('low');
  });

  it('is low when the question asks about the present, whatever the passages hold', () => {
    expect(rateConfidence({ ...base, asksAboutNow: true })).toBe('low');
  });

  it('is low when the question asks for an answer of a kind the best quote does not hold', () => {
    expect(rateConfidence({ ...base, missingAnswer: 'share' })).toBe('low');
    expect(rateConfidence({ ...base, missingAnswer: 'amount' })).toBe('low');
  });

  it('judges a question in another language by similarity when the model matches across languages', () => {
    const russian = { ...base, coverage: 0.1, otherLanguage: true };
    // Without a cross-lingual threshold (the built-in model) low coverage decides.
    expect(rateConfidence({ ...russian, similarity: 0.95 })).toBe('low');
    expect(rateConfidence({ ...russian, similarity: 0.9 }, { crossLingualSimilarity: 0.85 })).toBe('high');
    expect(rateConfidence({ ...russian, similarity: 0.8 }, { crossLingualSimilarity: 0.85 })).toBe('low');
    // A question in the passages' own language is still judged by coverage.
    expect(
      rateConfidence({ ...base, coverage: 0.1, similarity: 0.95 }, { crossLingualSimilarity: 0.85 }),
    ).toBe('low');
  });

  it('is high when the best passage holds the question terms and both legs agree', () => {
    expect(rateConfidence(base)).toBe('high');
  });

  it('is medium when support is partial or the legs disagree', () => {
    expect(rateConfidence({ ...base, support: 0.3 })).toBe('medium');
    expect(rateConfidence({ ...base, agreement: false })).toBe('medium');
  });
});

describe('missingNames', () => {
  const share = new Map([
    ['kazakhstan', 0.64],
    ['uzbekistan', 0.04],
    ['facebook', 0.01],
  ]);
  const passageShare = (term: string) => share.get(term) ?? 0;

  it('lists the names the best passage lacks', () => {
    expect(missingNames(['uzbekistan', 'facebook'], new Set(['facebook']), passageShare)).toEqual([
      'uzbekistan',
    ]);
    expect(missingNames(['gini'], new Set(), passageShare)).toEqual(['gini']);
  });

  it('compares a Cyrillic name with English passages through its English forms, else not at all', () => {
    const english = new Set(['tokayev', 'reform']);
    const forms = (name: string) => (name === 'токаев' ? ['tokayev'] : name === 'рахмон' ? ['rahmon'] : []);
    expect(missingNames(['токаев'], english, passageShare, {}, forms)).toEqual([]);
    expect(missingNames(['рахмон'], english, passageShare, {}, forms)).toEqual(['рахмон']);
    expect(missingNames(['қазақстанда'], english, passageShare, {}, forms)).toEqual([]);
    // Among Russian passages a Russian name is compared as it is.
    expect(missingNames(['рахмон'], new Set(['реформа']), passageShare, {}, forms)).toEqual(['рахмон']);
  });

  it('leaves out names most of the corpus uses: they are its subject, not a passage requirement', () => {
    expect(missingNames(['kazakhstan', 'uzbekistan'], new Set(), passageShare)).toEqual(['uzbekistan']);
    expect(missingNames(['kazakhstan'], new Set(), passageShare, { commonNameShare: 0.7 })).toEqual([
      'kazakhstan',
    ]);
  });
});

describe('namesIn', () => {
  it('finds capitalised words that do not open a sentence', () => {
    expect(namesIn("What were the results of Uzbekistan's 2023 presidential election?")).toEqual([
      'uzbekistan',
      '2023',
    ]);
    expect(namesIn('How does the Ak Zhol party position itself?')).toEqual(['ak', 'zhol']);
  });

  it('ignores sentence openings and shouted text', () => {
    expect(namesIn('Parties matter. Which ones?')).toEqual([]);
    expect(namesIn('WHAT IS POLITICAL MODERNIZATION?')).toEqual([]);
  });
});

describe('asksAboutNow', () => {
  it('recognises questions about who or what holds a role now, in three languages', () => {
    expect(asksAboutNow('Who is the current head of the Majilis?')).toBe(true);
    expect(asksAboutNow("What's the present rate of unemployment?")).toBe(true);
    expect(asksAboutNow('Which parties are currently in parliament?')).toBe(true);
    expect(asksAboutNow('Кто сейчас возглавляет правительство?')).toBe(true);
    expect(asksAboutNow('Кто нынешний аким Алматы?')).toBe(true);
    expect(asksAboutNow('Қазір үкіметті кім басқарады?')).toBe(true);
  });

  it('ignores descriptive uses and the Kazakh word for "modern"', () => {
    expect(asksAboutNow("Who led Finland's cabinet during the current welfare overhaul?")).toBe(false);
    expect(asksAboutNow('What was the current account balance in 2020?')).toBe(false);
    expect(asksAboutNow('Қазіргі қоғамдағы билік философиясы қандай?')).toBe(false);
    expect(asksAboutNow('What is political modernization?')).toBe(false);
  });
});

describe('expectedAnswer and holdsAnswer', () => {
  it('recognises questions asking for a share, an amount, a year, a count or a person, in three languages', () => {
    expect(expectedAnswer('What was the voter turnout in the 2022 referendum?')).toBe('share');
    expect(expectedAnswer('Какой процент голосов получил кандидат?')).toBe('share');
    expect(expectedAnswer('How much money did the government allocate to the programme?')).toBe('amount');
    expect(expectedAnswer('What is the minimum wage in Kazakhstan in tenge?')).toBe('amount');
    expect(expectedAnswer('In what year was the death penalty abolished?')).toBe('year');
    expect(expectedAnswer('Когда парламент принял закон?')).toBe('year');
    expect(expectedAnswer('Өлім жазасы қай жылы жойылды?')).toBe('year');
    expect(expectedAnswer('How many deputies does the President appoint?')).toBe('count');
    expect(expectedAnswer('Сколько партий было зарегистрировано?')).toBe('count');
    expect(expectedAnswer('Қанша партия тіркелді?')).toBe('count');
    // "Who" is not checked: the answer is as often a body or a role as a name.
    expect(expectedAnswer('Who headed the land reform commission?')).toBeUndefined();
  });

  it('does not read conditions, reasons or embedded clauses as such questions', () => {
    expect(expectedAnswer('When does a participation crisis arise during modernization?')).toBeUndefined();
    expect(expectedAnswer('Why did Kazakhstan adopt a presidential system?')).toBeUndefined();
    expect(expectedAnswer('What did the people who protested demand?')).toBeUndefined();
  });

  it('finds an answer of the kind asked for', () => {
    expect(holdsAnswer('Turnout was 68.4%.', 'share')).toBe(true);
    expect(holdsAnswer('The third package raised turnout in 2022.', 'share')).toBe(false);
    expect(holdsAnswer('It received 120 billion tenge.', 'amount')).toBe(true);
    expect(holdsAnswer('It was launched in 2018 with wide support.', 'amount')).toBe(false);
    expect(holdsAnswer('It was abolished in 2021.', 'year')).toBe(true);
    expect(holdsAnswer('It was abolished 12 days later.', 'year')).toBe(false);
    expect(holdsAnswer('Seven deputies of the Senate are appointed by the President.', 'count')).toBe(true);
    expect(holdsAnswer('Deputies of the Senate are appointed by the President.', 'count')).toBe(false);
  });
});

describe('lowConfidenceNote', () => {
  it('tells the reader which signal made the answer low', () => {
    expect(lowConfidenceNote({ ...base, asksAboutNow: true })).toMatch(/cannot say what is current/);
    expect(lowConfidenceNote({ ...base, missingNames: ['uzbekistan'] })).toMatch(/do not mention uzbekistan/);
    expect(lowConfidenceNote({ ...base, missingAnswer: 'share' })).toMatch(/give no percentage/);
    expect(lowConfidenceNote({ ...base, missingAnswer: 'amount' })).toMatch(/give no amount of money/);
    expect(lowConfidenceNote(base)).toMatch(/do not seem to cover/);
  });
});
