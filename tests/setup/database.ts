import { join, resolve } from 'node:path';
import pg from 'pg';
import type { Config } from '../../src/core/config.ts';
import type { LoadedIndex } from '../../src/index/load-index.node.ts';
import { createPgClient, createPgliteClient } from '../../src/index/postgres/client.node.ts';
import { publishIndex } from '../../src/index/postgres/publish.node.ts';
import type { SqlClient } from '../../src/index/postgres/sql.ts';

/**
 * Databases for the PostgreSQL backend's suites: PGlite (PostgreSQL compiled to WebAssembly, with its
 * pgvector build) in this process always; a real PostgreSQL server with pgvector when TEST_DATABASE_URL
 * names one (`.ci/run` starts one on loopback with scripts/postgres.sh). Each suite gets a fresh database
 * on the server, dropped afterwards, so suites running in parallel never share tables.
 */
export interface TestDatabase {
  name: 'pglite' | 'server';
  client: SqlClient;
  /** A URL for other processes (server only). */
  url?: string;
  /** A second, independent pool on the same database (server only): another replica or builder. */
  connect?: () => SqlClient;
  drop(): Promise<void>;
}

export const SERVER_URL = process.env.TEST_DATABASE_URL;

export async function createTestDatabase(name: 'pglite' | 'server'): Promise<TestDatabase> {
  if (name === 'pglite') {
    const client = await createPgliteClient();
    return { name, client, drop: () => client.close() };
  }
  if (!SERVER_URL) throw new Error('TEST_DATABASE_URL is not set');
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  const db = `kzqa_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  await admin.query(`CREATE DATABASE ${db}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${db}`;
  const pools: SqlClient[] = [];
  const connect = () => {
    const pool = createPgClient(url.toString(), { max: 4 });
    pools.push(pool);
    return pool;
  };
  return {
    name,
    client: connect(),
    url: url.toString(),
    connect,
    drop: async () => {
      for (const pool of pools) await pool.close().catch(() => {});
      await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Publishes a file-backend index (opened from `config`) into `client`. */
export function publishLoaded(client: SqlClient, config: Config, loaded: LoadedIndex) {
  return publishIndex(client, {
    ...loaded,
    buildDir: join(resolve(config.INDEX_DIR), loaded.manifest.buildId),
  });
}

/** The databases this run can test against. */
export const DATABASES: ReadonlyArray<'pglite' | 'server'> = SERVER_URL ? ['pglite', 'server'] : ['pglite'];
