import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ownBuffer } from '../core/bytes.ts';
import type { Config } from '../core/config.ts';
import { AppError, isAppError } from '../core/errors.ts';
import { sha256File } from '../core/files.node.ts';
import { type Manifest, ManifestSchema, staleReasons } from '../core/manifest.ts';
import { rememberStems } from '../core/terms.ts';
import type { DocumentInfo, Passage, SkippedFile } from '../core/types.ts';
import { openEmbedder } from '../embed/embedder.node.ts';
import { decodeGloveSif, type GloveSifTable } from '../embed/glove-sif.ts';
import { resolvePrefixes } from '../embed/prefixes.ts';
import type { Embedder } from '../embed/types.ts';
import type { WordVectors } from '../embed/word-vectors.ts';
import { scanCorpus } from '../ingest/load-corpus.node.ts';
import {
  type BuildOptions,
  buildIndex,
  corpusFingerprint,
  corpusOptions,
  embedderOptions,
  gloveSifPath,
  INDEX_FILES,
  MANIFEST_FILE,
  modelInputsFingerprint,
  type StoredSource,
} from './build-index.node.ts';
import { createExactIndex } from './exact.ts';
import { HnswIndex } from './hnsw.node.ts';
import { onRows } from './language-partitions.ts';
import { LexicalIndex } from './lexical.ts';
import type { SearchIndex } from './search-index.ts';
import { EXACT_SEARCH_MAX_ROWS, efSearchFor, type StoredVectorIndex, type VectorIndex } from './types.ts';
import { createWordSearch, readWordSearch } from './word-search.node.ts';

export interface LoadedIndex {
  manifest: Manifest;
  index: SearchIndex;
  embedder: Embedder;
  /** Milliseconds of the open spent loading the embedding model (reported apart from the rest of a start). */
  modelLoadMs?: number;
}

