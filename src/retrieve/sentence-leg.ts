import type { SearchIndex } from '../index/search-index.ts';
import type { PassageFilter } from '../index/types.ts';

/** Sentences fetched per passage wanted (a passage holds several close matches). */
const SENTENCES_PER_PASSAGE = 4;

/**
 * Passages ranked by the cosine of their best sentence with `qv`. A question usually matches one sentence
 * of the passage that answers it; a whole-passage vector dilutes that sentence among the rest.
 */
export async function bestSentences(
  index: Pick<SearchIndex, 'sentences' | 'sentencePassage'>,
  qv: Float32Array,
  k: number,
  accept: ((label: number) => boolean) | undefined,
  filter: PassageFilter,
): Promise<Array<{ label: number; score: number }>> {
  const hits = await index.sentences.search(
    qv,
    k * SENTENCES_PER_PASSAGE,
    accept && ((row) => accept(index.sentencePassage[row] ?? -1)),
    filter,
  );
  const seen = new Set<number>();
  const out: Array<{ label: number; score: number }> = [];
  for (const hit of hits) {
    const label = index.sentencePassage[hit.label] ?? -1;
    if (seen.has(label)) continue;
    seen.add(label);
    out.push({ label, score: hit.score });
    if (out.length >= k) break;
  }
  return out;
}
