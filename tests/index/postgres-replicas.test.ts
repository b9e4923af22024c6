import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedIndex } from '../../src/index/load-index.node.ts';
import { createPgClient } from '../../src/index/postgres/client.node.ts';
import { currentVersion, openDatabaseIndex } from '../../src/index/postgres/open.node.ts';
import { watchDatabase } from '../../src/index/postgres/replica.node.ts';
import type { SqlClient } from '../../src/index/postgres/sql.ts';
import { publishLoaded } from '../setup/database.ts';
import { exited, startServer } from '../setup/server.ts';
import { openTestIndex, TEST_INDEX_ENV, testConfig } from '../setup/test-index.ts';

/**
 * Versioned publishing, builders taking turns, replicas following versions, and replicas losing and
 * regaining the database, against a real PostgreSQL server of their own (scripts/postgres.sh), which these
 * tests stop and start. Skipped where no server can be started (set TEST_DATABASE_URL to run them: it
 * says a server is available on this machine, as in `.ci/run`).
 */
const enabled = !!process.env.TEST_DATABASE_URL;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The parts of /healthz and /v1/ask replies these tests read. */
interface Reply {
  error: { code: string };
  passages: unknown[];
  index?: { backend?: string; version?: number };
}

/** Polls `check` until it holds (a replica acts on its own clock), failing after `ms`. */
async function until(check: () => Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

const postgres = (action: string, dir: string) =>
  execFileSync('bash', ['scripts/postgres.sh', action, dir], { encoding: 'utf8' }).trim();

describe.skipIf(!enabled)('PostgreSQL index versions and replicas', () => {
  let dir: string;
  let url: string;
  let loaded: LoadedIndex;
  const pools: SqlClient[] = [];
  const pool = () => {
    const p = createPgClient(url, { max: 4, connectTimeoutMs: 2000, statementTimeoutMs: 60_000 });
    pools.push(p);
    return p;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kzqa-pg-'));
    url = postgres('start', dir);
    loaded = await openTestIndex();
  }, 300_000);
  afterAll(async () => {
    for (const p of pools) await p.close().catch(() => {});
    if (dir) {
      try {
        postgres('stop', dir);
      } catch {}
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('publishes by flipping one row: a replica sees the old version until the flip, then the new one', async () => {
    const builder = pool();
    const replica = pool();
    const first = await publishLoaded(builder, testConfig(), loaded);
    const opened = await openDatabaseIndex(testConfig(), replica);
    expect(opened.version).toBe(first.version);
    const swaps: number[] = [];
    const watcher = watchDatabase({
      config: testConfig(),
      client: replica,
      version: opened.version,
      swap: (next) => swaps.push((next as { version: number }).version),
      log: () => {},
    });
    try {
      const second = await publishIndexWithHook(builder, async (version) => {
        // Every row of the new version is written; until the flip replicas keep the old one.
        await watcher.check();
        expect(await currentVersion(replica)).toBe(first.version);
        expect(swaps).toEqual([]);
        const { rows } = await replica.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM kzqa_passages WHERE version_id = $1',
          [version],
        );
        expect(rows[0]?.n).toBe(loaded.manifest.passageCount);
      });
      await watcher.check();
      expect(swaps).toEqual([second.version]);
      expect(watcher.status()).toMatchObject({
        backend: 'postgres',
        version: second.version,
        database: { status: 'ok' },
      });
      // A third version retires the first (one previous version is kept for replicas still on it).
      const third = await publishLoaded(builder, testConfig(), loaded);
      const { rows } = await builder.query<{ id: string }>('SELECT id FROM kzqa_versions ORDER BY id');
      expect(rows.map((r) => Number(r.id))).toEqual([second.version, third.version]);
      const tables = await builder.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_tables WHERE tablename LIKE $1',
        [`kzqa\\_%vectors\\_${first.version}`],
      );
      expect(tables.rows[0]?.n).toBe(0);
    } finally {
      watcher.stop();
    }
  }, 600_000);

  it('lets two builders at once take turns under the advisory lock, never interleaving', async () => {
    const a = pool();
    const b = pool();
    const building: number[] = [];
    const hook = async () => {
      const { rows } = await a.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM kzqa_versions WHERE state = 'building'",
      );
      building.push(rows[0]?.n ?? -1);
    };
    const [x, y] = await Promise.all([publishIndexWithHook(a, hook), publishIndexWithHook(b, hook)]);
    expect(building).toEqual([1, 1]);
    expect(x.version).not.toBe(y.version);
    expect(await currentVersion(a)).toBe(Math.max(x.version, y.version));
    const opened = await openDatabaseIndex(testConfig(), a);
    expect(opened.index.passages).toEqual(loaded.index.passages);
  }, 600_000);

  it('serves from two processes that both follow a reindex, answers 503 without the database and recovers by itself', async () => {
    const env = {
      ...TEST_INDEX_ENV,
      DATABASE_URL: url,
      INDEX_DIR: join(dir, 'replica-files'),
      DB_POLL_INTERVAL_MS: '200',
      DB_CONNECT_TIMEOUT_MS: '1000',
      RATE_LIMIT_PER_MINUTE: '0',
      OPS_RATE_LIMIT_PER_MINUTE: '0',
    };
    if ((await currentVersion(pool())) === undefined) await publishLoaded(pool(), testConfig(), loaded);
    const ports = [await freePort(), await freePort()];
    const servers = await Promise.all(
      ports.map((port) => startServer(port, env, { startTimeoutMs: 300_000 })),
    );
    try {
      const health = async (port: number) => {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        return { status: r.status, body: (await r.json()) as Reply };
      };
      const ask = (port: number) =>
        fetch(`http://127.0.0.1:${port}/v1/ask`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ question: 'What characterizes the stage of consolidation of democracy?' }),
        });
      const before = (await health(ports[0] as number)).body.index?.version as number;
      expect((await health(ports[1] as number)).body.index).toMatchObject({
        backend: 'postgres',
        version: before,
      });

      const { version } = await publishLoaded(pool(), testConfig(), loaded);
      for (const port of ports) await until(async () => (await health(port)).body.index?.version === version);

      postgres('stop', dir);
      for (const port of ports) await until(async () => (await health(port)).status === 503, 30_000);
      for (const port of ports) {
        const h = await health(port);
        expect(h.status).toBe(503);
        expect(h.body.error.code).toBe('DATABASE_UNAVAILABLE');
        const r = await ask(port);
        expect(r.status).toBe(503);
        expect(((await r.json()) as Reply).error.code).toBe('DATABASE_UNAVAILABLE');
      }

      postgres('resume', dir);
      for (const port of ports) await until(async () => (await health(port)).status === 200, 30_000);
      for (const port of ports) {
        expect((await health(port)).status).toBe(200);
        const r = await ask(port);
        expect(r.status).toBe(200);
        expect(((await r.json()) as Reply).passages.length).toBeGreaterThan(0);
      }
    } finally {
      for (const s of servers) s.kill('SIGTERM');
      await Promise.all(servers.map(exited));
    }
  }, 600_000);

  async function publishIndexWithHook(client: SqlClient, beforeFlip: (version: number) => Promise<void>) {
    const { publishIndex } = await import('../../src/index/postgres/publish.node.ts');
    const { resolve } = await import('node:path');
    return publishIndex(
      client,
      { ...loaded, buildDir: join(resolve(testConfig().INDEX_DIR), loaded.manifest.buildId) },
      { beforeFlip },
    );
  }
});
