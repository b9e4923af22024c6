import fc from 'fast-check';
import { terms } from '../../src/core/terms.ts';
import type { LexicalDocument, LexicalHit } from '../../src/index/lexical.ts';

/** A small vocabulary, so that random passages share terms and random queries match many of them. */
export const WORDS = (
  'akim election party parliament reform region digital citizen budget court president mazhilis senate vote ' +
  'local council governor policy youth media law rights protest market village district capital'
).split(' ');

export const documentsArb = fc.array(
  fc.record({
    text: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 40 }).map((w) => w.join(' ')),
    context: fc.array(fc.constantFrom(...WORDS), { maxLength: 4 }).map((w) => w.join(' ')),
  }),
  { minLength: 1, maxLength: 120 },
);

/** Weighted stemmed terms, one of which no passage holds. */
export const queryArb = fc.array(
  fc.tuple(
    fc.constantFrom(...WORDS.map((w) => terms(w)[0] ?? w), 'absent'),
    fc.double({ min: 0.05, max: 1, noNaN: true }),
  ),
  { minLength: 1, maxLength: 12 },
);

/**
 * One random search: passages, a weighted query, k, a filter modulus (the filter drops labels ≡ 1 mod it)
 * and a first-pass range size up to `maxRange`.
 */
export const searchArb = (maxRange: number) =>
  fc.record({
    raw: documentsArb,
    q: queryArb,
    k: fc.integer({ min: 1, max: 30 }),
    mod: fc.integer({ min: 1, max: 5 }),
    range: fc.integer({ min: 1, max: maxRange }),
  });

/** Passages with ordinals. */
export const withOrdinals = (raw: ReadonlyArray<{ text: string; context: string }>): LexicalDocument[] =>
  raw.map((d, ordinal) => ({ ordinal, ...d }));

// `matched` is read explicitly: hits look their terms up when asked, so `toEqual` alone would skip them.
export const plain = (hits: LexicalHit[]) =>
  hits.map(({ label, score, matched }) => ({ label, score, matched }));
