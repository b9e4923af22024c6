import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ownBuffer } from '../../core/bytes.ts';
import type { Config } from '../../core/config.ts';
import { AppError } from '../../core/errors.ts';
import { ManifestSchema, staleReasons } from '../../core/manifest.ts';
import type { DocumentInfo, PageSpan, Passage, SkippedFile, SourceFormat } from '../../core/types.ts';
import { resolvePrefixes } from '../../embed/prefixes.ts';
import { loadCorpus } from '../../ingest/load-corpus.node.ts';
import { corpusFingerprint, INDEX_FILES, modelInputsFingerprint } from '../build-index.node.ts';
import { type LoadedIndex, openBuildEmbedder, readWordVectors } from '../load-index.node.ts';
import { efSearchFor } from '../types.ts';
import { FIELD, PostgresLexicalIndex, PostgresVectorIndex, sentenceTable, vectorTable } from './legs.ts';
import { SCHEMA_VERSION } from './schema.ts';
import { guarded, type SqlClient } from './sql.ts';

/** An index opened from the database: which version it is, besides what the file backend gives. */
export interface DatabaseIndex extends LoadedIndex {
  version: number;
}

/** The published version's id, or undefined when nothing is published yet. */
export async function currentVersion(client: SqlClient): Promise<number | undefined> {
  return guarded('reading the published version', async () => {
    try {
      const { rows } = await client.query<{ version_id: string }>('SELECT version_id FROM kzqa_current');
      return rows[0] ? Number(rows[0].version_id) : undefined;
    } catch (error) {
      // 42P01: the tables do not exist yet.
      if ((error as { code?: string }).code === '42P01') return undefined;
      throw error;
    }
  });
}

async function checkSchema(client: SqlClient): Promise<void> {
  let applied = 0;
  try {
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM kzqa_migrations',
    );
    applied = Number(rows[0]?.v ?? 0);
  } catch (error) {
    if ((error as { code?: string }).code !== '42P01') throw error;
  }
  if (applied < SCHEMA_VERSION) {
    throw new AppError(
      'INDEX_MISSING',
      `The database schema is at migration ${applied}, this version needs ${SCHEMA_VERSION}; run \`npm run db:migrate\``,
    );
  }
}

/** Writes the version's generated model files once under INDEX_DIR (the embedder loads from a directory). */
async function materialize(client: SqlClient, version: number, dir: string): Promise<void> {
  const { rows } = await client.query<{ path: string; content: string }>(
    "SELECT path, encode(content, 'hex') AS content FROM kzqa_files WHERE version_id = $1",
    [version],
  );
  const tmp = `${dir}.tmp-${process.pid}`;
  for (const row of rows) {
    const path = join(tmp, row.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, Buffer.from(row.content, 'hex'));
  }
  await mkdir(dirname(dir), { recursive: true });
  await rename(tmp, dir).catch(async (error: unknown) => {
    // Another process materialised the same version first: theirs is identical.
    if ((error as { code?: string }).code !== 'ENOTEMPTY' && (error as { code?: string }).code !== 'EEXIST')
      throw error;
  });
}

async function exists(path: string): Promise<boolean> {
  return readFile(path).then(
    () => true,
    () => false,
  );
}

/** Format and page spans by source name; versions published before migration 2 have none. */
function sourceLayout(rows: ReadonlyArray<{ name: string; format: SourceFormat | null; pages: unknown }>) {
  const layout = new Map<string, { format: SourceFormat; pages?: PageSpan[] }>();
  for (const { name, format, pages } of rows) {
    if (format === null) continue;
    // jsonb arrives parsed from `pg` and PGlite; a string is parsed here, as the manifest is.
    const spans = (typeof pages === 'string' ? JSON.parse(pages) : pages) as PageSpan[] | null;
    layout.set(name, { format, ...(spans ? { pages: spans } : {}) });
  }
  return layout;
}

/**
 * Opens the published index version from the database: the catalogue, passages and sentence vectors in
 * memory (what fusion, quotes and confidence read for a handful of passages per question), the dense and
 * lexical legs as queries against that version's tables. Checks the model as the file backend does; the
 * corpus is the builder's business (a replica need not hold it; see {@link openOrBuildDatabaseIndex}).
 */