async function readManifest(indexRoot: string): Promise<Manifest> {
  const path = join(indexRoot, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AppError('INDEX_MISSING', `No index at ${indexRoot}; run \`npm run build:index\``, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new AppError('INDEX_CORRUPT', `${path} is not valid JSON; rebuild with \`npm run build:index\``, {
      cause,
    });
  }
  // One parse per open: without zod's compiled fast path, as for the configuration (core/config.ts).
  const parsed = ManifestSchema.safeParse(json, { jitless: true });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError('INDEX_CORRUPT', `${path} does not describe an index (${problems}); rebuild it`);
  }
  return parsed.data;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/**
 * Opens the index under INDEX_DIR after checking, in order: the manifest parses, it was built from this
 * corpus with this model and settings (else INDEX_STALE), every file matches its recorded checksum (else
 * INDEX_CORRUPT), and the model files in use are the ones the vectors were made with.
 *
 * `published: true` skips the comparison with the corpus on disk: for a cluster worker told to swap by the
 * primary, which checked the build it published. The corpus may have changed again since (an upload while
 * the build ran, whose own rebuild is queued); every worker must still take the build it was told about,
 * or workers would answer from different indexes until the next one.
 */
export async function openIndex(config: Config, options: { published?: boolean } = {}): Promise<LoadedIndex> {
  const indexRoot = resolve(config.INDEX_DIR);
  const manifest = await readManifest(indexRoot);
  if (!options.published) await checkFresh(config, manifest, indexRoot);
  return openBuild(config, manifest, indexRoot);
}

/** INDEX_STALE unless the manifest says the index was built from this corpus, model and settings. */
async function checkFresh(config: Config, manifest: Manifest, indexRoot: string): Promise<void> {
  const scan = await scanCorpus(config.CORPUS_DIR, corpusOptions(config));
  const prefixes = resolvePrefixes(config.EMBEDDING_MODEL, config);
  const reasons = staleReasons(manifest, {
    corpusFingerprint: corpusFingerprint(scan, await modelInputsFingerprint(config)),
    modelId: config.EMBEDDING_MODEL,
    quantized: config.EMBEDDING_QUANTIZED,
    queryPrefix: prefixes.query,
    passagePrefix: prefixes.passage,
  });
  if (reasons.length > 0) {
    throw new AppError('INDEX_STALE', `The index in ${indexRoot} is out of date: ${reasons.join('; ')}`, {
      details: reasons,
    });
  }
}

async function openBuild(config: Config, manifest: Manifest, indexRoot: string): Promise<LoadedIndex> {
  const buildDir = join(indexRoot, manifest.buildId);
  // Hashed concurrently (the reads overlap), then judged in the manifest's order.
  const files = filesToVerify(manifest);
  const hashes = await Promise.allSettled(files.map(([file]) => sha256File(join(buildDir, file))));
  for (const [i, [file, expected]] of files.entries()) {
    const hashed = hashes[i];
    if (hashed?.status !== 'fulfilled') {
      throw new AppError(
        'INDEX_CORRUPT',
        `Index file ${file} is missing from ${buildDir}; rebuild the index`,
        {
          cause: hashed?.reason,
        },
      );
    }
    if (hashed.value !== expected) {
      throw new AppError(
        'INDEX_CORRUPT',
        `Index file ${file} does not match its checksum; rebuild the index`,
      );
    }
  }

  const modelStarted = performance.now();
  const embedder = await openBuildEmbedder(config, manifest, buildDir, 'the index');
  const modelLoadMs = performance.now() - modelStarted;

  // Read beside the files below (its reads and the native search's load run on libuv's threads meanwhile).
  const wordVectors = readWordVectors(
    config,
    join(buildDir, INDEX_FILES.expansion),
    // Indexes built before the search was written build it here instead.
    manifest.files[INDEX_FILES.expansionSearch] !== undefined
      ? join(buildDir, INDEX_FILES.expansionSearch)
      : undefined,
  );
  // Awaited below; a failure of the files read meanwhile must not leave it unhandled.
  wordVectors.catch(() => {});
  const [documents, passages, termList, lexicalJson, sentenceBytes, storedSources, stems] = await Promise.all(
    [
      readJson<DocumentInfo[]>(join(buildDir, INDEX_FILES.documents)),
      readJson<Passage[]>(join(buildDir, INDEX_FILES.passages)),
      readJson<Array<[string, number]>>(join(buildDir, INDEX_FILES.terms)),
      readFile(join(buildDir, INDEX_FILES.lexical), 'utf8'),
      readFile(join(buildDir, INDEX_FILES.sentenceVectors)),
      readJson<StoredSource[]>(join(buildDir, INDEX_FILES.sources)),
      // Indexes built before the table was written leave the stemmer to compute every word.
      manifest.files[INDEX_FILES.stems] === undefined
        ? []
        : readJson<Array<[string, string]>>(join(buildDir, INDEX_FILES.stems)),
    ],
  );
  rememberStems(stems);
  if (passages.length !== manifest.passageCount) {
    throw new AppError(
      'INDEX_CORRUPT',
      `passages.json holds ${passages.length} passages, manifest says ${manifest.passageCount}`,
    );
  }
  const vectors = await readPassageVectors(manifest, buildDir);
  const vectorsByLanguage = await readLanguageVectors(manifest, buildDir, passages);
  const sentenceVectors = new Float32Array(ownBuffer(sentenceBytes));
  const sentenceOffsets = new Uint32Array(passages.length + 1);
  passages.forEach((p, i) => {
    sentenceOffsets[i + 1] = (sentenceOffsets[i] ?? 0) + p.sentences.length;
  });
  const sentenceCount = sentenceOffsets[passages.length] ?? 0;
  const sentencePassage = new Uint32Array(sentenceCount);
  for (let i = 0; i < passages.length; i++) {
    sentencePassage.fill(i, sentenceOffsets[i] ?? 0, sentenceOffsets[i + 1] ?? 0);
  }
  // The manifest's count decided whether the sentence graph was verified (filesToVerify).
  if (
    sentenceVectors.length !== sentenceCount * manifest.model.dims ||
    sentenceCount !== manifest.sentenceCount
  ) {
    throw new AppError('INDEX_CORRUPT', 'sentences.f32 does not match the passages; rebuild the index');
  }
  const sentences =
    sentenceCount <= EXACT_SEARCH_MAX_ROWS
      ? createExactIndex(sentenceVectors, manifest.model.dims)
      : await HnswIndex.read(
          join(buildDir, INDEX_FILES.sentenceGraph),
          manifest.model.dims,
          sentenceCount,
          manifest.hnsw.sentenceEfSearch ?? manifest.hnsw.efSearch,
        );

  return {
    manifest,
    embedder,
    modelLoadMs,
    index: {
      documents,
      passages,
      sources: new Map(storedSources.map((f) => [f.name, f.text])),
      sourceLayout: new Map(
        storedSources.map((f) => [f.name, { format: f.format, ...(f.pages ? { pages: f.pages } : {}) }]),
      ),
      skipped: (manifest.skipped ?? []) as SkippedFile[],
      vectors,
      ...(vectorsByLanguage.size > 0 ? { vectorsByLanguage } : {}),
      sentences,
      sentencePassage,
      lexical: LexicalIndex.fromJSON(lexicalJson),
      sentenceVectors,
      sentenceOffsets,
      documentFrequency: new Map(termList),
      embedder,
      builtAt: manifest.builtAt,
      wordVectors: await wordVectors,
    },
  };
}

/**
 * The index files a start checks against their checksums: the ones it reads. Not the generated model's
 * (35 MB for the built-in one): the embedder reads and hashes the files it uses into the fingerprint the
 * manifest records, and refuses a mismatch, so hashing them here as well only doubled the work; the other
 * ONNX variant is never read. Not the graphs a start does not read: the sentence graph while the sentences
 * are few enough to be searched exactly, the passage graph when `vectors.f32` holds the same vectors.
 */
function filesToVerify(manifest: Manifest): Array<[string, string]> {
  const generated = manifest.model.generatedDir === undefined ? undefined : `${manifest.model.generatedDir}/`;
  const unread = new Set<string>();
  if (manifest.sentenceCount <= EXACT_SEARCH_MAX_ROWS) unread.add(INDEX_FILES.sentenceGraph);
  if (manifest.files[INDEX_FILES.passageVectors] !== undefined) unread.add(INDEX_FILES.vectors);
  return Object.entries(manifest.files).filter(
    ([file]) => !(generated && file.startsWith(generated)) && !unread.has(file),
  );
}

/**
 * The passages' dense search: exact over `vectors.f32` when the build wrote it (few passages), else the
 * graph, or an exact copy of a small graph's vectors for an index built before `vectors.f32` existed (the
 * same float32 values, read out of the graph one row at a time through N-API).
 */
async function readPassageVectors(manifest: Manifest, buildDir: string): Promise<StoredVectorIndex> {
  const { dims } = manifest.model;
  if (manifest.files[INDEX_FILES.passageVectors] !== undefined) {
    const bytes = await readFile(join(buildDir, INDEX_FILES.passageVectors));
    if (bytes.byteLength !== manifest.passageCount * dims * 4) {
      throw new AppError('INDEX_CORRUPT', 'vectors.f32 does not match the passages; rebuild the index');
    }
    return createExactIndex(new Float32Array(ownBuffer(bytes)), dims);
  }
  const graph = await HnswIndex.read(
    join(buildDir, INDEX_FILES.vectors),
    dims,
    manifest.passageCount,
    manifest.hnsw.efSearch,
  );
  if (graph.size > EXACT_SEARCH_MAX_ROWS) return graph;
  const vectors = new Float32Array(graph.size * dims);
  for (let label = 0; label < graph.size; label++) vectors.set(graph.vector(label), label * dims);
  return createExactIndex(vectors, dims);
}

/**
 * The per-language dense indexes the manifest lists (exact over a `.f32` file, or a graph), as indexes over
 * passage ordinals. Each must hold exactly the passages of its language, in ordinal order.
 */
async function readLanguageVectors(
  manifest: Manifest,
  buildDir: string,
  passages: readonly Passage[],
): Promise<Map<string, VectorIndex>> {
  const out = new Map<string, VectorIndex>();
  const listed = Object.entries(manifest.languageVectors ?? {});
  if (listed.length === 0) return out;
  const { dims } = manifest.model;
  const rowsOf = new Map<string, number[]>(listed.map(([language]) => [language, []]));
  passages.forEach((p, ordinal) => {
    rowsOf.get(p.language)?.push(ordinal);
  });
  for (const [language, { rows: count, file }] of listed) {
    const rows = Uint32Array.from(rowsOf.get(language) ?? []);
    if (rows.length !== count) {
      throw new AppError(
        'INDEX_CORRUPT',
        `${file} holds ${count} passages in ${language}, the index has ${rows.length}; rebuild the index`,
      );
    }
    const path = join(buildDir, file);
    let index: StoredVectorIndex;
    if (file.endsWith('.f32')) {
      const bytes = await readFile(path);
      if (bytes.byteLength !== count * dims * 4) {
        throw new AppError('INDEX_CORRUPT', `${file} does not match the passages; rebuild the index`);
      }
      index = createExactIndex(new Float32Array(ownBuffer(bytes)), dims);
    } else {
      index = await HnswIndex.read(path, dims, count, efSearchFor(count));
    }
    out.set(language, onRows(index, rows));
  }
  return out;
}

/**
 * The embedder an index was built with (a generated model from the build's own files, else the configured
 * one), refused with INDEX_STALE when its fingerprint or dimensions no longer match the manifest's.
 */
export async function openBuildEmbedder(
  config: Config,
  manifest: Manifest,
  filesDir: string,
  what: string,
): Promise<Embedder> {
  const generated = manifest.model.generatedDir;
  if (generated === undefined) {
    const embedder = await openEmbedder(embedderOptions(config, config.EMBEDDING_MODEL));
    if (embedder.fingerprint !== manifest.model.fingerprint || embedder.dims !== manifest.model.dims) {
      throw new AppError(
        'INDEX_STALE',
        `The model ${config.EMBEDDING_MODEL} changed since ${what} was built`,
      );
    }
    return embedder;
  }
  // A generated model is part of the index, and its files are checked only here (see filesToVerify): a
  // file that cannot be read or does not match the fingerprint is a damaged index, rebuilt like any other.
  const modelDir = join(filesDir, generated);
  const damaged = (cause?: unknown) =>
    new AppError(
      'INDEX_CORRUPT',
      `The model generated for ${what} in ${modelDir} is damaged; rebuild the index`,
      {
        cause,
      },
    );
  const embedder = await openEmbedder(embedderOptions(config, modelDir)).catch((cause: unknown) => {
    throw damaged(cause);
  });
  if (embedder.fingerprint !== manifest.model.fingerprint || embedder.dims !== manifest.model.dims)
    throw damaged();
  return embedder;
}

/**
 * The committed GloVe-SIF table doubles as the word vectors for query expansion; optional. Their search is
 * read from `searchPath` (written at build time) when given, else built from the table.
 */
export async function readWordVectors(
  config: Config,
  candidatesPath: string,
  searchPath?: string,
): Promise<WordVectors | undefined> {
  let table: GloveSifTable;
  let candidates: unknown;
  try {
    table = decodeGloveSif(new Uint8Array(await readFile(gloveSifPath(config))));
    candidates = await readJson<unknown>(candidatesPath);
  } catch {
    return undefined;
  }
  const valid =
    Array.isArray(candidates) &&
    candidates.every((c) => Array.isArray(c) && typeof c[0] === 'number' && typeof c[1] === 'string');
  if (!valid) return table;
  const rows = candidates as Array<[number, string]>;
  // A search file that was written but cannot be read is a damaged index, not a missing option.
  const nearest = searchPath
    ? await readWordSearch(searchPath, table.dims, rows.length)
    : createWordSearch(table, rows);
  return { ...table, candidates: rows, nearest };
}

const REBUILDABLE = new Set(['INDEX_MISSING', 'INDEX_STALE', 'INDEX_CORRUPT']);

/**
 * Opens the index, rebuilding it first when it is missing, stale or corrupt and AUTO_BUILD allows;
 * otherwise the error explains what is wrong and how to fix it.
 */
export async function openOrBuildIndex(
  config: Config,
  options: BuildOptions & { onRebuild?: (reason: AppError) => void } = {},
): Promise<LoadedIndex & { rebuilt: boolean }> {
  try {
    return { ...(await openIndex(config)), rebuilt: false };
  } catch (error) {
    if (!isAppError(error) || !REBUILDABLE.has(error.code) || !config.AUTO_BUILD) throw error;
    options.onRebuild?.(error);
  }
  await buildIndex(config, options);
  return { ...(await openIndex(config)), rebuilt: true };
}
