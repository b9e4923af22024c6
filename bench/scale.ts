/**
 * `npm run bench:scale -- [--sizes 10000,100000,1000000] [--queries 200] [--backend files|postgres] [--m M]
 * [--ef-construction N] [--huge-pages on|off]`: the whole `ask` at corpus sizes far beyond the shipped one, per
 * stage (`--m` and `--ef-construction` build the graph with other options than the served ones, to compare
 * them). The engine runs in this process, started (re-started if need be) with glibc's huge-page tunable as
 * the service's workers are (`HUGE_PAGES`), unless `--huge-pages off`, and compiled as `npm start` runs it:
 * the npm script bundles this file with scripts/build.mjs first. Under tsx (`tsx bench/scale.ts`) every
 * function expression also gets esbuild's `keepNames` wrapper, which production code has not; results say
 * which (`code`).
 *
 * Corpora are text-like, not random vectors: each synthetic passage is 3–6 real sentences of the shipped
 * corpus drawn at random (so term statistics, passage lengths and sentence vectors are those of real text),
 * grouped 50 to a document, with the model's real vectors (a passage is embedded by the model; a sentence
 * keeps the vector the model gave it in the shipped index, slightly perturbed: see {@link jitter}). Questions
 * are every eval question.
 *
 * `--backend files` (the default) serves the index in process. Reports per size: build time per part, index
 * size in memory terms (postings, vectors), RSS, the whole ask's p50/p99 excluding the query-embedding pass
 * and per stage (dense, lexical, fusion, quotes, confidence), dense recall@10 and @100 against exact search
 * per `ef`, how often the shown answers equal those of exact dense search, whether the lexical top-k equals
 * exhaustive BM25 (MiniSearch) on a sample, and the lexical search alone in one float64 pass against two
 * passes (float32 first). Writes bench/results/scale-<sizes>.json.
 *
 * `--backend postgres` publishes the same index into PostgreSQL (DATABASE_URL, or a throwaway server from
 * scripts/postgres.sh, stopped however the run ends) and measures it there (bench/scale-postgres.ts); with
 * `--files-beside` the in-process engine is timed in the same run too. Writes
 * bench/results/scale-postgres-<sizes>.json.
 *
 * Passage embeddings are cached under .tmp/bench-scale/ (the corpora are seeded, so a size's are always the
 * same); a run that reuses them says so. Built-in model by default (`EMBEDDING_MODEL` to change: a
 * pretrained model embeds ~100 passages/s here, so only small sizes are practical with it).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { createProgress } from '../src/cli/progress.ts';
import { withHugePages } from '../src/cluster/huge-pages.ts';
import { loadConfig } from '../src/core/config.ts';
import { detectLanguage } from '../src/core/language.ts';
import { terms } from '../src/core/terms.ts';
import type { DocumentInfo, Passage, Sentence } from '../src/core/types.ts';
import type { Embedder } from '../src/embed/types.ts';
import { parseQuestions } from '../src/eval/evaluate.ts';
import { contextHeader } from '../src/index/build-index.node.ts';
import { createExactIndex } from '../src/index/exact.ts';
import { HnswIndex } from '../src/index/hnsw.node.ts';
import { HELPER_FROM } from '../src/index/bm25.ts';
import { LexicalHelperThread } from '../src/index/lexical-threads.node.ts';
import { exhaustiveSearch, type LexicalHit, LexicalIndex, miniSearchState, type WeightedTerms } from '../src/index/lexical.ts';
import { type LoadedIndex, openOrBuildIndex } from '../src/index/load-index.node.ts';
import type { SearchIndex } from '../src/index/search-index.ts';
import { DEFAULT_HNSW_OPTIONS, EXACT_SEARCH_MAX_ROWS, efSearchFor, type HnswOptions, type VectorIndex } from '../src/index/types.ts';
import { languageIndexes, onRows, partitionRows, searchDense } from '../src/index/language-partitions.ts';
import { createQaService } from '../src/retrieve/engine.ts';
import { hugePagesMiB, load, pct, rssMiB, say, seconds, timeAsks } from './scale-common.ts';
import { measurePostgres, type ScaleServer, startServer } from './scale-postgres.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    queries: { type: 'string', default: '200' },
    exactSample: { type: 'string', default: '40' },
    backend: { type: 'string', default: 'files' },
    'files-beside': { type: 'boolean', default: false },
    /** Graph options other than the served ones (to measure them): M, efConstruction. */
    m: { type: 'string' },
    'ef-construction': { type: 'string' },
    /** PostgreSQL's memory for building an HNSW graph (pgvector is much slower once the graph outgrows it). */
    'maintenance-work-mem': { type: 'string', default: '2GB' },
    /** As the service's workers run (HUGE_PAGES, default on): glibc backs large allocations with huge pages. */
    'huge-pages': { type: 'string', default: 'on' },
  },
});
const sizes = (values.sizes ?? '').split(',').map(Number);
/** How the engine's code runs: the bundle `npm run bench:scale` builds, or TypeScript under tsx. */
const code = /\.ts$/.test(process.argv[1] ?? '') ? 'tsx' : 'compiled (scripts/build.mjs, as npm start)';
const hugePages = values['huge-pages'] === 'on';
const backend = values.backend ?? 'files';
if (backend !== 'files' && backend !== 'postgres') throw new Error(`--backend: files or postgres, not ${backend}`);

