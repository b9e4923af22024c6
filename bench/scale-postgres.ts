/**
 * The PostgreSQL half of `npm run bench:scale -- --backend postgres`: publishes a synthetic index (built in
 * process by bench/scale.ts) into a fresh database with the real publisher, opens it as a replica does, and
 * measures it: publish time by part (documents, statistics, each HNSW graph), table and index sizes, the
 * whole ask per stage through the database, dense recall@10 of pgvector's HNSW against exact search, and
 * whether the lexical top-k equals the in-process engine's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createProgress, type ProgressSink } from '../src/cli/progress.ts';
import type { Config } from '../src/core/config.ts';
import { detectLanguage } from '../src/core/language.ts';
import { terms } from '../src/core/terms.ts';
import { type LanguageIndexes, languageIndexes, partitionFiles, searchDense } from '../src/index/language-partitions.ts';
import type { LoadedIndex } from '../src/index/load-index.node.ts';
import { createPgClient } from '../src/index/postgres/client.node.ts';
import { sentenceTable, vectorTable } from '../src/index/postgres/legs.ts';
import { openDatabaseIndex } from '../src/index/postgres/open.node.ts';
import { publishIndex } from '../src/index/postgres/publish.node.ts';
import type { SqlClient } from '../src/index/postgres/sql.ts';
import type { SearchIndex } from '../src/index/search-index.ts';
import { efSearchFor, type VectorIndex } from '../src/index/types.ts';
import { load, say, seconds, timeAsks } from './scale-common.ts';

/** A PostgreSQL server: DATABASE_URL's, or a throwaway one from scripts/postgres.sh. */
export interface ScaleServer {
  url: string;
  /** True when this benchmark started the server (and stops it). */
  throwaway: boolean;
  stop(): void;
}

/** Uses DATABASE_URL, or starts a server of our own; `stop` is synchronous so an exit handler can call it. */
export async function startServer(): Promise<ScaleServer> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, throwaway: false, stop: () => {} };
  const dir = await mkdtemp(join(tmpdir(), 'kzqa-scale-pg-'));
  const script = (action: string) =>
    execFileSync('bash', ['scripts/postgres.sh', action, dir], { encoding: 'utf8' }).trim();
  say(`starting PostgreSQL in ${dir}`);
  const url = script('start');
  let stopped = false;
  return {
    url,
    throwaway: true,
    stop: () => {
      if (stopped) return;
      stopped = true;
      say(`stopping PostgreSQL in ${dir}`);
      try {
        script('stop');
      } finally {
        // The data of a 100k run is gigabytes: never leave it behind.
        execFileSync('rm', ['-rf', dir]);
      }
    },
  };
}

/** What a size's run hands over: the in-process index (exact passage and sentence search) and the shipped build. */
export interface ScaleInput {
  config: Config;
  /** The synthetic index in process: `vectors` and `sentences` are exact searches, `lexical` the embedded engine. */
  index: SearchIndex;
  /** The shipped index it was drawn from, whose generated model embedded it. */
  shipped: LoadedIndex;
  asked: readonly string[];
  sample: readonly string[];
  /** maintenance_work_mem for the HNSW builds (pgvector builds in memory while the graph fits). */
  maintenanceWorkMem: string;
}

/** A fresh database on the server for one size, dropped afterwards. */
async function createDatabase(serverUrl: string, name: string, maintenanceWorkMem: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  // Every session of the new database (the publisher's pool included) builds its graphs with this much memory.
  await admin.query(`ALTER DATABASE ${name} SET maintenance_work_mem = '${maintenanceWorkMem.replace(/'/g, '')}'`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await admin.end();
    },
  };
}

/** pgvector's progress report of a running CREATE INDEX, every 20 s, so a long graph build shows it is moving. */
function watchIndexBuild(client: SqlClient) {
  const timer = setInterval(() => {
    client
      .query<{ relid: string; phase: string; tuples_done: string; tuples_total: string }>(
        'SELECT relid::regclass::text AS relid, phase, tuples_done, tuples_total FROM pg_stat_progress_create_index',
      )
      .then(({ rows }) => {
        for (const r of rows) say(`  CREATE INDEX on ${r.relid}: ${r.phase}, ${r.tuples_done}/${r.tuples_total} tuples`);
      })
      .catch(() => {});
  }, 20_000);
  return () => clearInterval(timer);
}

