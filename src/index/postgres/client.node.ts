import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';
import type { SqlClient } from './sql.ts';

/** Pool limits and timeouts (from DB_* in the configuration). */
export interface PoolOptions {
  /** Connections this process opens at most. */
  max: number;
  /** Giving up on opening a connection after this many milliseconds. */
  connectTimeoutMs: number;
  /** The server cancels a statement running longer than this. */
  statementTimeoutMs: number;
  /** An idle connection is closed after this many milliseconds. */
  idleTimeoutMs: number;
}

export const DEFAULT_POOL_OPTIONS: PoolOptions = {
  max: 10,
  connectTimeoutMs: 5000,
  statementTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
};

type Queryable = Pick<PoolClient, 'query'>;

function onConnection(conn: Queryable, release?: () => void): SqlClient {
  const self: SqlClient = {
    query: async <T>(text: string, params?: readonly unknown[]) => {
      const result = await conn.query(text, params as unknown[] | undefined);
      return { rows: result.rows as T[] };
    },
    exec: async (text) => {
      await conn.query(text);
    },
    transaction: async (fn) => {
      await conn.query('BEGIN');
      try {
        const out = await fn(self);
        await conn.query('COMMIT');
        return out;
      } catch (error) {
        await conn.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    session: (fn) => fn(self),
    close: async () => release?.(),
  };
  return self;
}

/**
 * A `pg` pool on DATABASE_URL; connections that die are replaced on the next query, so a replica recovers.
 * `pg` is imported with the first query, so a server on the file backend never loads it.
 */
export function createPgClient(url: string, options: Partial<PoolOptions> = {}): SqlClient {
  const opts = { ...DEFAULT_POOL_OPTIONS, ...options };
  let opened: Promise<Pool> | undefined;
  const open = () =>
    (opened ??= import('pg').then(({ default: pg }) => {
      const pool = new pg.Pool({
        connectionString: url,
        max: opts.max,
        connectionTimeoutMillis: opts.connectTimeoutMs,
        idleTimeoutMillis: opts.idleTimeoutMs,
        statement_timeout: opts.statementTimeoutMs,
        // A server that vanishes without closing the socket (network cut) is noticed within this.
        query_timeout: opts.statementTimeoutMs + opts.connectTimeoutMs,
        keepAlive: true,
      });
      // An idle connection whose server goes away emits an error; the pool drops it and opens a new one later.
      pool.on('error', () => {});
      return pool;
    }));
  const withConnection = async <T>(fn: (conn: SqlClient) => Promise<T>): Promise<T> => {
    const conn = await (await open()).connect();
    let broken = false;
    try {
      return await fn(onConnection(conn));
    } catch (error) {
      broken = (error as { code?: string }).code === undefined;
      throw error;
    } finally {
      // A connection that failed below the SQL level is not given back to serve another request.
      conn.release(broken);
    }
  };
  return {
    query: async <T>(text: string, params?: readonly unknown[]) => {
      const result = await (await open()).query(text, params as unknown[] | undefined);
      return { rows: result.rows as T[] };
    },
    exec: (text) => withConnection((c) => c.exec(text)),
    transaction: (fn) => withConnection((c) => c.transaction(fn)),
    session: withConnection,
    // A pool never used has nothing to end.
    close: async () => {
      if (opened) await (await opened).end();
    },
  };
}

/** PGlite (PostgreSQL in WebAssembly, in this process) with pgvector: one connection, for tests. */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient & { db: PGlite }> {
  const [{ PGlite }, { vector }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/vector'),
  ]);
  const db = await PGlite.create({ dataDir, extensions: { vector } });
  // PGlite runs one statement at a time; a transaction holds it, so nested calls must use `tx`.
  const self: SqlClient & { db: PGlite } = {
    db,
    query: async <T>(text: string, params?: readonly unknown[]) => {
      const result = await db.query<T>(text, params as unknown[] | undefined);
      return { rows: result.rows };
    },
    exec: async (text) => {
      await db.exec(text);
    },
    transaction: (fn) =>
      db.transaction(async (tx) => {
        const inner: SqlClient = {
          query: async <T>(text: string, params?: readonly unknown[]) => ({
            rows: (await tx.query<T>(text, params as unknown[] | undefined)).rows,
          }),
          exec: async (text) => {
            await tx.exec(text);
          },
          transaction: (nested) => nested(inner),
          session: (nested) => nested(inner),
          close: async () => {},
        };
        return fn(inner);
      }),
    session: (fn) => fn(self),
    close: () => db.close(),
  };
  return self;
}