let seed = 12345;
const rand = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
const PASSAGES_PER_DOCUMENT = 50;

// A second generator for the perturbation, so the passages' texts (and their cached embeddings) stay the same.
let noiseSeed = 54321;
const gaussian = () => {
  noiseSeed = (noiseSeed * 1664525 + 1013904223) >>> 0;
  const u = (noiseSeed + 1) / (2 ** 32 + 1);
  noiseSeed = (noiseSeed * 1664525 + 1013904223) >>> 0;
  return Math.sqrt(-2 * Math.log(u)) * Math.cos((2 * Math.PI * noiseSeed) / 2 ** 32);
};
/** σ of the perturbation per dimension; a unit vector's dimensions are ~0.05 apart at a few hundred dims. */
const JITTER = 0.005;

/**
 * A sentence vector of the pool, perturbed and renormalised (cosine ≈ 0.995 to the original). A large corpus
 * repeats each of the shipped corpus's ~2,900 sentences many times; identical vectors would not be a real
 * corpus's (pgvector's HNSW build even folds identical vectors into one graph element), so every copy is
 * distinct while staying beside its original.
 */
function jitterInto(out: Float32Array, at: number, vector: Float32Array): void {
  let norm = 0;
  for (let i = 0; i < vector.length; i++) {
    out[at + i] = (vector[i] ?? 0) + JITTER * gaussian();
    norm += (out[at + i] ?? 0) ** 2;
  }
  const scale = 1 / Math.sqrt(norm);
  for (let i = 0; i < vector.length; i++) out[at + i] = (out[at + i] ?? 0) * scale;
}

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
  // One flat array sized for six sentences a passage (pages never written are never resident): a million
  // passages' sentence vectors are gigabytes, and a copy of them would double the peak.
  const dims = pool[0]?.vector.length ?? 0;
  const sentenceVectors = new Float32Array(count * 6 * dims);
  let sentenceCount = 0;
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
      let at = start;
      for (const s of picked) {
        sentences.push({ text: s.text, start: at, end: at + s.text.length });
        at += s.text.length + 1;
        jitterInto(sentenceVectors, sentenceCount++ * dims, s.vector);
      }
      // The passage's text is a string of its own, not a slice of `raw`: each slice of the growing document
      // flattened it again and kept that copy alive (~15 GB at a million passages).
      const text = picked.map((s) => s.text).join(' ');
      raw += text;
      const ordinal = passages.length;
      passages.push({
        id: `${id}.p${ordinal - first}`,
        ordinal,
        documentId: id,
        source,
        section: [`Section ${Math.floor(j / 10) + 1}`],
        language,
        kind: 'body',
        text,
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
  return { documents, passages, sentenceVectors: sentenceVectors.subarray(0, sentenceCount * dims), sentenceCount, sources };
}

async function questions(): Promise<string[]> {
  const out: string[] = [];
  for (const file of (await readdir('eval')).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const q of parseQuestions(await readFile(`eval/${file}`, 'utf8'), file)) out.push(q.turns.at(-1) as string);
  }
  return out;
}

