import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CHUNKER_VERSION, DEFAULT_CHUNK_OPTIONS } from '../chunk/chunk-corpus.ts';
import { BUILTIN_MODEL_ID, type Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { checksumDir, removeDir, sha256, sha256File, writeFileAtomic } from '../core/files.node.ts';
import { INDEX_FORMAT_VERSION, type Manifest } from '../core/manifest.ts';
import { stemTable, terms } from '../core/terms.ts';
import type { DocumentInfo, PageSpan, Passage, SourceFormat } from '../core/types.ts';
import { createEmbedder, openEmbedder } from '../embed/embedder.node.ts';
import { decodeGloveSif } from '../embed/glove-sif.ts';
import { resolvePrefixes } from '../embed/prefixes.ts';
import { buildStaticModel, createTokenCounter, writeStaticTokenizer } from '../embed/static-model.node.ts';
import { expansionCandidates } from '../embed/word-vectors.ts';
import { buildCatalog } from '../ingest/catalog.ts';
import { EXTRACTOR_VERSION } from '../ingest/extract.ts';
import { type CorpusScan, loadCorpus } from '../ingest/load-corpus.node.ts';
import { type ChunkTokens, chunkCorpusCached } from './chunk-cache.node.ts';
import { openEmbeddingCache } from './embedding-cache.node.ts';
import { buildGraphs, type GraphJob } from './hnsw-build.node.ts';
import { partitionFiles } from './language-partitions.ts';
import { LexicalIndex } from './lexical.ts';
import { DEFAULT_HNSW_OPTIONS, EXACT_SEARCH_MAX_ROWS, efSearchFor, type HnswOptions } from './types.ts';
import { writeWordSearch } from './word-search.node.ts';

/** File names inside a build directory. */
export const INDEX_FILES = {
  documents: 'documents.json',
  passages: 'passages.json',
  vectors: 'vectors.hnsw',
  /**
   * float32 passage vectors in ordinal order, written while the passages are few enough to be searched
   * exactly (EXACT_SEARCH_MAX_ROWS): a start reads them as they are instead of out of the graph.
   */
  passageVectors: 'vectors.f32',
  sentenceGraph: 'sentences.hnsw',
  sentenceVectors: 'sentences.f32',
  lexical: 'lexical.json',
  terms: 'terms.json',
  expansion: 'expansion.json',
  /** Brute-force search over the expansion candidates' vectors (hnswlib's format), read back at start. */
  expansionSearch: 'expansion-search.bin',
  /** [word, stem] of the corpus's words (core/terms `stemTable`), taken back by the stemmer at start. */
  stems: 'stems.json',
  /** Text of every corpus file as indexed (extracted for PDF, DOCX, HTML), with format and pages. */
  sources: 'sources.json',
  generatedModel: 'model',
} as const;

export const MANIFEST_FILE = 'manifest.json';

/** Caches kept across builds under INDEX_DIR: extractions by file content, passages by file, vectors by text. */
export const CACHE_DIRS = {
  extract: join('cache', 'extract'),
  chunks: join('cache', 'chunks'),
  embeddings: join('cache', 'embeddings'),
} as const;

/** One entry of `sources.json`. */
export interface StoredSource {
  name: string;
  format: SourceFormat;
  text: string;
  pages?: PageSpan[];
}

/** How the corpus is read for the configuration: size limit and the extraction cache under INDEX_DIR. */
export function corpusOptions(config: Pick<Config, 'INDEX_DIR' | 'MAX_DOCUMENT_BYTES'>) {
  return {
    maxBytes: config.MAX_DOCUMENT_BYTES,
    cacheDir: join(resolve(config.INDEX_DIR), CACHE_DIRS.extract),
  };
}

/** Passages embedded between two progress reports. */
const EMBED_CHUNK = 256;

/** The committed corpus-independent half of the built-in model. */
export function gloveSifPath(config: Pick<Config, 'MODELS_DIR'>): string {
  return resolve(config.MODELS_DIR, 'glove-sif', 'glove-sif-100d.bin');
}

/** Text a passage is embedded and matched with: its document title and section path, then the passage. */
export function contextHeader(passage: Passage, document: DocumentInfo | undefined): string {
  return [document?.title ?? '', ...passage.section].filter(Boolean).join('. ');
}

export function embeddingText(passage: Passage, document: DocumentInfo | undefined): string {
  const header = contextHeader(passage, document);
  return header ? `${header}. ${passage.text}` : passage.text;
}

/** Hash of the committed files a generated model is built from (the GloVe-SIF table); empty otherwise. */
export async function modelInputsFingerprint(config: Config): Promise<string> {
  if (config.EMBEDDING_MODEL !== BUILTIN_MODEL_ID) return '';
  try {
    return await sha256File(gloveSifPath(config));
  } catch (cause) {
    throw new AppError(
      'MODEL_NOT_FOUND',
      `The GloVe-SIF table ${gloveSifPath(config)} is missing; restore it or run \`npm run build:glove\``,
      { cause },
    );
  }
}

/**
 * Identity of what an index is built from: corpus files, catalogue sidecar, chunker version and options.
 * Any change makes an existing index stale.
 */
export function corpusFingerprint(scan: CorpusScan, modelInputs = ''): string {
  const parts = [
    `model inputs ${modelInputs}`,
    `format ${INDEX_FORMAT_VERSION}`,
    `chunker ${CHUNKER_VERSION} ${JSON.stringify({ ...DEFAULT_CHUNK_OPTIONS, countTokens: undefined })}`,
    `extractor ${EXTRACTOR_VERSION} max bytes ${scan.maxBytes}`,
    `catalog ${scan.sidecarText ?? ''}`,
    ...scan.entries.map((f) => `file ${f.name} ${f.hash}`),
    ...scan.refused.map((f) => `refused ${f.file} ${f.reason}`),
  ];
  return sha256(parts.join('\n'));
}

export interface BuildProgress {
  stage: string;
  done?: number;
  total?: number;
}

export interface BuildOptions {
  hnsw?: Partial<HnswOptions>;
  /**
   * Rows up to which a set of passage vectors is searched exactly rather than through a graph
   * (EXACT_SEARCH_MAX_ROWS); lower only in tests, to make a small corpus take the large-corpus paths.
   */
  exactSearchMaxRows?: number;
  onProgress?: (progress: BuildProgress) => void;
}

export interface BuildResult {
  manifest: Manifest;
  buildDir: string;
}

function float32Bytes(rows: readonly Float32Array[], dims: number): Uint8Array {
  const out = new Float32Array(rows.length * dims);
  rows.forEach((row, i) => {
    out.set(row, i * dims);
  });
  return new Uint8Array(out.buffer);
}

/**
 * Builds the whole index for the configured corpus and model into a fresh directory under INDEX_DIR,
 * then publishes it by atomically replacing `manifest.json`. Until that last rename the previous index
 * stays the one that loads, so a crash mid-build costs nothing.
 */
export async function buildIndex(config: Config, options: BuildOptions = {}): Promise<BuildResult> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const requestedHnsw = { ...DEFAULT_HNSW_OPTIONS, ...options.hnsw };
  const indexRoot = resolve(config.INDEX_DIR);
  await mkdir(indexRoot, { recursive: true });

  progress({ stage: 'reading corpus' });
  const snapshot = await loadCorpus(config.CORPUS_DIR, corpusOptions(config));
  for (const skip of snapshot.skipped) {
    progress({ stage: `skipped ${skip.file} (${skip.reason}): ${skip.message}` });
  }
  const documents = buildCatalog(snapshot.files, snapshot.sidecar);
  const modelInputs = await modelInputsFingerprint(config);
  const fingerprint = corpusFingerprint(snapshot, modelInputs);

  const buildId = `build-${Date.now().toString(36)}-${process.pid}-${fingerprint.slice(0, 8)}`;
  const tmpDir = join(indexRoot, `.tmp-${buildId}`);
  const buildDir = join(indexRoot, buildId);
  await removeDir(tmpDir);
  await mkdir(tmpDir, { recursive: true });

  try {
    const builtin = config.EMBEDDING_MODEL === BUILTIN_MODEL_ID;
    const generatedRel = join(INDEX_FILES.generatedModel, BUILTIN_MODEL_ID);
    const modelDir = join(tmpDir, generatedRel);
    const glove = gloveSifPath(config);

    let tokens: ChunkTokens;
    if (builtin) {
      progress({ stage: 'building tokenizer' });
      await writeStaticTokenizer(
        modelDir,
        snapshot.files.map((f) => f.text),
        glove,
      );
      // The vocabulary comes from the whole corpus; `wordsView` tells when a file's counts are unchanged.
      tokens = { ...(await createTokenCounter(modelDir)), id: `${BUILTIN_MODEL_ID} ${modelInputs}` };
    } else {
      const probe = await createEmbedder(embedderOptions(config, config.EMBEDDING_MODEL));
      tokens = {
        countTokens: (t) => probe.countTokens(t),
        maxTokens: probe.maxTokens,
        id: probe.fingerprint,
      };
    }

    progress({ stage: 'chunking' });
    const {
      passages,
      chunked,
      prune: pruneChunks,
    } = await chunkCorpusCached(
      snapshot.files,
      documents,
      // Leave room for the contextual header and a model prefix inside the model's window.
      {
        ...DEFAULT_CHUNK_OPTIONS,
        maxTokens: Math.min(DEFAULT_CHUNK_OPTIONS.maxTokens, tokens.maxTokens - 32),
      },
      tokens,
      join(indexRoot, CACHE_DIRS.chunks),
    );
    const documentsById = new Map(documents.map((d) => [d.id, d]));
    const texts = passages.map((p) => embeddingText(p, documentsById.get(p.documentId)));

    if (builtin) {
      progress({ stage: 'training built-in model' });
      await buildStaticModel(modelDir, texts, glove);
    }
    // The built-in model embeds in plain TypeScript (bit for bit onnxruntime's vectors), any other through
    // Transformers.js.
    const embedder = await openEmbedder(embedderOptions(config, builtin ? modelDir : config.EMBEDDING_MODEL));

    const prefixes = resolvePrefixes(config.EMBEDDING_MODEL, config);
    const cache = await openEmbeddingCache(
      join(indexRoot, CACHE_DIRS.embeddings),
      JSON.stringify([embedder.fingerprint, prefixes.passage, config.EMBEDDING_QUANTIZED]),
      embedder.dims,
    );
    let embedded = 0;
    // Only texts no earlier build embedded go to the model; the rest come from the cache by content.
    const embedAll = async (stage: string, items: readonly string[]) => {
      const out = items.map((text) => cache.get(text));
      const missing = out.flatMap((v, i) => (v ? [] : [i]));
      for (let i = 0; i < missing.length; i += EMBED_CHUNK) {
        progress({ stage, done: i, total: missing.length });
        const ids = missing.slice(i, i + EMBED_CHUNK);
        const vectors = await embedder.embedPassages(ids.map((id) => items[id] as string));
        ids.forEach((id, j) => {
          const vector = vectors[j] as Float32Array;
          out[id] = vector;
          cache.set(items[id] as string, vector);
        });
      }
      embedded += missing.length;
      progress({ stage, done: missing.length, total: missing.length });
      return out as Float32Array[];
    };
    const vectors = await embedAll('embedding passages', texts);
    const sentences = passages.flatMap((p) => p.sentences.map((s) => s.text));
    const sentenceVectors = await embedAll('embedding sentences', sentences);

    const hnswOptions = { ...requestedHnsw, efSearch: options.hnsw?.efSearch ?? efSearchFor(vectors.length) };
    const sentenceEfSearch = options.hnsw?.efSearch ?? efSearchFor(sentenceVectors.length);
    const exactMaxRows = options.exactSearchMaxRows ?? EXACT_SEARCH_MAX_ROWS;
    const partitions = partitionFiles(
      passages.map((p) => p.language),
      exactMaxRows,
    ).map((p) => ({ ...p, vectors: Array.from(p.rows, (row) => vectors[row] as Float32Array) }));
    const graphs: Array<Omit<GraphJob, 'onProgress'>> = [
      { vectors, dims: embedder.dims, options: hnswOptions, file: join(tmpDir, INDEX_FILES.vectors) },
      {
        vectors: sentenceVectors,
        dims: embedder.dims,
        options: { ...hnswOptions, efSearch: sentenceEfSearch },
        file: join(tmpDir, INDEX_FILES.sentenceGraph),
      },
      ...partitions
        .filter((p) => p.file.endsWith('.hnsw'))
        .map((p) => ({
          vectors: p.vectors,
          dims: embedder.dims,
          options: { ...hnswOptions, efSearch: efSearchFor(p.rows.length) },
          file: join(tmpDir, p.file),
        })),
    ];
    // The graphs are built at the same time on two cores where there are two: one progress count for all.
    const built = graphs.map(() => 0);
    const total = graphs.reduce((sum, g) => sum + g.vectors.length, 0);
    await buildGraphs(
      graphs.map((graph, i) => ({
        ...graph,
        onProgress: (done: number) => {
          built[i] = done;
          progress({ stage: 'building vector indexes', done: built.reduce((a, b) => a + b, 0), total });
        },
      })),
    );

    progress({ stage: 'building lexical index' });
    const lexical = LexicalIndex.build(
      passages.map((p) => ({
        ordinal: p.ordinal,
        text: p.text,
        context: contextHeader(p, documentsById.get(p.documentId)),
      })),
    );
    const df = new Map<string, number>();
    for (const p of passages) for (const t of new Set(terms(p.text))) df.set(t, (df.get(t) ?? 0) + 1);

    progress({ stage: 'writing files' });
    await writeFile(join(tmpDir, INDEX_FILES.documents), JSON.stringify(documents));
    await writeFile(join(tmpDir, INDEX_FILES.passages), JSON.stringify(passages));
    const sources: StoredSource[] = snapshot.files.map((f) => ({
      name: f.name,
      format: f.format ?? 'text',
      text: f.text,
      ...(f.pages ? { pages: f.pages } : {}),
    }));
    await writeFile(join(tmpDir, INDEX_FILES.sources), JSON.stringify(sources));
    await writeFile(join(tmpDir, INDEX_FILES.sentenceVectors), float32Bytes(sentenceVectors, embedder.dims));
    if (vectors.length <= exactMaxRows) {
      await writeFile(join(tmpDir, INDEX_FILES.passageVectors), float32Bytes(vectors, embedder.dims));
    }
    for (const p of partitions) {
      if (p.file.endsWith('.f32'))
        await writeFile(join(tmpDir, p.file), float32Bytes(p.vectors, embedder.dims));
    }
    await writeFile(join(tmpDir, INDEX_FILES.lexical), lexical.toJSON());
    await writeFile(
      join(tmpDir, INDEX_FILES.terms),
      JSON.stringify([...df].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    );
    const stems = stemTable([
      ...snapshot.files.map((f) => f.text),
      ...passages.map((p) => p.text),
      ...documents.map((d) => [d.title, ...d.authors].join(' ')),
    ]);
    await writeFile(join(tmpDir, INDEX_FILES.stems), JSON.stringify(stems));
    // Which word vectors query expansion may add: stemming all 60k GloVe words takes ~0.5 s, so once here.
    const wordVectors = decodeGloveSif(new Uint8Array(await readFile(glove)));
    const candidates = expansionCandidates(wordVectors, (t) => df.has(t));
    await writeFile(join(tmpDir, INDEX_FILES.expansion), JSON.stringify(candidates));
    // (hnswlib would write an empty search's one unused row from uninitialised memory: none is written.)
    if (candidates.length > 0) {
      await writeWordSearch(wordVectors, candidates, join(tmpDir, INDEX_FILES.expansionSearch));
    }

    const manifest: Manifest = {
      formatVersion: INDEX_FORMAT_VERSION,
      buildId,
      builtAt: new Date().toISOString(),
      buildSeconds: Number(((performance.now() - started) / 1000).toFixed(2)),
      model: {
        id: config.EMBEDDING_MODEL,
        fingerprint: embedder.fingerprint,
        dims: embedder.dims,
        quantized: config.EMBEDDING_QUANTIZED,
        queryPrefix: prefixes.query,
        passagePrefix: prefixes.passage,
        ...(builtin ? { generatedDir: generatedRel.split('\\').join('/') } : {}),
      },
      space: 'ip',
      documentCount: documents.length,
      passageCount: passages.length,
      sentenceCount: sentences.length,
      corpusFingerprint: fingerprint,
      hnsw: { ...hnswOptions, sentenceEfSearch },
      ...(partitions.length > 0
        ? {
            languageVectors: Object.fromEntries(
              partitions.map((p) => [p.language, { rows: p.rows.length, file: p.file }]),
            ),
          }
        : {}),
      skipped: snapshot.skipped,
      work: {
        files: snapshot.files.length + snapshot.skipped.length,
        extracted: snapshot.extracted,
        chunked,
        embedded,
        embeddedFromCache: cache.hits,
      },
      files: await checksumDir(tmpDir),
    };

    await rename(tmpDir, buildDir);
    await writeFileAtomic(join(indexRoot, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await cache.save();
    await pruneChunks();
    await removeStaleBuilds(indexRoot, buildId);
    progress({ stage: 'done' });
    return { manifest, buildDir };
  } catch (error) {
    await removeDir(tmpDir);
    throw error;
  }
}

/** Options for `createEmbedder` from the configuration; `model` is an id under MODELS_DIR or a directory. */
export function embedderOptions(config: Config, model: string) {
  const prefixes = resolvePrefixes(config.EMBEDDING_MODEL, config);
  return {
    model,
    label: config.EMBEDDING_MODEL,
    modelsDir: resolve(config.MODELS_DIR),
    quantized: config.EMBEDDING_QUANTIZED,
    queryPrefix: prefixes.query,
    passagePrefix: prefixes.passage,
  };
}

/** Deletes earlier build directories and abandoned temporaries, keeping `keep`. */
async function removeStaleBuilds(indexRoot: string, keep: string): Promise<void> {
  for (const entry of await readdir(indexRoot, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === keep) continue;
    if (entry.name.startsWith('build-') || entry.name.startsWith('.tmp-build-')) {
      await removeDir(join(indexRoot, entry.name));
    }
  }
}
