/**
 * `npm run bench:scale -- [--sizes 10000,100000,1000000] [--queries 200]`: the whole `ask` at corpus sizes
 * far beyond the shipped one, in process, per stage.
 *
 * Corpora are text-like, not random vectors: each synthetic passage is 3–6 real sentences of the shipped
 * corpus drawn at random (so term statistics, passage lengths and sentence vectors are those of real text),
 * grouped 50 to a document, with the model's real vectors (a passage is embedded by the model; a sentence
 * keeps the vector the model gave it in the shipped index). Questions are every eval question.
 *
 * Reports per size: build time per part, index size in memory terms (postings, vectors), RSS, the whole
 * ask's p50/p99 excluding the query-embedding pass and per stage (dense, lexical, fusion, quotes), dense
 * recall@10 against exact search and whether the lexical top-k equals exhaustive BM25 (MiniSearch) on a
 * sample. Writes bench/results/scale-<sizes>.json. Built-in model by default (`EMBEDDING_MODEL` to change:
 * a pretrained model embeds ~100 passages/s here, so only small sizes are practical with it).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/cli/progress.ts';
import { loadConfig } from '../src/core/config.ts';
import type { DocumentInfo, Passage, Sentence } from '../src/core/types.ts';
import { parseQuestions } from '../src/eval/evaluate.ts';
import { contextHeader } from '../src/index/build-index.node.ts';
import { createExactIndex } from '../src/index/exact.ts';
import { HnswIndex } from '../src/index/hnsw.node.ts';
import { LexicalIndex } from '../src/index/lexical.ts';
import { openOrBuildIndex } from '../src/index/load-index.node.ts';
import type { SearchIndex } from '../src/index/search-index.ts';
import { efSearchFor } from '../src/index/types.ts';
import { createQaService, type StageName } from '../src/retrieve/engine.ts';
import { terms } from '../src/core/terms.ts';
import { readFile, readdir } from 'node:fs/promises';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    queries: { type: 'string', default: '200' },
    exactSample: { type: 'string', default: '40' },
  },
});
const sizes = (values.sizes ?? '').split(',').map(Number);

let seed = 12345;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0).toFixed(3));
};
const rssMiB = () => Math.round(process.memoryUsage().rss / 2 ** 20);
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(1));
const PASSAGES_PER_DOCUMENT = 50;

interface PoolSentence {
  text: string;
  vector: Float32Array;
  language: Passage['language'];
}

/** Passages of 3–6 real sentences of one language, 50 to a document, with raw text and offsets. */
function synthesize(pool: readonly PoolSentence[], count: number) {
  const byLanguage = new Map<string, PoolSentence[]>();
  for (const s of pool) byLanguage.set(s.language, [...(byLanguage.get(s.language) ?? []), s]);
  const documents: DocumentInfo[] = [];
  const passages: Passage[] = [];
  const sentenceVectors: Float32Array[] = [];
  const sources = new Map<string, string>();
  for (let d = 0; d * PASSAGES_PER_DOCUMENT < count; d++) {
    const id = `synthetic-${d}`;
    const source = `${id}.txt`;
    let raw = '';
    const first = passages.length;
    for (let j = 0; j < PASSAGES_PER_DOCUMENT && passages.length < count; j++) {
      // Mostly English, as the shipped corpus is; its Russian and Kazakh sentences keep their share.
      const language = pick(pool).language;
      const same = byLanguage.get(language) as PoolSentence[];
      const picked = Array.from({ length: 3 + Math.floor(rand() * 4) }, () => pick(same));
      if (raw) raw += '\n\n';
      const start = raw.length;
      const sentences: Sentence[] = [];
      for (const s of picked) {
        if (sentences.length > 0) raw += ' ';
        sentences.push({ text: s.text, start: raw.length, end: raw.length + s.text.length });
        raw += s.text;
        sentenceVectors.push(s.vector);
      }
      const ordinal = passages.length;
      passages.push({
        id: `${id}.p${ordinal - first}`,
        ordinal,
        documentId: id,
        source,
        section: [`Section ${Math.floor(j / 10) + 1}`],
        language,
        kind: 'body',
        text: raw.slice(start),
        sentences,
        start,
        end: raw.length,
      });
    }
    sources.set(source, raw);
    documents.push({
      id,
      source,
      title: `Synthetic document ${d}`,
      authors: ['Bench, A.'],
      languages: ['en'],
      type: 'article',
      start: 0,
      end: raw.length,
    });
  }
  return { documents, passages, sentenceVectors, sources };
}

