/**
 * Peer: what a LangChain-style RAG retriever does — embed the question with the model the index was built
 * with (the project's own embedder, so the vectors match) and return the 5 nearest passages from hnswlib
 * over the index's passage vectors. No lexical search, fusion, quotes or citations.
 */
import hnswlib from 'hnswlib-node';
import { loadConfig } from '../../src/core/config.ts';
import type { Manifest } from '../../src/core/manifest.ts';
import { openBuildEmbedder } from '../../src/index/load-index.node.ts';
import { readIndex, servePeer, TOP_K } from './serve.ts';

const config = loadConfig(process.env);
const { manifest, buildDir, passages } = await readIndex(config.INDEX_DIR);
const embedder = await openBuildEmbedder(config, manifest as unknown as Manifest, buildDir, 'the index');
const graph = new hnswlib.HierarchicalNSW('ip', manifest.model.dims);
await graph.readIndex(`${buildDir}/vectors.hnsw`);
graph.setEf(manifest.hnsw.efSearch);
servePeer('rag', passages, async (question) => {
  const vector = await embedder.embedQuery(question);
  const { neighbors, distances } = graph.searchKnn(Array.from(vector), TOP_K);
  // hnswlib's inner-product distance is 1 − similarity; labels are passage ordinals.
  return neighbors.map((label, i) => ({
    id: (passages[label] as { id: string }).id,
    score: 1 - (distances[i] ?? 1),
  }));
});
