/**
 * `compute` memoised under `keyOf(arg)`, forgetting every entry once `limit` are held: clearing all at once
 * costs nothing per call (an LRU would reorder on every hit), and on the hot paths that use it the keys that
 * matter (common words, popular passages, the same few peers) come straight back.
 */
export function memoize<A, V>(
  limit: number,
  compute: (arg: A) => V,
  keyOf: (arg: A) => unknown = (arg) => arg,
): (arg: A) => V {
  const cache = new Map<unknown, V>();
  return (arg) => {
    const key = keyOf(arg);
    let value = cache.get(key);
    if (value === undefined) {
      value = compute(arg);
      if (cache.size >= limit) cache.clear();
      cache.set(key, value);
    }
    return value;
  };
}
