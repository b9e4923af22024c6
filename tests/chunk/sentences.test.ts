import { describe, expect, it } from 'vitest';
import { sentenceEnds } from '../../src/chunk/sentences.ts';

const split = (text: string) => {
  let from = 0;
  return sentenceEnds(text).map((end) => {
    const s = text.slice(from, end).trim();
    from = end;
    return s;
  });
};

describe('sentenceEnds', () => {
  it('does not split after initials or abbreviations', () => {
    expect(split('President K.K. Tokayev spoke, e.g. about M.V. Ilyin. Then he left.')).toEqual([
      'President K.K. Tokayev spoke, e.g. about M.V. Ilyin.',
      'Then he left.',
    ]);
  });

  it('keeps a list number with its item', () => {
    expect(split('There are two. 1. The first one is here.')).toEqual([
      'There are two.',
      '1. The first one is here.',
    ]);
  });

  it('splits after closing quotes and question marks', () => {
    expect(split('He said «stop.» Who listened? Nobody.')).toEqual([
      'He said «stop.»',
      'Who listened?',
      'Nobody.',
    ]);
  });

  it('handles Cyrillic sentences', () => {
    expect(split('Это первое. Это второе.')).toHaveLength(2);
  });
});
