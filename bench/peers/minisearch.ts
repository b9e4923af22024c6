/**
 * Peer: Hono + MiniSearch BM25 over the index's passages, with MiniSearch's defaults (its tokenizer, no
 * stemming, no fuzzy or prefix matching). The plainest lexical server over the same text.
 */
import MiniSearch from 'minisearch';
import { type PeerPassage, readIndex, servePeer, TOP_K } from './serve.ts';

const { passages } = await readIndex(process.env.INDEX_DIR ?? 'index');
const search = new MiniSearch<PeerPassage>({ fields: ['text'] });
search.addAll(passages);
servePeer('minisearch', passages, (question) =>
  search
    .search(question)
    .slice(0, TOP_K)
    .map((r) => ({ id: String(r.id), score: r.score })),
);
