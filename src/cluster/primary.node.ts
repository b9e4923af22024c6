import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../core/config.ts';
import { startRetention } from '../feedback/recording.ts';
import { createSqliteFeedbackStore } from '../feedback/sqlite-store.node.ts';
import { type LoadedIndex, openOrBuildIndex } from '../index/load-index.node.ts';
import { openOrBuildDatabaseIndex } from '../index/postgres/build.node.ts';
import { openDatabaseIndex } from '../index/postgres/open.node.ts';
import { databaseClient } from '../index/postgres/replica.node.ts';
import { createReindexer } from '../index/reindex.node.ts';
import { watchCorpus } from '../index/watch.node.ts';
import { withHugePages } from './huge-pages.ts';
import { SWAP_MESSAGE } from './remote-admin.ts';
import { serveRpc } from './rpc.ts';
import { createSharedStoreHost } from './shared-stores.ts';

type Log = (entry: Record<string, unknown>) => void;

/** Environment a worker is forked with: the resolved model and why any fallback happened. */
export const WORKER_ENV = { modelStatus: 'KZQA_MODEL_STATUS' } as const;

/** A worker that dies this soon after it was forked counts as a crash loop, not a one-off. */
const QUICK_DEATH_MS = 10_000;
const MAX_QUICK_DEATHS = 5;

/**
 * The cluster's primary: builds the index once (workers only open it), forks `workers` server processes
 * sharing the port, holds the state they share (rate limits, signatures, bot conversations) and runs
 * rebuilds, telling every worker to swap when one succeeds. It serves no requests itself.
 */
export async function runPrimary(options: {
  config: Config;
  modelStatus: { requested: string; fallbackReason?: string };
  workers: number;
  log: Log;
  buildOptions: Parameters<typeof openOrBuildIndex>[1];
}): Promise<void> {
  const { config, log, workers } = options;
  const started = performance.now();
  const database = config.DATABASE_URL ? databaseClient(config) : undefined;
  // Built (or checked) here once; the loaded copy is dropped, each worker maps its own.
  let opened: LoadedIndex | undefined = database
    ? await openOrBuildDatabaseIndex(config, database, options.buildOptions)
    : await openOrBuildIndex(config, options.buildOptions);
  const { manifest } = opened;
  opened = undefined;

  const broadcast = () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.send(SWAP_MESSAGE);
  };
  const reindexer = createReindexer({
    config,
    log,
    swap: () => broadcast(),
    ...(database ? { open: () => openDatabaseIndex(config, database) } : {}),
  });
  const stores = createSharedStoreHost();
  const handle = (target: string, method: string, args: unknown[], now: number) => {
    if (target !== 'admin') return stores(target, method, args, now);
    if (method === 'reindex') return reindexer.reindex();
    if (method === 'status') return reindexer.status();
    throw new Error(`no admin method "${method}"`);
  };
  if (config.WATCH) {
    watchCorpus(config.CORPUS_DIR, {
      debounceMs: config.WATCH_DEBOUNCE_MS,
      onChange: (files) => {
        log({ level: 'info', msg: 'corpus changed; rebuilding', files });
        reindexer.reindex();
      },
    });
  }
  // Opened (and migrated) here before any worker opens it; retention runs in this process only.
  const store = config.ANALYTICS_ENABLED ? createSqliteFeedbackStore(config.ANALYTICS_DB) : undefined;
  const stopRetention = store ? startRetention(store, config.ANALYTICS_RETENTION_DAYS, { log }) : undefined;

  const env = {
    [WORKER_ENV.modelStatus]: JSON.stringify(options.modelStatus),
    EMBEDDING_MODEL: config.EMBEDDING_MODEL,
    // The index is current (built above); a worker never builds, the primary does.
    AUTO_BUILD: 'false',
    WATCH: 'false',
    // glibc reads its tunables at process start: a fork is the moment to set them.
    ...(config.HUGE_PAGES === 'on' ? { GLIBC_TUNABLES: withHugePages(config.GLIBC_TUNABLES) } : {}),
  };
  let stopping = false;
  let quickDeaths = 0;
  const fork = (): Worker => {
    const worker = cluster.fork(env);
    const forkedAt = Date.now();
    serveRpc(worker, handle);
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      quickDeaths = Date.now() - forkedAt < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
      log({ level: 'error', msg: 'worker exited; starting another', pid: worker.process.pid, code, signal });
      if (quickDeaths >= MAX_QUICK_DEATHS) {
        log({ level: 'error', msg: `workers keep dying at start (${quickDeaths} in a row); stopping` });
        void shutdown('crash loop', 1);
        return;
      }
      setTimeout(fork, 200 * quickDeaths);
    });
    return worker;
  };
  for (let i = 0; i < workers; i++) fork();
  log({
    level: 'info',
    msg: `primary: ${workers} workers on port ${config.PORT}`,
    workers,
    passages: manifest.passageCount,
    model: manifest.model.id,
    startupMs: Math.round(performance.now() - started),
  });

  const shutdown = async (reason: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log({ level: 'info', msg: `${reason}: stopping workers` });
    // Each worker drains its own connections on SIGTERM (SHUTDOWN_TIMEOUT_MS), then exits.
    const exits = Object.values(cluster.workers ?? {}).map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (!worker || worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    // A rebuild in progress is stopped, not left to write into INDEX_DIR after this process has gone.
    await reindexer.stop();
    stopRetention?.();
    await store?.close();
    await database?.close().catch(() => {});
    process.exit(code);
  };
  process.on('SIGHUP', () => reindexer.reindex());
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}