async function questions(): Promise<string[]> {
  const out: string[] = [];
  for (const file of (await readdir('eval')).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const q of parseQuestions(await readFile(`eval/${file}`, 'utf8'), file)) out.push(q.turns.at(-1) as string);
  }
  return out;
}

async function main(): Promise<void> {
  const config = loadConfig({
    CORPUS_DIR: 'corpus',
    INDEX_DIR: '.tmp/bench-index',
    MODELS_DIR: 'models',
    EMBEDDING_MODEL: process.env.EMBEDDING_MODEL ?? 'builtin-static',
    LOG_LEVEL: 'silent',
  });
  const { index: shipped, embedder } = await openOrBuildIndex(config);
  const dims = embedder.dims;
  const pool: PoolSentence[] = [];
  for (const p of shipped.passages) {
    const row = shipped.sentenceOffsets[p.ordinal] ?? 0;
    p.sentences.forEach((s, j) =>
      pool.push({ text: s.text, language: p.language, vector: shipped.sentenceVectors.subarray((row + j) * dims, (row + j + 1) * dims) }),
    );
  }
  const asked = (await questions()).slice(0, Number(values.queries));
  const results: Array<Record<string, unknown>> = [];

  for (const n of sizes) {
    seed = 12345 + n;
    const rssStart = rssMiB();
    let t0 = performance.now();
    const corpus = synthesize(pool, n);
    const synthSeconds = seconds(t0);

    t0 = performance.now();
    const embedProgress = createProgress(`embed ${n}`, n);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < n; i += 256) {
      vectors.push(...(await embedder.embedPassages(corpus.passages.slice(i, i + 256).map((p) => p.text))));
      embedProgress.update(Math.min(n, i + 256));
    }
    embedProgress.finish();
    const embedSeconds = seconds(t0);

    t0 = performance.now();
    const graphProgress = createProgress(`HNSW ${n}`, n);
    const hnsw = HnswIndex.build(vectors, dims, { efSearch: efSearchFor(n) }, (done) => graphProgress.update(done));
    graphProgress.finish();
    const hnswSeconds = seconds(t0);

    t0 = performance.now();
    const documentsById = new Map(corpus.documents.map((d) => [d.id, d]));
    const lexical = LexicalIndex.build(
      corpus.passages.map((p) => ({ ordinal: p.ordinal, text: p.text, context: contextHeader(p, documentsById.get(p.documentId)) })),
    );
    const documentFrequency = new Map<string, number>();
    for (const p of corpus.passages) for (const t of new Set(terms(p.text))) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
    const lexicalSeconds = seconds(t0);

    const flatVectors = new Float32Array(n * dims);
    vectors.forEach((v, i) => flatVectors.set(v, i * dims));
    const sentenceVectors = new Float32Array(corpus.sentenceVectors.length * dims);
    corpus.sentenceVectors.forEach((v, i) => sentenceVectors.set(v, i * dims));
    const sentenceOffsets = new Uint32Array(n + 1);
    const sentencePassage = new Uint32Array(corpus.sentenceVectors.length);
    for (const p of corpus.passages) {
      sentenceOffsets[p.ordinal + 1] = (sentenceOffsets[p.ordinal] ?? 0) + p.sentences.length;
      sentencePassage.fill(p.ordinal, sentenceOffsets[p.ordinal], sentenceOffsets[p.ordinal + 1]);
    }
    vectors.length = 0;
    corpus.sentenceVectors.length = 0;
    const exact = createExactIndex(flatVectors, dims);
    const index: SearchIndex = {
      documents: corpus.documents,
      passages: corpus.passages,
      sources: corpus.sources,
      vectors: hnsw,
      // The built-in model's retrieval has no sentence leg; sentence vectors still pick the quotes.
      sentences: createExactIndex(sentenceVectors, dims),
      lexical,
      sentenceVectors,
      sentenceOffsets,
      sentencePassage,
      documentFrequency,
      embedder,
      builtAt: new Date().toISOString(),
      ...(shipped.wordVectors ? { wordVectors: shipped.wordVectors } : {}),
    };
    const rssBuilt = rssMiB();

    // Queries: first embedded and warmed, then timed with the vector cache holding every question, so the
    // figures exclude the query-embedding pass as the target says.
    const laps: Record<StageName, number[]> = { embed: [], dense: [], sentences: [], lexical: [], fusion: [], quotes: [] };
    const totals: number[] = [];
    let recording = false;
    const service = createQaService(index, {
      cacheSize: asked.length + 10,
      onTimings: (t) => {
        if (!recording) return;
        for (const [stage, ms] of Object.entries(t)) laps[stage as StageName].push(ms);
        totals.push(Object.entries(t).reduce((sum, [stage, ms]) => (stage === 'embed' ? sum : sum + ms), 0));
      },
    });
    for (const question of asked) await service.ask({ question });
    recording = true;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    for (const question of asked) await service.ask({ question });
    const cpu = process.cpuUsage(cpu0);
    const cpuPerAsk = (cpu.user + cpu.system) / 1000 / asked.length;
    const wallPerAsk = (performance.now() - wall0) / asked.length;

    // Dense recall@10 of the served HNSW against exact search, and lexical top-k against MiniSearch.
    let found = 0;
    const sample = asked.slice(0, Number(values.exactSample));
    const reference = lexical.reference();
    let lexicalExact = 0;
    for (const question of sample) {
      const qv = await embedder.embedQuery(question);
      const truth = new Set((exact.search(qv, 10) as Array<{ label: number }>).map((h) => h.label));
      found += (hnsw.search(qv, 10) as Array<{ label: number }>).filter((h) => truth.has(h.label)).length;
      const query = new Map(terms(question).map((t) => [t, 1]));
      const a = lexical.search(query, 100);
      const b = reference(query, 100);
      if (a.length === b.length && a.every((h, i) => h.score === b[i]?.score)) lexicalExact++;
    }

    const stages = Object.fromEntries(
      (Object.keys(laps) as StageName[]).filter((s) => s !== 'embed').map((s) => [s, { p50: pct(laps[s], 0.5), p99: pct(laps[s], 0.99) }]),
    );
    const row = {
      passages: n,
      sentences: sentencePassage.length,
      terms: lexical.terms,
      dims,
      model: embedder.id,
      efSearch: efSearchFor(n),
      build: { synthesizeSeconds: synthSeconds, embedSeconds, hnswSeconds, lexicalSeconds },
      memory: { vectorsMiB: Math.round((flatVectors.byteLength + sentenceVectors.byteLength) / 2 ** 20), rssStartMiB: rssStart, rssBuiltMiB: rssBuilt, rssAfterMiB: rssMiB() },
      ask: { p50: pct(totals, 0.5), p99: pct(totals, 0.99), cpuMsPerAsk: Number(cpuPerAsk.toFixed(3)), wallMsPerAsk: Number(wallPerAsk.toFixed(3)), stages },
      denseRecall10: Number((found / (sample.length * 10)).toFixed(4)),
      lexicalExact: `${lexicalExact}/${sample.length}`,
    };
    results.push(row);
    process.stdout.write(`\n${JSON.stringify(row, null, 2)}\n`);
    global.gc?.();
  }
  await mkdir('bench/results', { recursive: true });
  const file = `bench/results/scale-${sizes.join('-')}.json`;
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
