import { tokenize } from '../core/terms.ts';
import type { Passage } from '../core/types.ts';
import { type Cognate, type CognateMatcher, isCognate } from './cognates.ts';

/**
 * A small bilingual lexicon induced from the corpus's own parallel texts: articles that give their title
 * and keywords in English and in Russian or Kazakh ("саяси процесс" beside "political process"). Words
 * already explained by a cognate or an earlier link are set aside, and a phrase pair left with one word on
 * each side links them; this repeats until nothing changes, so "билік философиясы" ↔ "philosophy of power"
 * gives билік → power once философиясы ↔ philosophy is known, and then "билік ұғымы" ↔ "concept of power"
 * gives ұғым → concept.
 */

/** A phrase and its translation: one keyword or a title in two languages. */
export interface ParallelPhrase {
  english: string;
  other: string;
}

interface Side {
  other: Array<{ word: string; term: string }>;
  english: Cognate[];
}

function contentWords(text: string): Array<{ word: string; term: string }> {
  const seen = new Set<string>();
  const out: Array<{ word: string; term: string }> = [];
  for (const t of tokenize(text)) {
    if (t.term === '' || seen.has(t.term)) continue;
    seen.add(t.term);
    out.push({ word: t.word, term: t.term });
  }
  return out;
}

/** Links from the stem of a Russian or Kazakh word to the English word it translates. */
export function induceLexicon(
  phrases: readonly ParallelPhrase[],
  cognates: CognateMatcher,
): Map<string, Cognate> {
  const links = new Map<string, Cognate>();
  const sides: Side[] = phrases.map((p) => ({
    other: contentWords(p.other),
    english: contentWords(p.english),
  }));
  const settle = (side: Side) => {
    side.other = side.other.filter((x) => {
      const known = links.get(x.term);
      const match = known
        ? side.english.find((e) => e.term === known.term)
        : side.english.find(
            (e) => isCognate(x.word, e.word) || cognates.cognatesOf(x.word).some((c) => c.term === e.term),
          );
      if (!match) return true;
      side.english = side.english.filter((e) => e !== match);
      return false;
    });
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const side of sides) {
      settle(side);
      const [x] = side.other;
      const [e] = side.english;
      if (side.other.length === 1 && side.english.length === 1 && x && e && !links.has(x.term)) {
        links.set(x.term, { word: e.word, term: e.term });
        changed = true;
      }
    }
  }
  return links;
}

/** Splits a keyword line into its items. */
export function keywordItems(text: string): string[] {
  return text
    .split(/[,;]/)
    .map((s) => s.replace(/[.\s]+$/u, '').trim())
    .filter((s) => s !== '');
}

/**
 * The parallel phrases of a corpus: keyword lists given in English and another language by the same
 * document (paired item by item when their lengths agree), and the titles heading a document's
 * non-English abstracts, paired with the document's title.
 */
export function parallelPhrases(
  passages: readonly Passage[],
  titleOf: (documentId: string) => string | undefined,
): ParallelPhrase[] {
  const phrases: ParallelPhrase[] = [];
  const byDocument = new Map<string, Passage[]>();
  for (const p of passages) {
    if (p.kind !== 'keywords' && p.kind !== 'abstract') continue;
    byDocument.set(p.documentId, [...(byDocument.get(p.documentId) ?? []), p]);
  }
  for (const [documentId, list] of byDocument) {
    const english = list
      .filter((p) => p.kind === 'keywords' && p.language === 'en')
      .map((p) => keywordItems(p.text));
    const titles = new Set<string>();
    for (const p of list) {
      if (p.language === 'en' || p.language === 'und') continue;
      if (p.kind === 'keywords') {
        const items = keywordItems(p.text);
        const match = english.find((e) => e.length === items.length);
        match?.forEach((e, i) => {
          phrases.push({ english: e, other: items[i] as string });
        });
      } else if (p.section[0] && !titles.has(p.section[0])) {
        titles.add(p.section[0]);
        const title = titleOf(documentId);
        if (title) phrases.push({ english: title, other: p.section[0] });
      }
    }
  }
  return phrases;
}
