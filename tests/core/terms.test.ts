import { describe, expect, it } from 'vitest';
import { isStopword, rememberStems, stem, stemTable, terms, tokenize } from '../../src/core/terms.ts';

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

describe('stemTable and rememberStems', () => {
  it('lists each stemmed word once with its stem, the most frequent first, without stopwords or numbers', () => {
    const table = stemTable(['Elections, elected akims; the elections of 2021.', 'Выборы акимов: elections']);
    expect(table[0]).toEqual(['elections', stem('elections')]);
    expect(table).toEqual(
      expect.arrayContaining([
        ['elected', 'elect'],
        ['выборы', stem('выборы')],
      ]),
    );
    expect(table.map(([word]) => word)).not.toContain('the');
    expect(table.map(([word]) => word)).not.toContain('2021');
    expect(new Set(table.map(([word]) => word)).size).toBe(table.length);
    for (const [word, stemmed] of table) expect(stem(word)).toBe(stemmed);
  });

  it('keeps at most `limit` words', () => {
    expect(stemTable(['akims elect parliaments districts'], 2)).toHaveLength(2);
  });

  it('makes stem return the remembered stems instead of computing them', () => {
    // A made-up word whose remembered stem Snowball would never give: the table is used as it is.
    rememberStems([['qazaqization', 'qazaq-stem']]);
    expect(stem('qazaqization')).toBe('qazaq-stem');
    expect(terms('Qazaqization')).toEqual(['qazaq-stem']);
  });
});
