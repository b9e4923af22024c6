/**
 * `compute` memoised under `keyOf(arg)`, forgetting every entry once `limit` are held: clearing all at once
 * costs nothing per call (an LRU would reorder on every hit), and on the hot paths that use it the keys that
 * matter (common words, popular passages, the same few peers) come straight back.
 */
export function memoize<A, V>(
  limit: number,
  compute: (arg: A) => V,
  keyOf: (arg: A) => unknown = (arg) => arg,
): Memo<A, V> {
  const cache = new Map<unknown, V>();
  const memo = (arg: A) => {
    const key = keyOf(arg);
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(arg);
      if (cache.size >= limit) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
  return Object.assign(memo, {
    remember(arg: A, value: V) {
      if (cache.size < limit) cache.set(keyOf(arg), value);
    },
  });
}

/** A memoised function, which also takes results computed elsewhere. */
export interface Memo<A, V> {
  (arg: A): V;
  /** Holds `value` as the result for `arg` (one `compute` gave earlier, e.g. stored in an index), unless full. */
  remember(arg: A, value: V): void;
}
