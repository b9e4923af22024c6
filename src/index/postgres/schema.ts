import type { SqlClient } from './sql.ts';

/**
 * The database schema as numbered migrations, applied in order by `npm run db:migrate` (and by a builder
 * before it writes). Each runs in its own transaction and is recorded in `kzqa_migrations`.
 *
 * Layout: every row belongs to an index version; `kzqa_current` (one row) names the published one.
 * Vectors live in one table per version and kind (`kzqa_vectors_<id>`, `kzqa_sentence_vectors_<id>`),
 * each with its own HNSW graph, so a search never walks another version's vectors and retiring a version
 * is a DROP TABLE. Filter columns are copied into the vector tables, so filters apply inside the scan.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'versions, passages, postings',
    sql: `
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE kzqa_versions (
  id bigserial PRIMARY KEY,
  build_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('building', 'ready', 'failed')),
  manifest jsonb,
  started_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE TABLE kzqa_current (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version_id bigint NOT NULL REFERENCES kzqa_versions (id)
);
CREATE TABLE kzqa_documents (
  version_id bigint NOT NULL REFERENCES kzqa_versions (id) ON DELETE CASCADE,
  position int NOT NULL,
  id text NOT NULL,
  info jsonb NOT NULL,
  PRIMARY KEY (version_id, position)
);
CREATE TABLE kzqa_sources (
  version_id bigint NOT NULL REFERENCES kzqa_versions (id) ON DELETE CASCADE,
  name text NOT NULL,
  body text NOT NULL,
  PRIMARY KEY (version_id, name)
);
CREATE TABLE kzqa_passages (
  version_id bigint NOT NULL REFERENCES kzqa_versions (id) ON DELETE CASCADE,
  ordinal int NOT NULL,
  id text NOT NULL,
  document_id text NOT NULL,
  language text NOT NULL,
  kind text NOT NULL,
  passage jsonb NOT NULL,
  -- float32 unit vectors of the passage's sentences, row-major (the quote stage scores them in memory)
  sentence_vectors bytea NOT NULL,
  PRIMARY KEY (version_id, ordinal)
);
-- BM25 postings: term frequency and field length (distinct terms, as the embedded engine counts it)
CREATE TABLE kzqa_postings (
  version_id bigint NOT NULL REFERENCES kzqa_versions (id) ON DELETE CASCADE,
  term text NOT NULL,
  field smallint NOT NULL,
  ordinal int NOT NULL,
  tf int NOT NULL,
  length int NOT NULL,
  PRIMARY KEY (version_id, term, field, ordinal)
);
CREATE TABLE kzqa_term_stats (
  version_id bigint NOT NULL REFERENCES kzqa_versions (id) ON DELETE CASCADE,
  term text NOT NULL,
  field smallint NOT NULL,
  df int NOT NULL,
  PRIMARY KEY (version_id, term, field)
);
CREATE TABLE kzqa_field_stats (
  version_id bigint NOT NULL REFERENCES kzqa_versions (id) ON DELETE CASCADE,
  field smallint NOT NULL,
  avg_length float8 NOT NULL,
  PRIMARY KEY (version_id, field)
);
-- Files of a model generated at build time (the built-in static model), and query-expansion candidates
CREATE TABLE kzqa_files (
  version_id bigint NOT NULL REFERENCES kzqa_versions (id) ON DELETE CASCADE,
  path text NOT NULL,
  content bytea NOT NULL,
  PRIMARY KEY (version_id, path)
);
`,
  },
  {
    version: 2,
    name: 'source format and page spans',
    // NULL on versions published before this migration: the document's own format stands in, as before.
    sql: `
ALTER TABLE kzqa_sources ADD COLUMN format text, ADD COLUMN pages jsonb;
`,
  },
];

/** Key of the advisory lock a builder holds from its first write to its publish, so two never interleave. */
export const BUILD_LOCK_KEY = 7_180_219;
/** Key of the advisory lock migrations run under. */
const MIGRATION_LOCK_KEY = 7_180_220;

/**
 * Applies the migrations not yet recorded; returns the numbers applied. Safe to run concurrently.
 * `migrations` is every migration but for tests, which stop at an older schema to upgrade it.
 */
export async function migrate(client: SqlClient, migrations = MIGRATIONS): Promise<number[]> {
  return client.session(async (conn) => {
    await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await conn.exec(
        'CREATE TABLE IF NOT EXISTS kzqa_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await conn.query<{ version: number }>('SELECT version FROM kzqa_migrations');
      const done = new Set(rows.map((r) => Number(r.version)));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await conn.transaction(async (tx) => {
          await tx.exec(m.sql);
          await tx.query('INSERT INTO kzqa_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        });
        applied.push(m.version);
      }
      return applied;
    } finally {
      await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

/** The newest migration this code expects; a database behind it must be migrated first. */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