/** Sizes in MiB of the version's tables, their indexes and the HNSW graphs. */
async function sizes(client: SqlClient, version: number) {
  const mib = (bytes: unknown) => Number((Number(bytes) / 2 ** 20).toFixed(1));
  const tables = [
    'kzqa_documents',
    'kzqa_sources',
    'kzqa_passages',
    'kzqa_postings',
    'kzqa_term_stats',
    vectorTable(version),
    sentenceTable(version),
  ];
  const out: Record<string, { totalMiB: number; tableMiB: number; indexesMiB: number; rows: number }> = {};
  for (const table of tables) {
    const { rows } = await client.query<{ total: string; heap: string; indexes: string; n: string }>(
      `SELECT pg_total_relation_size($1::regclass) AS total, pg_relation_size($1::regclass) AS heap,
         pg_indexes_size($1::regclass) AS indexes, (SELECT count(*) FROM ${table}) AS n`,
      [table],
    );
    const r = rows[0];
    out[table] = { totalMiB: mib(r?.total), tableMiB: mib(r?.heap), indexesMiB: mib(r?.indexes), rows: Number(r?.n) };
  }
  const { rows: graphs } = await client.query<{ name: string; table: string; bytes: string }>(
    `SELECT c.relname AS name, t.relname AS table, pg_relation_size(c.oid) AS bytes
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_am a ON a.oid = c.relam WHERE a.amname = 'hnsw'`,
  );
  const { rows: db } = await client.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
  return {
    tables: out,
    hnswMiB: Object.fromEntries(graphs.map((g) => [g.table, mib(g.bytes)])),
    databaseMiB: mib(db[0]?.bytes),
  };
}

async function serverSettings(client: SqlClient) {
  const { rows } = await client.query<Record<string, string>>(
    `SELECT current_setting('server_version') AS server_version,
       (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS pgvector,
       current_setting('maintenance_work_mem') AS maintenance_work_mem,
       current_setting('max_parallel_maintenance_workers') AS max_parallel_maintenance_workers,
       current_setting('shared_buffers') AS shared_buffers, current_setting('fsync') AS fsync`,
  );
  return rows[0] ?? {};
}

/**
 * Recall@10 of `served` against exact search, ties counted: a served hit among the first 10 counts when it
 * scores at least the exact 10th score (less 1e-6), so an equally near neighbour with another label is not
 * a miss.
 */
async function recallAt10(
  served: VectorIndex,
  exact: VectorIndex,
  vectors: readonly Float32Array[],
  depth: number,
  /** The question languages and the per-language indexes, to search as the engine does (searchDense). */
  route?: { languages: readonly string[]; indexes: LanguageIndexes | undefined },
) {
  let found = 0;
  for (const [q, qv] of vectors.entries()) {
    const truth = await exact.search(qv, 10);
    const tenth = (truth.at(-1)?.score ?? 0) - 1e-6;
    const hits = (
      route
        ? await searchDense(served, route.indexes, { vector: qv, k: depth, language: route.languages[q] ?? '' })
        : await served.search(qv, depth)
    ).slice(0, 10);
    found += hits.filter((h) => h.score >= tenth).length;
  }
  return Number((found / (vectors.length * 10)).toFixed(4));
}

