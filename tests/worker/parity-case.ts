import type { AskRequest, AskResult } from '../../src/retrieve/types.ts';

/** Assets directory of wrangler.toml's `test` environment (the export of the shared test index). */
export const WORKER_TEST_ASSETS = '.tmp/worker-assets';

/** What must be equal between the Node service and the Worker: ids in order, quotes, citations, confidence. */
export function projectAnswer(result: AskResult) {
  return {
    confidence: result.confidence,
    passages: result.passages.map((p) => ({ id: p.id, quote: p.quote, citation: p.citation })),
  };
}

export interface ParityCase {
  /** `file:question id` of the eval question. */
  id: string;
  request: AskRequest;
  /** The Node service's answer, dense legs on HNSW graphs as served. */
  node: ReturnType<typeof projectAnswer>;
  /** The Node service's answer with exact dense legs over the same vectors. */
  nodeExact: ReturnType<typeof projectAnswer>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    parityCases: ParityCase[];
  }
}
