/** Peer: Hono + Orama full-text search (BM25, Orama's defaults) over the index's passages. */
import { create, insertMultiple, search } from '@orama/orama';
import { readIndex, servePeer, TOP_K } from './serve.ts';

const { passages } = await readIndex(process.env.INDEX_DIR ?? 'index');
const db = create({ schema: { id: 'string', documentId: 'string', text: 'string' } as const });
await insertMultiple(db, passages);
servePeer('orama', passages, async (question) => {
  const result = await search(db, { term: question, properties: ['text'], limit: TOP_K });
  return result.hits.map((hit) => ({ id: hit.document.id, score: hit.score }));
});