/** Publishes, opens and measures one synthetic index in PostgreSQL. */
export async function measurePostgres(server: ScaleServer, input: ScaleInput) {
  const { index, shipped, config } = input;
  const n = index.passages.length;
  const sentenceCount = index.sentencePassage.length;
  const database = await createDatabase(server.url, `kzqa_scale_${n}_${process.pid}`, input.maintenanceWorkMem);
  const client = createPgClient(database.url, {
    max: 4,
    // HNSW builds over hundreds of thousands of rows take many minutes.
    statementTimeoutMs: 6 * 3600_000,
    connectTimeoutMs: 30_000,
  });
  try {
    const loadStart = load();
    const manifest = {
      ...shipped.manifest,
      buildId: `scale-${n}-${shipped.manifest.buildId}`,
      builtAt: new Date().toISOString(),
      documentCount: index.documents.length,
      passageCount: n,
      sentenceCount,
      hnsw: { ...shipped.manifest.hnsw, efSearch: efSearchFor(n), sentenceEfSearch: efSearchFor(sentenceCount) },
      // As a file build of these passages would list them: publish makes a partial graph for each `.hnsw`.
      languageVectors: Object.fromEntries(
        partitionFiles(index.passages.map((p) => p.language)).map(({ language, rows, file }) => [
          language,
          { rows: rows.length, file },
        ]),
      ),
    };
    delete manifest.work;

    // Publish: the real publisher, timed by its progress stages.
    const marks = new Map<string, number>();
    let bar: ProgressSink | undefined;
    const t0 = performance.now();
    let stopWatching = () => {};
    const { version } = await publishIndex(
      client,
      // The synthetic passages were embedded by the shipped build's generated model: its files go along.
      { manifest, index, buildDir: join(resolve(input.config.INDEX_DIR), shipped.manifest.buildId) },
      {
        onProgress: ({ stage, done, total }) => {
          if (!marks.has(stage)) {
            marks.set(stage, performance.now());
            bar?.finish();
            bar = undefined;
            say(`publish ${n}: ${stage}`);
            if (stage === 'building vector index') stopWatching = watchIndexBuild(client);
          }
          if (stage === 'writing documents' && total !== undefined && done !== undefined) {
            bar ??= createProgress(`publish ${n}: documents`, total);
            bar.update(done);
          }
        },
        beforeFlip: async () => {
          marks.set('flip', performance.now());
          stopWatching();
        },
      },
    );
    const publishSeconds = seconds(t0);
    stopWatching();
    const span = (from: string, to: string) =>
      Number((((marks.get(to) ?? Number.NaN) - (marks.get(from) ?? Number.NaN)) / 1000).toFixed(1));
    const measuredSizes = await sizes(client, version);
    const rowsWritten =
      (measuredSizes.tables.kzqa_passages?.rows ?? 0) +
      (measuredSizes.tables.kzqa_postings?.rows ?? 0) +
      n +
      sentenceCount;
    const documentsSeconds = span('writing documents', 'writing statistics and graphs');
    const publish = {
      totalSeconds: publishSeconds,
      documentsSeconds,
      statisticsSeconds: span('writing statistics and graphs', 'building vector index'),
      passageHnswSeconds: span('building vector index', 'building sentence vector index'),
      sentenceHnswSeconds: span('building sentence vector index', 'flip'),
      rowsWritten,
      rowsPerSecond: Math.round(rowsWritten / documentsSeconds),
    };
    say(`publish ${n}: ${JSON.stringify(publish)}`);

    // A replica's view: open the published version and ask through it.
    let t1 = performance.now();
    const opened = await openDatabaseIndex(
      { ...config, INDEX_DIR: resolve('.tmp/bench-scale/pg-files') },
      client,
    );
    const openSeconds = seconds(t1);
    say(`opened version ${version} in ${openSeconds} s; timing ${input.asked.length} questions`);
    t1 = performance.now();
    const ask = await timeAsks(opened.index, input.asked);
    say(`asked in ${seconds(t1)} s; again with the sentence leg on`);
    // The built-in model's profile leaves the sentence leg off; pretrained models turn it on (the largest table).
    const askSentenceLeg = await timeAsks(opened.index, input.asked, { sentenceLeg: true });

    say(`recall and lexical exactness on ${input.sample.length} questions`);
    const queryVectors: Float32Array[] = [];
    for (const question of input.sample) queryVectors.push(await index.embedder.embedQuery(question));
    const route = {
      languages: input.sample.map((question) => detectLanguage(question)),
      indexes: languageIndexes(
        opened.index.vectorsByLanguage,
        opened.index.passages.map((p) => p.language),
      ),
    };
    let lexicalExact = 0;
    for (const question of input.sample) {
      const query = new Map(terms(question).map((t) => [t, 1]));
      const a = await index.lexical.search(query, 100);
      const b = await opened.index.lexical.search(query, 100);
      const same =
        a.length === b.length &&
        a.every((h, i) => h.label === b[i]?.label && Math.abs(h.score - (b[i]?.score ?? Number.NaN)) <= 1e-9 * Math.max(1, Math.abs(h.score)));
      if (same) lexicalExact++;
    }
    const row = {
      backend: 'postgres',
      server: { ...(await serverSettings(client)), throwaway: server.throwaway },
      efSearch: manifest.hnsw.efSearch,
      sentenceEfSearch: manifest.hnsw.sentenceEfSearch,
      publish,
      sizes: measuredSizes,
      openSeconds,
      ask,
      askSentenceLeg,
      languageIndexes: manifest.languageVectors,
      denseRecall10: await recallAt10(opened.index.vectors, index.vectors, queryVectors, 10, route),
      // What the engine sees: the top 10 of its depth-100 search (ef = max(efSearch, 100)).
      denseRecall10AtDepth100: await recallAt10(opened.index.vectors, index.vectors, queryVectors, 100, route),
      denseRecall10AtDepth100SharedGraphOnly: await recallAt10(opened.index.vectors, index.vectors, queryVectors, 100),
      sentenceRecall10: await recallAt10(opened.index.sentences, index.sentences, queryVectors, 10),
      lexicalExact: `${lexicalExact}/${input.sample.length}`,
      load: { start: loadStart, end: load() },
    };
    return row;
  } finally {
    await client.close().catch(() => {});
    await database.drop();
  }
}