/**
 * The model's vectors of `passages`, from .tmp/bench-scale/ when an earlier run of the same size, shipped
 * index and model embedded them (the corpus is seeded); `seconds` is undefined then.
 */
async function embedPassages(embedder: Embedder, shipped: LoadedIndex, passages: readonly Passage[]) {
  const n = passages.length;
  const key = createHash('sha256')
    .update(`${shipped.manifest.model.fingerprint} ${shipped.manifest.corpusFingerprint} ${n}`)
    .digest('hex')
    .slice(0, 16);
  const file = `.tmp/bench-scale/passages-${embedder.id.replace(/[^A-Za-z0-9.-]/g, '_')}-${n}-${key}.f32`;
  const flat = new Float32Array(n * embedder.dims);
  const cached = await readFile(file).catch(() => undefined);
  if (cached?.byteLength === flat.byteLength) {
    flat.set(new Float32Array(cached.buffer, cached.byteOffset, flat.length));
    say(`embed ${n}: reusing ${file}`);
    return { flat, file, seconds: undefined };
  }
  const t0 = performance.now();
  const progress = createProgress(`embed ${n}`, n);
  for (let i = 0; i < n; i += 256) {
    const batch = await embedder.embedPassages(passages.slice(i, i + 256).map((p) => p.text));
    batch.forEach((v, j) => flat.set(v, (i + j) * embedder.dims));
    progress.update(Math.min(n, i + 256));
  }
  progress.finish();
  const took = seconds(t0);
  await mkdir('.tmp/bench-scale', { recursive: true });
  await writeFile(`${file}.tmp`, new Uint8Array(flat.buffer));
  await rename(`${file}.tmp`, file);
  return { flat, file, seconds: took };
}

/** One size's synthetic index in process: exact dense search, the embedded lexical engine. */
async function prepare(n: number, pool: readonly PoolSentence[], shipped: LoadedIndex) {
  const { embedder } = shipped;
  const dims = embedder.dims;
  seed = 12345 + n;
  noiseSeed = 54321 + n;
  let t0 = performance.now();
  const corpus = synthesize(pool, n);
  const synthesizeSeconds = seconds(t0);
  const embedded = await embedPassages(embedder, shipped, corpus.passages);

  t0 = performance.now();
  say(`lexical ${n}: building`);
  const documentsById = new Map(corpus.documents.map((d) => [d.id, d]));
  const lexicalDocuments = corpus.passages.map((p) => ({
    ordinal: p.ordinal,
    text: p.text,
    context: contextHeader(p, documentsById.get(p.documentId)),
  }));
  const lexical = LexicalIndex.build(lexicalDocuments);
  const documentFrequency = new Map<string, number>();
  for (const p of corpus.passages) for (const t of new Set(terms(p.text))) documentFrequency.set(t, (documentFrequency.get(t) ?? 0) + 1);
  const lexicalSeconds = seconds(t0);

  const { sentenceVectors } = corpus;
  const sentenceOffsets = new Uint32Array(n + 1);
  const sentencePassage = new Uint32Array(corpus.sentenceCount);
  for (const p of corpus.passages) {
    sentenceOffsets[p.ordinal + 1] = (sentenceOffsets[p.ordinal] ?? 0) + p.sentences.length;
    sentencePassage.fill(p.ordinal, sentenceOffsets[p.ordinal], sentenceOffsets[p.ordinal + 1]);
  }
  const index: SearchIndex = {
    documents: corpus.documents,
    passages: corpus.passages,
    sources: corpus.sources,
    vectors: createExactIndex(embedded.flat, dims),
    // The built-in model's retrieval has no sentence leg; sentence vectors still pick the quotes.
    sentences: createExactIndex(sentenceVectors, dims),
    lexical,
    sentenceVectors,
    sentenceOffsets,
    sentencePassage,
    documentFrequency,
    embedder,
    builtAt: new Date().toISOString(),
    ...(shipped.index.wordVectors ? { wordVectors: shipped.index.wordVectors } : {}),
  };
  return {
    index,
    /** The passages' vectors; dropped once the graph holds its own copy. */
    flat: embedded.flat as Float32Array | undefined,
    /** Where they are cached: the graph over them is cached beside. */
    vectorsFile: embedded.file,
    lexical,
    lexicalDocuments,
    build: {
      synthesizeSeconds,
      embedSeconds: embedded.seconds ?? null,
      embeddingsFromCache: embedded.seconds === undefined,
      ...(embedded.seconds ? { passagesPerSecond: Math.round(n / embedded.seconds) } : {}),
      lexicalSeconds,
    },
  };
}

