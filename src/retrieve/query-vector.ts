import type { Embedder } from '../embed/types.ts';
import type { Query } from './query.ts';

export interface QueryVectorOptions {
  /** Query vectors kept in an LRU cache (0 disables it). */
  cacheSize: number;
  /** Weight of the conversation vector added to the question vector for follow-ups. */
  historyVectorWeight: number;
  /** Append English cognates of Cyrillic words to the text embedded for the dense leg. */
  cognatesInDense: boolean;
}

function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm === 0) return v;
  return v.map((x) => x / norm);
}

/**
 * The vector the dense legs search with: the question's (with the English words of its Cyrillic words
 * appended), plus the earlier turns' for a follow-up. Texts are embedded through an LRU cache: questions
 * repeat (FAQ traffic, bots re-asking, history turns re-embedded on each follow-up).
 */
export function createQueryVectors(
  embedder: Pick<Embedder, 'embedQuery'>,
  options: QueryVectorOptions,
): (query: Query, cognates: ReadonlyArray<{ word: string }>) => Promise<Float32Array> {
  const cache = new Map<string, Float32Array>();
  async function embedCached(text: string): Promise<Float32Array> {
    const hit = cache.get(text);
    if (hit) {
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const v = await embedder.embedQuery(text);
    if (options.cacheSize > 0) {
      if (cache.size >= options.cacheSize) cache.delete(cache.keys().next().value as string);
      cache.set(text, v);
    }
    return v;
  }

  return async (query, cognates) => {
    const base = await embedCached(
      cognates.length > 0 && options.cognatesInDense
        ? `${query.question} ${cognates.map((c) => c.word).join(' ')}`
        : query.question,
    );
    if (query.context.length === 0) return base;
    const mixed = Float32Array.from(base);
    for (const part of query.context) {
      const v = await embedCached(part.text);
      const w = options.historyVectorWeight * part.weight * 2;
      for (let i = 0; i < mixed.length; i++) mixed[i] = (mixed[i] ?? 0) + w * (v[i] ?? 0);
    }
    return normalize(mixed);
  };
}