export async function openDatabaseIndex(
  config: Config,
  client: SqlClient,
  version?: number,
): Promise<DatabaseIndex> {
  await guarded('checking the schema', () => checkSchema(client));
  const id = version ?? (await currentVersion(client));
  if (id === undefined) {
    throw new AppError(
      'INDEX_MISSING',
      'No index is published in the database; run `npm run build:index` with DATABASE_URL set',
    );
  }
  return guarded('loading the index', async () => {
    const { rows: versions } = await client.query<{ manifest: unknown }>(
      "SELECT manifest FROM kzqa_versions WHERE id = $1 AND state = 'ready'",
      [id],
    );
    const parsed = ManifestSchema.safeParse(
      typeof versions[0]?.manifest === 'string' ? JSON.parse(versions[0].manifest) : versions[0]?.manifest,
    );
    if (!parsed.success) {
      throw new AppError('INDEX_CORRUPT', `Index version ${id} has no valid manifest; rebuild the index`);
    }
    const manifest = parsed.data;
    const prefixes = resolvePrefixes(config.EMBEDDING_MODEL, config);
    const reasons = staleReasons(manifest, {
      corpusFingerprint: manifest.corpusFingerprint,
      modelId: config.EMBEDDING_MODEL,
      quantized: config.EMBEDDING_QUANTIZED,
      queryPrefix: prefixes.query,
      passagePrefix: prefixes.passage,
    });
    if (reasons.length > 0) {
      throw new AppError('INDEX_STALE', `Index version ${id} in the database: ${reasons.join('; ')}`, {
        details: reasons,
      });
    }

    const filesDir = resolve(config.INDEX_DIR, 'database-files', `v${id}-${manifest.buildId}`);
    if (!(await exists(join(filesDir, INDEX_FILES.expansion)))) await materialize(client, id, filesDir);
    const modelStarted = performance.now();
    const embedder = await openBuildEmbedder(config, manifest, filesDir, `index version ${id}`);
    const modelLoadMs = performance.now() - modelStarted;

    const [documents, passages, sources, df] = await Promise.all([
      client.query<{ info: DocumentInfo }>(
        'SELECT info FROM kzqa_documents WHERE version_id = $1 ORDER BY position',
        [id],
      ),
      // Hex text decodes fast in Node; drivers' own bytea parsing is slow (PGlite's especially).
      client.query<{ passage: Passage; sentence_vectors: string }>(
        "SELECT passage, encode(sentence_vectors, 'hex') AS sentence_vectors FROM kzqa_passages WHERE version_id = $1 ORDER BY ordinal",
        [id],
      ),
      client.query<{ name: string; body: string; format: SourceFormat | null; pages: unknown }>(
        'SELECT name, body, format, pages FROM kzqa_sources WHERE version_id = $1',
        [id],
      ),
      client.query<{ term: string; df: number }>(
        'SELECT term, df FROM kzqa_term_stats WHERE version_id = $1 AND field = $2',
        [id, FIELD.text],
      ),
    ]);
    if (passages.rows.length !== manifest.passageCount || documents.rows.length !== manifest.documentCount) {
      throw new AppError('INDEX_CORRUPT', `Index version ${id} is incomplete; rebuild the index`);
    }
    const dims = manifest.model.dims;
    const sentenceOffsets = new Uint32Array(passages.rows.length + 1);
    passages.rows.forEach((r, i) => {
      sentenceOffsets[i + 1] = (sentenceOffsets[i] ?? 0) + r.passage.sentences.length;
    });
    const sentenceCount = sentenceOffsets[passages.rows.length] ?? 0;
    const sentenceVectors = new Float32Array(sentenceCount * dims);
    const sentencePassage = new Uint32Array(sentenceCount);
    passages.rows.forEach((r, i) => {
      const bytes = Buffer.from(r.sentence_vectors, 'hex');
      const start = sentenceOffsets[i] ?? 0;
      sentenceVectors.set(new Float32Array(ownBuffer(bytes)), start * dims);
      sentencePassage.fill(i, start, sentenceOffsets[i + 1] ?? start);
    });
    if (sentenceCount !== manifest.sentenceCount && manifest.sentenceCount !== undefined) {
      throw new AppError(
        'INDEX_CORRUPT',
        `Index version ${id} has ${sentenceCount} sentences, its manifest ${manifest.sentenceCount}`,
      );
    }
    const { efSearch } = manifest.hnsw;
    // Each language's own index as the file build made it: a scan, or the partial graph publish made.
    const vectorsByLanguage = new Map(
      Object.entries(manifest.languageVectors ?? {}).map(([language, { rows, file }]) => [
        language,
        new PostgresVectorIndex({
          client,
          table: vectorTable(id),
          label: 'ordinal',
          dims,
          size: rows,
          efSearch: efSearchFor(rows),
          exactMaxRows: file.endsWith('.f32') ? rows : 0,
          language,
        }),
      ]),
    );
    return {
      version: id,
      manifest,
      embedder,
      modelLoadMs,
      index: {
        documents: documents.rows.map((r) => r.info),
        passages: passages.rows.map((r) => r.passage),
        sources: new Map(sources.rows.map((r) => [r.name, r.body])),
        sourceLayout: sourceLayout(sources.rows),
        skipped: (manifest.skipped ?? []) as SkippedFile[],
        vectors: new PostgresVectorIndex({
          client,
          table: vectorTable(id),
          label: 'ordinal',
          dims,
          size: manifest.passageCount,
          efSearch,
        }),
        ...(vectorsByLanguage.size > 0 ? { vectorsByLanguage } : {}),
        sentences: new PostgresVectorIndex({
          client,
          table: sentenceTable(id),
          label: 'row',
          dims,
          size: sentenceCount,
          efSearch: manifest.hnsw.sentenceEfSearch ?? efSearch,
        }),
        lexical: new PostgresLexicalIndex({ client, version: id, size: manifest.passageCount }),
        sentenceVectors,
        sentenceOffsets,
        sentencePassage,
        documentFrequency: new Map(df.rows.map((r) => [r.term, Number(r.df)])),
        embedder,
        builtAt: manifest.builtAt,
        wordVectors: await readWordVectors(config, join(filesDir, INDEX_FILES.expansion)),
      },
    };
  });
}

/** Why the published version does not match this corpus and model (empty when it does). */
export async function databaseStaleReasons(config: Config, index: DatabaseIndex): Promise<string[]> {
  const snapshot = await loadCorpus(config.CORPUS_DIR);
  const prefixes = resolvePrefixes(config.EMBEDDING_MODEL, config);
  return staleReasons(index.manifest, {
    corpusFingerprint: corpusFingerprint(snapshot, await modelInputsFingerprint(config)),
    modelId: config.EMBEDDING_MODEL,
    quantized: config.EMBEDDING_QUANTIZED,
    queryPrefix: prefixes.query,
    passagePrefix: prefixes.passage,
  });
}
