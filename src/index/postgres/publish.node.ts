import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { AppError } from '../../core/errors.ts';
import type { Manifest } from '../../core/manifest.ts';
import { terms } from '../../core/terms.ts';
import type { DocumentInfo, Passage } from '../../core/types.ts';
import { contextHeader, INDEX_FILES } from '../build-index.node.ts';
import type { SearchIndex } from '../search-index.ts';
import { isStoredVectorIndex, type StoredVectorIndex } from '../types.ts';
import { FIELD, languageGraphSql, sentenceTable, vectorTable } from './legs.ts';
import { BUILD_LOCK_KEY, migrate } from './schema.ts';
import type { SqlClient } from './sql.ts';

export interface PublishOptions {
  /** Versions kept besides the new one, so replicas still on the previous one finish their requests. */
  keepPrevious: number;
  onProgress?: (progress: { stage: string; done?: number; total?: number }) => void;
  /** Called with the new version's id after its rows are written and before it is published (tests). */
  beforeFlip?: (version: number) => Promise<void>;
}

const DEFAULT_PUBLISH_OPTIONS: PublishOptions = { keepPrevious: 1 };

/** A built index as the file backend holds it: what {@link publishIndex} copies into the database. */
export interface BuiltIndex {
  manifest: Manifest;
  index: SearchIndex;
  /** The build directory (for the generated model and the query-expansion candidates). */
  buildDir: string;
}

interface Postings {
  term: string[];
  field: number[];
  ordinal: number[];
  tf: number[];
  length: number[];
}

