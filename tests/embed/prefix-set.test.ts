import { existsSync, readFileSync } from 'node:fs';
import { CharTrie } from '@xenova/transformers/src/utils/data-structures.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { originalCharTrie, usePrefixSets } from '../../src/embed/prefix-set.node.ts';

usePrefixSets();

/** The library's own trie, built with its original methods, and ours, over the same pieces. */
function both(pieces: string[]) {
  const original = new CharTrie();
  originalCharTrie.extend.call(original, pieces);
  const ours = new CharTrie();
  ours.extend(pieces);
  return {
    original: (text: string) => [...originalCharTrie.commonPrefixSearch.call(original, text)],
    ours: (text: string) => [...ours.commonPrefixSearch(text)],
  };
}

describe('prefix sets in place of Transformers.js CharTrie', () => {
  it('find the same prefixes, in the same order, as the original trie', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'b', '▁', 'ж', '𝔸') })),
        fc.string({ maxLength: 12, unit: fc.constantFrom('a', 'b', '▁', 'ж', '𝔸', 'c') }),
        (pieces, text) => {
          const { original, ours } = both(pieces);
          expect(ours(text)).toEqual(original(text));
        },
      ),
    );
  });

  const tokenizer = 'models/multilingual-e5-small-q4/tokenizer.json';
  it.skipIf(!existsSync(tokenizer))(
    'agree on every suffix of every corpus line with the real XLM-R vocabulary',
    () => {
      const vocab = (
        JSON.parse(readFileSync(tokenizer, 'utf8')) as { model: { vocab: Array<[string, number]> } }
      ).model.vocab.map((v) => v[0]);
      const { original, ours } = both(vocab);
      const lines = readFileSync('corpus/002_65d38c5c6c547e1f.txt', 'utf8').split('\n').slice(0, 200);
      let checked = 0;
      for (const line of lines) {
        const text = `▁${line.replaceAll(' ', '▁')}`;
        for (let i = 0; i < text.length; i += 3) {
          expect(ours(text.slice(i))).toEqual(original(text.slice(i)));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(1000);
    },
    120_000,
  );
});
