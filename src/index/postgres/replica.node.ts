import type { Config } from '../../core/config.ts';
import type { IndexBackendStatus } from '../types.ts';
import { createPgClient } from './client.node.ts';
import { currentVersion, type DatabaseIndex, openDatabaseIndex } from './open.node.ts';
import type { SqlClient } from './sql.ts';

/** A pool on DATABASE_URL with the configured limits and timeouts. */
export function databaseClient(config: Config): SqlClient {
  if (!config.DATABASE_URL) throw new Error('DATABASE_URL is not set');
  return createPgClient(config.DATABASE_URL, {
    max: config.DB_POOL_MAX,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    idleTimeoutMs: config.DB_IDLE_TIMEOUT_MS,
  });
}

/**
 * Keeps a replica on the published version: every DB_POLL_INTERVAL_MS it reads `kzqa_current`; a new
 * version is opened and handed to `swap` (requests in flight finish on the old one, which the builder
 * keeps for a while). The same poll is the health check: a database that does not answer marks the
 * replica unavailable until it answers again; the pool reconnects by itself.
 */
export function watchDatabase(options: {
  config: Config;
  client: SqlClient;
  version: number;
  swap: (loaded: DatabaseIndex) => void;
  log: (entry: Record<string, unknown>) => void;
}): { status(): IndexBackendStatus; check(): Promise<void>; stop(): void } {
  let version = options.version;
  let database: NonNullable<IndexBackendStatus['database']> = {
    status: 'ok',
    checkedAt: new Date().toISOString(),
  };
  let running: Promise<void> | undefined;

  async function poll(): Promise<void> {
    const checkedAt = new Date().toISOString();
    try {
      const published = await currentVersion(options.client);
      if (database.status !== 'ok') options.log({ level: 'info', msg: 'database reachable again' });
      database = { status: 'ok', checkedAt };
      if (published !== undefined && published !== version) {
        const loaded = await openDatabaseIndex(options.config, options.client, published);
        options.swap(loaded);
        options.log({
          level: 'info',
          msg: 'serving new index version',
          version: published,
          previous: version,
        });
        version = published;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/DATABASE_UNAVAILABLE/.test(message)) {
        if (database.status === 'ok')
          options.log({ level: 'error', msg: 'database unreachable', error: message });
        database = { status: 'unavailable', checkedAt, error: message };
      } else {
        // A version that fails to open (another model, a half-dropped table) leaves the current one serving.
        options.log({ level: 'error', msg: 'could not open the published index version', error: message });
      }
    }
  }

  const check = () => {
    running ??= poll().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(check, options.config.DB_POLL_INTERVAL_MS);
  timer.unref();
  return {
    status: () => ({ backend: 'postgres', version, database }),
    check,
    stop: () => clearInterval(timer),
  };
}