/** Term frequencies of one field as the embedded engine counts them; length = distinct terms. */
function addPostings(out: Postings, ordinal: number, field: number, text: string): number {
  const counts = new Map<string, number>();
  for (const t of terms(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  for (const [term, tf] of counts) {
    out.term.push(term);
    out.field.push(field);
    out.ordinal.push(ordinal);
    out.tf.push(tf);
    out.length.push(counts.size);
  }
  return counts.size;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out;
}

// Bytes travel as hex text and are decoded by the server: the same on `pg` and PGlite, arrays included.
const hexOf = (v: Float32Array | Uint8Array) =>
  Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');

/**
 * Writes a built index into the database as a new version and publishes it by pointing `kzqa_current` at
 * it. Each document (its passages, postings and vectors) is written in its own transaction; statistics,
 * HNSW graphs and the flip come last, so a replica reading `kzqa_current` sees the old version or the whole
 * new one. A session advisory lock serialises builders: a second one waits, then writes the next version.
 */
export async function publishIndex(
  client: SqlClient,
  built: BuiltIndex,
  options: Partial<PublishOptions> = {},
): Promise<{ version: number }> {
  const opts = { ...DEFAULT_PUBLISH_OPTIONS, ...options };
  const progress = opts.onProgress ?? (() => {});
  const { manifest, index } = built;
  if (!isStoredVectorIndex(index.vectors)) {
    throw new AppError('INDEX_CORRUPT', 'Only an index built into files can be published to the database');
  }
  const passageVectors = index.vectors;
  await migrate(client);

  return client.session(async (lock) => {
    await lock.query('SELECT pg_advisory_lock($1)', [BUILD_LOCK_KEY]);
    try {
      // Versions left 'building' by a builder that died: nobody else holds the lock, so they are dead.
      await retire(client, "state <> 'ready'");
      const { rows } = await client.query<{ id: string }>(
        "INSERT INTO kzqa_versions (build_id, state) VALUES ($1, 'building') RETURNING id",
        [manifest.buildId],
      );
      const version = Number(rows[0]?.id);
      const dims = manifest.model.dims;
      await client.exec(`
        CREATE TABLE ${vectorTable(version)} (ordinal int PRIMARY KEY, document_id text NOT NULL,
          language text NOT NULL, kind text NOT NULL, embedding vector(${dims}) NOT NULL);
        CREATE TABLE ${sentenceTable(version)} (row int PRIMARY KEY, ordinal int NOT NULL, document_id text NOT NULL,
          language text NOT NULL, kind text NOT NULL, embedding vector(${dims}) NOT NULL);`);

      const byDocument = new Map<string, Passage[]>();
      for (const p of index.passages)
        byDocument.set(p.documentId, [...(byDocument.get(p.documentId) ?? []), p]);
      // The embedded engine's running average of field lengths, reproduced in the same order of additions.
      const average = [0, 0];
      let counted = 0;
      const sourcesWritten = new Set<string>();
      const documentsById = new Map(index.documents.map((d) => [d.id, d]));

      for (const [position, document] of index.documents.entries()) {
        progress({ stage: 'writing documents', done: position, total: index.documents.length });
        const passages = byDocument.get(document.id) ?? [];
        await client.transaction((tx) =>
          writeDocument(tx, version, position, document, passages, index, passageVectors, sourcesWritten),
        );
      }
      for (const p of index.passages) {
        const lengths = [
          new Set(terms(p.text)).size,
          new Set(terms(contextHeader(p, documentsById.get(p.documentId)))).size,
        ];
        for (const f of [FIELD.text, FIELD.context]) {
          average[f] = ((average[f] ?? 0) * counted + (lengths[f] ?? 0)) / (counted + 1);
        }
        counted += 1;
      }
      progress({ stage: 'writing statistics and graphs' });
      const files = await generatedFiles(built.buildDir, manifest);
      await client.transaction(async (tx) => {
        const orphanSources = [...index.sources.keys()]
          .filter((name) => !sourcesWritten.has(name))
          .map((name) => sourceRow(index, name));
        if (orphanSources.length > 0) {
          await tx.query(
            `INSERT INTO kzqa_sources (version_id, name, body, format, pages)
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::jsonb[])`,
            [version, ...[0, 1, 2, 3].map((column) => orphanSources.map((row) => row[column]))],
          );
        }
        await tx.query(
          `INSERT INTO kzqa_term_stats (version_id, term, field, df)
           SELECT version_id, term, field, count(*) FROM kzqa_postings WHERE version_id = $1 GROUP BY 1, 2, 3`,
          [version],
        );
        await tx.query(
          'INSERT INTO kzqa_field_stats (version_id, field, avg_length) SELECT $1, * FROM unnest($2::smallint[], $3::float8[])',
          [version, [FIELD.text, FIELD.context], average],
        );
        for (const file of files) {
          await tx.query(
            "INSERT INTO kzqa_files (version_id, path, content) VALUES ($1, $2, decode($3, 'hex'))",
            [version, file.path, hexOf(file.content)],
          );
        }
      });
      const { m, efConstruction } = manifest.hnsw;
      for (const [table, stage] of [
        [vectorTable(version), 'building vector index'],
        [sentenceTable(version), 'building sentence vector index'],
      ] as const) {
        // Stages named as the file build names them; the graphs are most of a large publish's time.
        progress({ stage });
        await client.exec(
          `CREATE INDEX ON ${table} USING hnsw (embedding vector_ip_ops) WITH (m = ${Number(m)}, ef_construction = ${Number(efConstruction)}); ANALYZE ${table}`,
        );
      }
      // A partial graph per language where the file build made a graph (the others are scanned).
      for (const [language, { file }] of Object.entries(manifest.languageVectors ?? {})) {
        if (!file.endsWith('.hnsw')) continue;
        progress({ stage: `building ${language} vector index` });
        await client.exec(languageGraphSql(vectorTable(version), language, m, efConstruction));
      }
      await opts.beforeFlip?.(version);
      await client.transaction(async (tx) => {
        await tx.query(
          "UPDATE kzqa_versions SET state = 'ready', manifest = $2, published_at = now() WHERE id = $1",
          [version, JSON.stringify(manifest)],
        );
        await tx.query(
          `INSERT INTO kzqa_current (singleton, version_id) VALUES (true, $1)
           ON CONFLICT (singleton) DO UPDATE SET version_id = EXCLUDED.version_id`,
          [version],
        );
      });
      await retireOld(client, version, opts.keepPrevious);
      progress({ stage: 'published', done: version });
      return { version };
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [BUILD_LOCK_KEY]);
    }
  });
}

/** A source's columns after the version: name, text, format and page spans (as JSON), as `GET …/text` serves them. */
function sourceRow(index: SearchIndex, name: string): [string, string, string | null, string | null] {
  const layout = index.sourceLayout?.get(name);
  return [
    name,
    index.sources.get(name) ?? '',
    layout?.format ?? null,
    layout?.pages ? JSON.stringify(layout.pages) : null,
  ];
}

async function writeDocument(
  tx: SqlClient,
  version: number,
  position: number,
  document: DocumentInfo,
  passages: readonly Passage[],
  index: SearchIndex,
  passageVectors: StoredVectorIndex,
  sourcesWritten: Set<string>,
): Promise<void> {
  await tx.query('INSERT INTO kzqa_documents (version_id, position, id, info) VALUES ($1, $2, $3, $4)', [
    version,
    position,
    document.id,
    JSON.stringify(document),
  ]);
  if (index.sources.has(document.source) && !sourcesWritten.has(document.source)) {
    sourcesWritten.add(document.source);
    await tx.query(
      'INSERT INTO kzqa_sources (version_id, name, body, format, pages) VALUES ($1, $2, $3, $4, $5)',
      [version, ...sourceRow(index, document.source)],
    );
  }
  if (passages.length === 0) return;
  const dims = index.embedder.dims;
  const postings: Postings = { term: [], field: [], ordinal: [], tf: [], length: [] };
  const sentenceRows: { row: number[]; ordinal: number[]; embedding: string[] } = {
    row: [],
    ordinal: [],
    embedding: [],
  };
  const sentenceBytes: string[] = [];
  for (const p of passages) {
    addPostings(postings, p.ordinal, FIELD.text, p.text);
    addPostings(postings, p.ordinal, FIELD.context, contextHeader(p, document));
    const first = index.sentenceOffsets[p.ordinal] ?? 0;
    const last = index.sentenceOffsets[p.ordinal + 1] ?? first;
    sentenceBytes.push(hexOf(index.sentenceVectors.subarray(first * dims, last * dims)));
    for (let row = first; row < last; row++) {
      sentenceRows.row.push(row);
      sentenceRows.ordinal.push(p.ordinal);
      sentenceRows.embedding.push(
        `[${index.sentenceVectors.subarray(row * dims, (row + 1) * dims).join(',')}]`,
      );
    }
  }
  await tx.query(
    `INSERT INTO kzqa_passages (version_id, ordinal, id, document_id, language, kind, passage, sentence_vectors)
     SELECT $1, o, i, d, l, k, p, decode(v, 'hex')
     FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[]) AS u(o, i, d, l, k, p, v)`,
    [
      version,
      passages.map((p) => p.ordinal),
      passages.map((p) => p.id),
      passages.map((p) => p.documentId),
      passages.map((p) => p.language),
      passages.map((p) => p.kind),
      passages.map((p) => JSON.stringify(p)),
      sentenceBytes,
    ],
  );
  await tx.query(
    `INSERT INTO kzqa_postings (version_id, term, field, ordinal, tf, length)
     SELECT $1, * FROM unnest($2::text[], $3::smallint[], $4::int[], $5::int[], $6::int[])`,
    [version, postings.term, postings.field, postings.ordinal, postings.tf, postings.length],
  );
  const kindOf = new Map(passages.map((p) => [p.ordinal, p]));
  await tx.query(
    `INSERT INTO ${vectorTable(version)} (ordinal, document_id, language, kind, embedding)
     SELECT o, $1, l, k, e::vector FROM unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS u(o, l, k, e)`,
    [
      document.id,
      passages.map((p) => p.ordinal),
      passages.map((p) => p.language),
      passages.map((p) => p.kind),
      passages.map((p) => `[${passageVectors.vector(p.ordinal).join(',')}]`),
    ],
  );
  await tx.query(
    `INSERT INTO ${sentenceTable(version)} (row, ordinal, document_id, language, kind, embedding)
     SELECT r, o, $1, l, k, e::vector FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[]) AS u(r, o, l, k, e)`,
    [
      document.id,
      sentenceRows.row,
      sentenceRows.ordinal,
      sentenceRows.ordinal.map((o) => kindOf.get(o)?.language ?? ''),
      sentenceRows.ordinal.map((o) => kindOf.get(o)?.kind ?? ''),
      sentenceRows.embedding,
    ],
  );
}

/** The generated model's files and the query-expansion candidates, which replicas cannot rebuild. */
async function generatedFiles(buildDir: string, manifest: Manifest) {
  const out: Array<{ path: string; content: Uint8Array }> = [];
  const wanted = [join(buildDir, INDEX_FILES.expansion)];
  if (manifest.model.generatedDir !== undefined) {
    wanted.push(...(await filesUnder(join(buildDir, manifest.model.generatedDir))));
  }
  for (const path of wanted) {
    out.push({ path: relative(buildDir, path).split('\\').join('/'), content: await readFile(path) });
  }
  return out;
}

async function dropVersions(client: SqlClient, ids: readonly number[]): Promise<void> {
  for (const id of ids) {
    await client.exec(`DROP TABLE IF EXISTS ${vectorTable(id)}; DROP TABLE IF EXISTS ${sentenceTable(id)}`);
    await client.query('DELETE FROM kzqa_versions WHERE id = $1', [id]);
  }
}

async function retire(client: SqlClient, where: string): Promise<void> {
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM kzqa_versions WHERE ${where}`);
  await dropVersions(
    client,
    rows.map((r) => Number(r.id)),
  );
}

/** Drops ready versions older than the newest `keep` before `current`. */
async function retireOld(client: SqlClient, current: number, keep: number): Promise<void> {
  const { rows } = await client.query<{ id: string }>(
    "SELECT id FROM kzqa_versions WHERE state = 'ready' AND id < $1 ORDER BY id DESC OFFSET $2",
    [current, keep],
  );
  await dropVersions(
    client,
    rows.map((r) => Number(r.id)),
  );
}
