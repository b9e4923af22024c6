import type { Config } from '../core/config.ts';

/**
 * Query and passage prefixes of a model: what the configuration says, else the model family's convention
 * (the e5 family was trained with `query: ` / `passage: `; most others, and ours, use none).
 */
export function resolvePrefixes(
  modelId: string,
  config: Partial<Pick<Config, 'EMBEDDING_QUERY_PREFIX' | 'EMBEDDING_PASSAGE_PREFIX'>> = {},
): { query: string; passage: string } {
  const e5 = /(^|[/_-])e5([_-]|$)/i.test(modelId);
  return {
    query: config.EMBEDDING_QUERY_PREFIX ?? (e5 ? 'query: ' : ''),
    passage: config.EMBEDDING_PASSAGE_PREFIX ?? (e5 ? 'passage: ' : ''),
  };
}
