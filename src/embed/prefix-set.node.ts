import { CharTrie } from '@xenova/transformers/src/utils/data-structures.js';

/**
 * Transformers.js 2.x builds a Unigram tokenizer's piece trie as one Map per character: for the 250,002
 * pieces of XLM-R (multilingual-e5) that is millions of Maps, about 2.5 s of the model's load and most of a
 * second of garbage collection. Its only use is `commonPrefixSearch` (the pieces that are prefixes of the
 * rest of the sentence), which a hash set of the pieces answers as well: try each prefix up to the longest
 * piece. Same results in the same order (shortest first), measured on every passage of the corpus in
 * tests/embed/prefix-set.test.ts; building the set takes milliseconds.
 */
interface PieceSet {
  pieces: Set<string>;
  longest: number;
}

const sets = new WeakMap<object, PieceSet>();

export const originalCharTrie = {
  extend: CharTrie.prototype.extend,
  commonPrefixSearch: CharTrie.prototype.commonPrefixSearch,
};

let installed = false;

/** Replaces CharTrie's storage by a set of pieces (idempotent). */
export function usePrefixSets(): void {
  if (installed) return;
  installed = true;
  CharTrie.prototype.extend = function extend(this: object, texts: string[]) {
    const entry = sets.get(this) ?? { pieces: new Set<string>(), longest: 0 };
    for (const text of texts) {
      entry.pieces.add(text);
      if (text.length > entry.longest) entry.longest = text.length;
    }
    sets.set(this, entry);
  };
  CharTrie.prototype.commonPrefixSearch = function* commonPrefixSearch(this: object, text: string) {
    const entry = sets.get(this);
    if (!entry) return;
    // The library walks UTF-16 units against a trie keyed by code points, so it never gets past a
    // surrogate: kept, so tokenisation stays exactly the library's.
    let end = Math.min(text.length, entry.longest);
    for (let i = 0; i < end; i++) {
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdfff) end = i;
    }
    for (let i = 1; i <= end; i++) {
      const prefix = text.slice(0, i);
      if (entry.pieces.has(prefix)) yield prefix;
    }
  };
}
