import { PASSAGE_KINDS } from '../core/types.ts';
import type { PassageFilter, VectorHit, VectorIndex } from './types.ts';
import { EXACT_SEARCH_MAX_ROWS } from './types.ts';

/**
 * Dense search per language, beside the shared graph.
 *
 * A graph walk starts from one entry point and follows neighbours. Passages of a language few passages are
 * in sit in a cluster of their own (a model without cross-lingual training puts a Kazakh text near other
 * Kazakh texts, far from any English one), joined to the rest of the graph by few links: at 100k synthetic
 * passages the walk from the entry point found 0 of the 10 nearest passages for 5 of the 200 eval
 * questions, all Kazakh (BENCHMARKS.md, "bench:scale"). So every language but the most common one also
 * gets a dense index of its own (a full scan when its passages are few, else a graph of just them), and a
 * question in that language searches it as well as the shared graph. Questions in the common language
 * search the shared graph alone, at no extra cost (searchDense says how the others are searched).
 */

/**
 * Rows of each language that gets an index of its own, ascending: every language but the most common one
 * (ties: the first seen), and none while the whole collection is searched exactly (a scan cannot miss).
 */
export function partitionRows(
  languages: readonly string[],
  exactMaxRows = EXACT_SEARCH_MAX_ROWS,
): Map<string, Uint32Array> {
  if (languages.length <= exactMaxRows) return new Map();
  const counts = new Map<string, number>();
  for (const language of languages) counts.set(language, (counts.get(language) ?? 0) + 1);
  let common = '';
  for (const [language, count] of counts) if (count > (counts.get(common) ?? 0)) common = language;
  const rows = new Map<string, Uint32Array>();
  const filled = new Map<string, number>();
  for (const [language, count] of counts) {
    if (language !== common) {
      rows.set(language, new Uint32Array(count));
      filled.set(language, 0);
    }
  }
  languages.forEach((language, row) => {
    const out = rows.get(language);
    if (!out) return;
    const at = filled.get(language) ?? 0;
    out[at] = row;
    filled.set(language, at + 1);
  });
  return rows;
}

/** One per-language index a build writes: `vectors.lang<i>.f32` (scanned) or `.hnsw` (a graph). */
export interface PartitionFile {
  language: string;
  rows: Uint32Array;
  file: string;
}

/** The per-language indexes of a collection and their file names, as the build writes and the manifest lists them. */
export function partitionFiles(
  languages: readonly string[],
  exactMaxRows = EXACT_SEARCH_MAX_ROWS,
): PartitionFile[] {
  return [...partitionRows(languages, exactMaxRows)].map(([language, rows], i) => ({
    language,
    rows,
    file: `vectors.lang${i}.${rows.length <= exactMaxRows ? 'f32' : 'hnsw'}`,
  }));
}

/** `index` (whose label i is `rows[i]`) as an index over the collection's own labels. */
export function onRows(index: VectorIndex, rows: Uint32Array): VectorIndex {
  if (index.size !== rows.length) {
    throw new RangeError(`an index of ${index.size} vectors for ${rows.length} rows`);
  }
  return {
    dims: index.dims,
    size: index.size,
    async search(vector, k, accept, filter) {
      const hits = await index.search(vector, k, accept && ((i) => accept(rows[i] ?? -1)), filter);
      return hits.map((h) => ({ label: rows[h.label] ?? -1, score: h.score }));
    },
  };
}

/**
 * The `k` best of several hit lists, best first, ties to the lower label. A label in several lists keeps the
 * first list's score: two indexes score the same vector alike up to float rounding (a graph in float32, a
 * scan in float64), and the shared index's score is the one a search without per-language indexes gives.
 */
export function mergeHits(k: number, lists: readonly (readonly VectorHit[])[]): VectorHit[] {
  const best = new Map<number, number>();
  for (const list of lists) {
    for (const { label, score } of list) if (!best.has(label)) best.set(label, score);
  }
  return [...best]
    .map(([label, score]) => ({ label, score }))
    .sort((a, b) => b.score - a.score || a.label - b.label)
    .slice(0, k);
}

/** The per-language indexes of a collection, with what routing a search between them needs. */
export interface LanguageIndexes {
  /** Each language but the most common one: its own index, labelled with the collection's labels. */
  own: ReadonlyMap<string, VectorIndex>;
  /** Every language of the collection. */
  languages: readonly string[];
  /** The language of a label. */
  languageOf(label: number): string;
}

/** The routing for `own` over a collection whose label i has language `languages[i]`; none without `own`. */
export function languageIndexes(
  own: ReadonlyMap<string, VectorIndex> | undefined,
  languages: readonly string[],
): LanguageIndexes | undefined {
  if (!own?.size) return undefined;
  return {
    own,
    languages: [...new Set(languages)],
    languageOf: (label) => languages[label] ?? '',
  };
}

/** A dense search: the question's vector and language, the request's filters. */
export interface DenseQuery {
  vector: Float32Array;
  k: number;
  language: string;
  accept?: ((label: number) => boolean) | undefined;
  filter?: PassageFilter | undefined;
}

/**
 * Top `k` passages by cosine. A question in a language with its own index gets that language's passages
 * from it, and the other languages' through the shared graph with its own language filtered out: a
 * Russian or Kazakh question's vector also leans towards English (its English cognates), and unfiltered,
 * the many close passages of its own language fill the walk's candidate list before it reaches the English
 * ones. With a language filter whose languages all have their own index, only those are searched.
 */
export async function searchDense(
  shared: VectorIndex,
  languages: LanguageIndexes | undefined,
  { vector, k, language, accept, filter }: DenseQuery,
): Promise<VectorHit[]> {
  const wanted = filter?.languages?.length ? filter.languages : undefined;
  const own = languages?.own;
  if (own && wanted?.every((l) => own.has(l))) {
    const lists = await Promise.all(
      wanted.map((l) => (own.get(l) as VectorIndex).search(vector, k, accept, filter)),
    );
    return lists.length === 1 ? (lists[0] as VectorHit[]) : mergeHits(k, lists);
  }
  const mine = own?.get(language);
  if (!languages || !mine || (wanted && !wanted.includes(language))) {
    return shared.search(vector, k, accept, filter);
  }
  const others = (wanted ?? languages.languages).filter((l) => l !== language);
  const [theirs, ours] = await Promise.all([
    others.length === 0
      ? []
      : shared.search(
          vector,
          k,
          (label) => languages.languageOf(label) !== language && (accept?.(label) ?? true),
          { kinds: filter?.kinds ?? PASSAGE_KINDS, ...filter, languages: others },
        ),
    mine.search(vector, k, accept, filter),
  ]);
  return mergeHits(k, [theirs, ours]);
}