/**
 * Passages up to this many get MiniSearch's own index as the lexical reference; beyond, MiniSearch's
 * per-term maps of per-passage objects outgrow this machine (~4 GiB at 100k), and the top k is checked
 * against one float64 pass over every posting (whose scores are checked against MiniSearch by the property
 * tests and at the smaller sizes).
 */
const MINISEARCH_MAX = 100_000;

/** A graph over the rows of `flat`, read from `file` when an earlier run built it with the same options. */
async function cachedGraph(file: string, flat: Float32Array, dims: number, options: HnswOptions, label: string) {
  const count = flat.length / dims;
  if (await stat(file).catch(() => undefined)) {
    say(`${label}: reusing ${file}`);
    return { index: await HnswIndex.read(file, dims, count, options.efSearch), seconds: null };
  }
  const t0 = performance.now();
  const progress = createProgress(label, count);
  const index = HnswIndex.build(
    Array.from({ length: count }, (_, i) => flat.subarray(i * dims, (i + 1) * dims)),
    dims,
    options,
    (done) => progress.update(done),
  );
  progress.finish();
  const took = seconds(t0);
  await index.write(`${file}.tmp`);
  await rename(`${file}.tmp`, file);
  return { index, seconds: took };
}

/**
 * How often answers equal `reference`'s: the same passages in the same order, and the same set of passages
 * (each question's five shown passages).
 */
function agreement(answers: readonly string[][], reference: readonly string[][]) {
  let sameOrder = 0;
  let sameSet = 0;
  answers.forEach((ids, i) => {
    const ref = reference[i] ?? [];
    if (ids.join('\n') === ref.join('\n')) sameOrder++;
    if (ids.length === ref.length && ids.every((id) => ref.includes(id))) sameSet++;
  });
  const rate = (x: number) => Number((x / Math.max(1, answers.length)).toFixed(4));
  return { sameOrder: rate(sameOrder), sameSet: rate(sameSet), questions: answers.length };
}

