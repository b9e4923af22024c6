import { describe, expect, it } from 'vitest';
import { isStopword, stem, terms, tokenize } from '../../src/core/terms.ts';

describe('terms', () => {
  it('drops stopwords and stems English words to a shared root', () => {
    expect(terms('The elections and the elected parliaments')).toEqual(['elect', 'elect', 'parliament']);
  });

  it('stems Russian words with the Russian stemmer', () => {
    expect(stem('выборы')).toBe(stem('выборов'));
  });

  it('keeps numbers as they are', () => {
    expect(terms('In 2022 about 37,5 percent')).toEqual(['2022', '37,5', 'percent']);
  });

  it('treats function words of all three languages as stopwords', () => {
    expect(isStopword('the')).toBe(true);
    expect(isStopword('который')).toBe(false);
    expect(isStopword('и')).toBe(true);
    expect(isStopword('және')).toBe(true);
  });
});

describe('tokenize', () => {
  it('reports positions that slice back to the word', () => {
    const text = 'Akims of “districts” — elected?';
    for (const token of tokenize(text)) {
      expect(text.slice(token.start, token.end).toLowerCase()).toBe(token.word);
    }
  });

  it('handles Kazakh letters, emoji and lone surrogates without throwing', () => {
    expect(() => tokenize('Қазақстан 🇰🇿 \ud800 саяси')).not.toThrow();
    expect(terms('Қазақстан саяси')).toHaveLength(2);
  });
});
