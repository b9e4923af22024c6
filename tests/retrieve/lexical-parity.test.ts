import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exhaustiveSearch, type LexicalHit } from '../../src/index/lexical.ts';
import { createQaService } from '../../src/retrieve/engine.ts';
import { evalRequests } from '../index/backend-contract.ts';
import { expectSameTopK } from '../setup/same-top-k.ts';
import { openTestIndex, TEST_INDEX_ENV } from '../setup/test-index.ts';

describe('the lexical leg on the shipped corpus', () => {
  it('gives exhaustive BM25 top-k for every eval question, with the queries and filters the engine sends', async () => {
    const { index } = await openTestIndex();
    const { buildId } = JSON.parse(await readFile(join(TEST_INDEX_ENV.INDEX_DIR, 'manifest.json'), 'utf8'));
    const reference = exhaustiveSearch(
      await readFile(join(TEST_INDEX_ENV.INDEX_DIR, buildId, 'lexical.json'), 'utf8'),
    );
    const pairs: Array<[LexicalHit[], LexicalHit[]]> = [];
    const lexical = index.lexical;
    const service = createQaService({
      ...index,
      lexical: {
        size: lexical.size,
        search: async (query, k, accept, filter) => {
          const hits = await lexical.search(query, k, accept, filter);
          pairs.push([hits, reference(query, k, accept)]);
          return hits;
        },
      },
    });
    const requests = await evalRequests();
    for (const { request } of requests) await service.ask(request);
    // Filters too: one document, and Russian passages only.
    const documentId = index.documents[0]?.id as string;
    for (const { request } of requests.slice(0, 40)) {
      await service.ask({ ...request, filters: { documentIds: [documentId] } });
      await service.ask({ ...request, filters: { languages: ['ru'] } });
    }
    expect(pairs.length).toBe(requests.length + 80);
    for (const [actual, expected] of pairs) expectSameTopK(actual, expected);
    expect(pairs.filter(([actual]) => actual.length >= 100).length).toBeGreaterThan(requests.length / 2);
  });
});