/** The in-process engine over the index with an HNSW graph of the passages, as the file backend serves it. */
async function measureFiles(prepared: Awaited<ReturnType<typeof prepare>>, asked: readonly string[], sample: readonly string[]) {
  const { index, lexical } = prepared;
  const flat = prepared.flat as Float32Array;
  const n = index.passages.length;
  const dims = index.embedder.dims;
  const vectorsMiB = Math.round((flat.byteLength + index.sentenceVectors.byteLength) / 2 ** 20);
  // Recall@10 and the dense leg's cost at the engine's depth (100) for a range of ef, over every question:
  // what efSearchFor's choice per size rests on. The exact neighbours come first, while the flat vectors
  // are still held, for the vectors the engine searches with (a question's own, with English cognates of
  // its Cyrillic words appended), recorded from its passage-vector searches over one pass of the questions.
  // A returned passage counts as found when it is in the exact top 10, or scores within 1e-6 of the exact
  // 10th (a tie at the cut: float32 sums in another order may swap such passages).
  // The vectors the engine searches with (a question's own, with English cognates of Cyrillic words
  // appended), recorded from its passage-vector searches over one pass of the questions.
  // (Its searches ask for 100 with no filter here, so their first 10 are the exact top 10.)
  // (One search per question: the index has no per-language indexes yet, so the engine searches `vectors` only.)
  const truths: Array<{ qv: Float32Array; language: string; truth: Set<number>; truth100: Set<number>; cut: number }> = [];
  const exactIndex = index.vectors;
  const exactProgress = createProgress(`exact neighbours ${n}`, asked.length);
  let language = '';
  const recordingVectors = createQaService({
    ...index,
    vectors: {
      ...exactIndex,
      search: async (qv, k, accept, filter) => {
        const hits = await exactIndex.search(qv, k, accept, filter);
        const exact = hits.slice(0, 10);
        truths.push({
          qv,
          language,
          truth: new Set(exact.map((h) => h.label)),
          truth100: new Set(hits.slice(0, 100).map((h) => h.label)),
          cut: (exact.at(-1)?.score ?? 0) - 1e-6,
        });
        exactProgress.update(truths.length);
        return hits;
      },
    },
  });
  // Its answers are those of exact dense search: what an approximate graph's answers are compared with.
  const exactAnswers: string[][] = [];
  for (const question of asked) {
    language = detectLanguage(question);
    exactAnswers.push((await recordingVectors.ask({ question })).passages.map((p) => p.id));
  }
  exactProgress.finish();

  // Every language but the most common one gets a dense index of its own, as a build makes it: a scan over
  // its vectors, or a graph of them (cached like the shared one).
  const options = {
    ...DEFAULT_HNSW_OPTIONS,
    ...(values.m ? { m: Number(values.m) } : {}),
    ...(values['ef-construction'] ? { efConstruction: Number(values['ef-construction']) } : {}),
    efSearch: efSearchFor(n),
  };
  const graphName = (name: string) =>
    `${prepared.vectorsFile.replace(/\.f32$/, '')}${name}-m${options.m}-efc${options.efConstruction}-seed${options.randomSeed}.hnsw`;
  const byLanguage = new Map<string, VectorIndex>();
  const partitions: Record<string, { rows: number; search: 'exact' | 'graph' }> = {};
  for (const [lang, rows] of partitionRows(index.passages.map((p) => p.language))) {
    const own = new Float32Array(rows.length * dims);
    rows.forEach((row, i) => {
      own.set(flat.subarray(row * dims, (row + 1) * dims), i * dims);
    });
    const exact = rows.length <= EXACT_SEARCH_MAX_ROWS;
    partitions[lang] = { rows: rows.length, search: exact ? 'exact' : 'graph' };
    const langIndex = exact
      ? createExactIndex(own, dims)
      : (await cachedGraph(graphName(`-${lang}`), own, dims, { ...options, efSearch: efSearchFor(rows.length) }, `HNSW ${n} ${lang}`)).index;
    byLanguage.set(lang, onRows(langIndex, rows));
  }

  // The shared graph is cached beside the vectors, by its build options: at 100k passages it takes minutes.
  const { index: hnsw, seconds: hnswSeconds } = await cachedGraph(graphName(''), flat, dims, options, `HNSW ${n}`);
  // The graph holds its own copy of the vectors: at a million passages the flat one is 1.4 GB more.
  prepared.flat = undefined;
  index.vectors = hnsw;
  index.vectorsByLanguage = byLanguage;
  const routing = languageIndexes(byLanguage, index.passages.map((p) => p.language));
  global.gc?.();
  const rssBuilt = rssMiB();
  // From HELPER_FROM passages the service shares the lexical first pass with a helper thread, and the
  // engine runs the dense leg meanwhile: the whole ask is timed so, and without the helper for comparison.
  const helper = n >= HELPER_FROM ? new LexicalHelperThread() : undefined;
  const askAlone = helper ? await timeAsks(index, asked) : undefined;
  lexical.useHelper(helper);
  const answers: string[][] = [];
  const ask = await timeAsks(index, asked, {}, (ids) => answers.push(ids));

  // The lexical top-k against MiniSearch's exhaustive search, on the engine's own queries (the question's
  // terms, word-vector neighbours and cognates, weighted), recorded in one more pass over the sample.
  const recorded: Array<{ query: WeightedTerms; k: number; accept?: ((label: number) => boolean) | undefined }> = [];
  const recording: SearchIndex['lexical'] = {
    size: lexical.size,
    search: async (query, k, accept) => {
      recorded.push({ query, k, accept });
      return lexical.search(query, k, accept);
    },
  };
  const recorder = createQaService({ ...index, lexical: recording });
  for (const question of sample) await recorder.ask({ question });
  const byMiniSearch = n <= MINISEARCH_MAX;
  const reference = byMiniSearch
    ? exhaustiveSearch(miniSearchState(prepared.lexicalDocuments))
    : (query: WeightedTerms, k: number, accept?: (label: number) => boolean) => lexical.searchFloat64(query, k, accept);
  const same = (a: readonly LexicalHit[], b: readonly LexicalHit[], labels = true) =>
    a.length === b.length && a.every((h, i) => h.score === b[i]?.score && (!labels || h.label === b[i]?.label));
  // Against MiniSearch, scores only (its order among equal scores is its own); against one pass, labels too.
  const lexicalExact = recorded.filter(({ query, k, accept }) =>
    same(lexical.search(query, k, accept), reference(query, k, accept), !byMiniSearch),
  ).length;
  // The lexical search alone, in one float64 pass and in two passes (float32 first), alternating on the same
  // queries: the evidence for where APPROXIMATE_FROM puts the switch. The two must agree at every size.
  const twoPassExact = recorded.filter(({ query, k, accept }) =>
    same(lexical.searchTwoPass(query, k, accept), lexical.searchFloat64(query, k, accept)),
  ).length;
  const passTimes = { float64: [] as number[], twoPass: [] as number[], withHelper: [] as number[] };
  lexical.useHelper(undefined);
  for (let round = 0; round < 3; round++) {
    for (const { query, k, accept } of recorded) {
      let t = performance.now();
      lexical.searchFloat64(query, k, accept);
      passTimes.float64.push(performance.now() - t);
      t = performance.now();
      lexical.searchTwoPass(query, k, accept);
      passTimes.twoPass.push(performance.now() - t);
    }
  }
  // The two passes with the helper thread taking ranges too (its first use of each term moves the term's
  // postings to shared memory: one round first, untimed).
  lexical.useHelper(helper);
  const withHelperExact = helper
    ? recorded.filter(({ query, k, accept }) =>
        same(lexical.searchTwoPass(query, k, accept), lexical.searchFloat64(query, k, accept)),
      ).length
    : 0;
  for (let round = 0; helper && round < 3; round++) {
    for (const { query, k, accept } of recorded) {
      const t = performance.now();
      lexical.searchTwoPass(query, k, accept);
      passTimes.withHelper.push(performance.now() - t);
    }
  }
  const lexicalPasses = {
    served: helper ? 'two passes, a helper thread sharing the first' : 'one float64 pass',
    float64P50Ms: pct(passTimes.float64, 0.5),
    twoPassP50Ms: pct(passTimes.twoPass, 0.5),
    twoPassExact: `${twoPassExact}/${recorded.length}`,
    ...(helper
      ? {
          withHelperP50Ms: pct(passTimes.withHelper, 0.5),
          withHelperExact: `${withHelperExact}/${recorded.length}`,
        }
      : {}),
  };
  // Recall of the dense leg as the engine runs it (the shared graph, plus the question language's own index),
  // and of the shared graph alone; the cost at the engine's depth.
  const efSweep = [];
  const rate = (found: number) => Number((found / (truths.length * 10)).toFixed(4));
  // hnswlib searches with max(ef, k): below 100, the engine's depth, every ef is 100.
  for (const ef of [100, 128, 192, 256, 384, 512, 768, 1024]) {
    hnsw.setEf(ef);
    let hits = 0;
    let hits100 = 0;
    let truth100Size = 0;
    let tied = 0;
    let sharedHits = 0;
    const times: number[] = [];
    const byQuestionLanguage: Record<string, { questions: number; found: number }> = {};
    for (const { qv, language: lang, truth, truth100, cut } of truths) {
      const found = await searchDense(hnsw, routing, { vector: qv, k: 10, language: lang });
      const inTruth = found.filter((h) => truth.has(h.label)).length;
      hits += inTruth;
      tied += found.filter((h) => !truth.has(h.label) && h.score >= cut).length;
      sharedHits += hnsw.search(qv, 10).filter((h) => truth.has(h.label)).length;
      const tally = (byQuestionLanguage[lang] ??= { questions: 0, found: 0 });
      tally.questions++;
      tally.found += inTruth;
      const t = performance.now();
      const deep = await searchDense(hnsw, routing, { vector: qv, k: 100, language: lang });
      times.push(performance.now() - t);
      hits100 += deep.filter((h) => truth100.has(h.label)).length;
      truth100Size += truth100.size;
    }
    efSweep.push({
      ef,
      recall10: rate(hits),
      recall10WithTies: rate(hits + tied),
      recall10SharedGraphOnly: rate(sharedHits),
      // The engine's whole dense depth: what fusion receives.
      recall100: Number((hits100 / Math.max(1, truth100Size)).toFixed(4)),
      recall10ByQuestionLanguage: Object.fromEntries(
        Object.entries(byQuestionLanguage).map(([l, t]) => [l, Number((t.found / (t.questions * 10)).toFixed(4))]),
      ),
      depth100P50Ms: pct(times, 0.5),
    });
  }
  // Where a smaller ef than the one served already reaches recall@10 0.99, the whole ask at that ef too: the
  // evidence for lowering efSearchFor at this size.
  const enough = efSweep.find((row) => row.recall10 >= 0.99);
  let askAtEnoughEf:
    | { ef: number; ask: Awaited<ReturnType<typeof timeAsks>>; answersAsExact: ReturnType<typeof agreement> }
    | undefined;
  if (enough && enough.ef < efSearchFor(n)) {
    hnsw.setEf(enough.ef);
    const lowerAnswers: string[][] = [];
    const lower = await timeAsks(index, asked, {}, (ids) => lowerAnswers.push(ids));
    askAtEnoughEf = { ef: enough.ef, ask: lower, answersAsExact: agreement(lowerAnswers, exactAnswers) };
  }
  hnsw.setEf(efSearchFor(n));
  helper?.close();
  return {
    backend: 'files',
    terms: lexical.terms,
    efSweep,
    efSearch: efSearchFor(n),
    ...(askAtEnoughEf ? { askAtEnoughEf } : {}),
    // The served answers against exact dense search's, for the same questions (same engine otherwise).
    answersAsExact: agreement(answers, exactAnswers),
    hnswSeconds,
    graphFromCache: hnswSeconds === null,
    languageIndexes: partitions,
    hnsw: { m: options.m, efConstruction: options.efConstruction },
    memory: {
      vectorsMiB,
      rssBuiltMiB: rssBuilt,
      rssAfterMiB: rssMiB(),
      // Whether glibc's huge-page tunable took: the graph and the index's arrays on 2 MiB pages.
      hugePagesMiB: hugePagesMiB(),
    },
    hugePages: hugePages ? 'on' : 'off',
    ask,
    ...(askAlone ? { askWithoutHelper: askAlone } : {}),
    denseRecall10: efSweep.find((row) => row.ef === efSearchFor(n))?.recall10,
    lexicalExact: `${lexicalExact}/${recorded.length}`,
    lexicalReference: byMiniSearch ? 'MiniSearch' : 'one float64 pass over every posting',
    lexicalPasses,
  };
}

async function main(server: ScaleServer | undefined): Promise<void> {
  const config = loadConfig({
    CORPUS_DIR: 'corpus',
    INDEX_DIR: '.tmp/bench-index',
    MODELS_DIR: 'models',
    EMBEDDING_MODEL: process.env.EMBEDDING_MODEL ?? 'builtin-static',
    LOG_LEVEL: 'silent',
  });
  const shipped = await openOrBuildIndex(config);
  const { index: shippedIndex, embedder } = shipped;
  const dims = embedder.dims;
  const pool: PoolSentence[] = [];
  for (const p of shippedIndex.passages) {
    const row = shippedIndex.sentenceOffsets[p.ordinal] ?? 0;
    p.sentences.forEach((s, j) =>
      pool.push({ text: s.text, language: p.language, vector: shippedIndex.sentenceVectors.subarray((row + j) * dims, (row + j + 1) * dims) }),
    );
  }
  const asked = (await questions()).slice(0, Number(values.queries));
  const sample = asked.slice(0, Number(values.exactSample));
  const results: Array<Record<string, unknown>> = [];

  for (const n of sizes) {
    const rssStart = rssMiB();
    const loadStart = load();
    const prepared = await prepare(n, pool, shipped);
    const common = {
      passages: n,
      documents: prepared.index.documents.length,
      sentences: prepared.index.sentencePassage.length,
      dims,
      model: embedder.id,
      questions: asked.length,
      build: prepared.build,
    };
    let row: Record<string, unknown>;
    if (backend === 'files') {
      const files = await measureFiles(prepared, asked, sample);
      row = { ...common, ...files, memory: { ...files.memory, rssStartMiB: rssStart }, load: { start: loadStart, end: load() } };
    } else {
      const files = values['files-beside'] ? await measureFiles(prepared, asked, sample) : undefined;
      const postgres = await measurePostgres(server as ScaleServer, {
        config,
        index: prepared.index,
        shipped,
        asked,
        sample,
        maintenanceWorkMem: values['maintenance-work-mem'] ?? '2GB',
      });
      row = { ...common, ...postgres, load: { start: loadStart, end: load() }, ...(files ? { filesBeside: files } : {}) };
    }
    results.push(row);
    process.stdout.write(`\n${JSON.stringify(row, null, 2)}\n`);
    global.gc?.();
  }
  await mkdir('bench/results', { recursive: true });
  const file = `bench/results/scale-${backend === 'postgres' ? 'postgres-' : ''}${sizes.join('-')}.json`;
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, code, results }, null, 2)}\n`);
  process.stdout.write(`\nwrote ${file}\n`);
}

async function run(): Promise<void> {
  const server = backend === 'postgres' ? await startServer() : undefined;
  // A throwaway server is stopped (and its data removed) however the run ends, Ctrl-C included.
  const stop = () => server?.stop();
  process.once('SIGINT', () => {
    stop();
    process.exit(130);
  });
  process.once('SIGTERM', () => {
    stop();
    process.exit(143);
  });
  try {
    await main(server);
  } finally {
    stop();
  }
}

// glibc reads its tunables at start, so a run that should have huge pages and lacks them starts itself again.
const tunables = process.env.GLIBC_TUNABLES;
if (hugePages && withHugePages(tunables) !== (tunables ?? '')) {
  const again = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: withHugePages(tunables) },
  });
  process.exit(again.status ?? 1);
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
