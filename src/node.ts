import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import pino from 'pino';
import { createBotFeedback } from './bots/feedback.ts';
import { createBotRoutes } from './bots/routes.ts';
import { printProgress } from './cli/open.node.ts';
import { runPrimary, WORKER_ENV } from './cluster/primary.node.ts';
import { createRemoteAdmin, isSwapMessage } from './cluster/remote-admin.ts';
import { type Channel, createRpcClient, type RpcCall } from './cluster/rpc.ts';
import { botStores, createSharedStoreClients } from './cluster/shared-stores.ts';
import { type Config, loadConfig } from './core/config.ts';
import { resolveEmbeddingModel } from './embed/resolve-model.node.ts';
import { createRecordingService, startRetention } from './feedback/recording.ts';
import { createSqliteFeedbackStore } from './feedback/sqlite-store.node.ts';
import { createApp } from './http/app.ts';
import { loadAssets } from './http/assets.node.ts';
import { createProxyCheck } from './http/client-address.ts';
import { createMetrics } from './http/metrics.ts';
import { createHttpServer } from './http/server.node.ts';
import { createDocumentStore } from './index/document-store.node.ts';
import { shareFirstPass } from './index/lexical-threads.node.ts';
import { type LoadedIndex, openIndex, openOrBuildIndex } from './index/load-index.node.ts';
import { openOrBuildDatabaseIndex } from './index/postgres/build.node.ts';
import { openDatabaseIndex } from './index/postgres/open.node.ts';
import { databaseClient, watchDatabase } from './index/postgres/replica.node.ts';
import { createReindexer } from './index/reindex.node.ts';
import type { SearchIndex } from './index/search-index.ts';
import type { IndexBackendStatus } from './index/types.ts';
import { watchCorpus } from './index/watch.node.ts';
import { createQaService } from './retrieve/engine.ts';
import type { HealthReport, QaService } from './retrieve/types.ts';

const VERSION = '0.1.0';

type Log = (entry: Record<string, unknown>) => void;
type ModelStatus = { requested: string; fallbackReason?: string };

const FILES_BACKEND: IndexBackendStatus = Object.freeze({ backend: 'files' });

/** A database watcher replaces its state object on every check; the version is a number. */
const sameBackendState = (a: IndexBackendStatus, b: IndexBackendStatus) =>
  a.backend === b.backend && a.version === b.version && a.database === b.database;

function createLog(level: Config['LOG_LEVEL']) {
  const logger = pino({ level, base: { service: 'kz-retrieval-qa', pid: process.pid } });
  const log: Log = (entry) => {
    const { level, msg, ...rest } = entry;
    const method =
      level === 'error' ? 'error' : level === 'warn' ? 'warn' : level === 'debug' ? 'debug' : 'info';
    logger[method](rest, typeof msg === 'string' ? msg : 'request');
  };
  return { logger, log };
}

/**
 * Node entry point: parse the environment, resolve the model, then either serve from this process
 * (WORKERS=1) or start a cluster primary that builds the index once and forks one server per core; a
 * forked worker serves with the state it shares held by the primary.
 */
async function main(): Promise<void> {
  const started = performance.now();
  const baseConfig = loadConfig(process.env);
  const { logger, log } = createLog(baseConfig.LOG_LEVEL);
  if (cluster.isWorker) {
    const modelStatus = JSON.parse(process.env[WORKER_ENV.modelStatus] ?? '{}') as ModelStatus;
    return serve({
      config: baseConfig,
      modelStatus,
      log,
      started,
      cluster: createRpcClient(process as Channel),
    });
  }
  const { config, status: modelStatus } = await resolveEmbeddingModel(baseConfig, {
    log: (line) => {
      if (baseConfig.LOG_LEVEL !== 'silent') process.stderr.write(`${line}\n`);
    },
    warn: (message, reason) => logger.error({ reason }, message),
  });
  const buildOptions = {
    onProgress: config.LOG_LEVEL === 'silent' ? undefined : printProgress,
    onRebuild: (reason: { detail: string }) =>
      log({ level: 'info', msg: 'building index', reason: reason.detail }),
  };
  const workers = config.WORKERS || availableParallelism();
  if (workers > 1) return runPrimary({ config, modelStatus, workers, log, buildOptions });
  return serve({ config, modelStatus, log, started, buildOptions });
}

/**
 * One server process: open the index (building it when allowed), serve the HTTP API, swap in rebuilt
 * indexes, drain and exit on SIGTERM. Alone, it rebuilds itself (`POST /admin/reindex`, SIGHUP, WATCH);
 * as a cluster worker (`cluster` set), rebuilds, watching and retention are the primary's, and rate
 * limits and bot state are shared through it.
 */
async function serve(options: {
  config: Config;
  modelStatus: ModelStatus;
  log: Log;
  started: number;
  buildOptions?: Parameters<typeof openOrBuildIndex>[1];
  cluster?: RpcCall;
}): Promise<void> {
  const { config, modelStatus, log, started } = options;
  // DATABASE_URL selects the PostgreSQL backend; otherwise the index lives in files under INDEX_DIR.
  const database = config.DATABASE_URL ? databaseClient(config) : undefined;
  const opened: LoadedIndex & { rebuilt: boolean; version?: number } = database
    ? await openOrBuildDatabaseIndex(config, database, options.buildOptions ?? {})
    : await openOrBuildIndex(config, options.buildOptions ?? {});
  const { index, manifest, rebuilt } = opened;
  const metrics = createMetrics(VERSION);
  const serve = (served: SearchIndex) => {
    shareFirstPass(served.lexical, config.LEXICAL_HELPER === 'on');
    return createQaService(served, { modelStatus });
  };
  let current = serve(index);
  const describe = (loaded: Pick<LoadedIndex, 'manifest'>) => ({
    passages: loaded.manifest.passageCount,
    documents: loaded.manifest.documentCount,
    model: loaded.manifest.model.id,
    builtAt: loaded.manifest.builtAt,
  });
  metrics.setIndex(describe({ manifest }));
  // Each request uses the service current when it starts; a swap never disturbs one in flight.
  const swap = (loaded: LoadedIndex) => {
    current = serve(loaded.index);
    metrics.setIndex(describe(loaded));
  };
  // A replica follows the versions builders publish to the database (its own reindex included).
  const watcher =
    database && opened.version !== undefined
      ? watchDatabase({ config, client: database, version: opened.version, swap, log })
      : undefined;
  const backendStatus = (): IndexBackendStatus => watcher?.status() ?? FILES_BACKEND;
  // The health report changes only with the index or the backend's state: made once per change, so that
  // a probe neither rebuilds nor (see routes/ops.ts) re-serialises it.
  let health: { of: QaService; backend: IndexBackendStatus; report: HealthReport } | undefined;
  const service: QaService = {
    ask: (request) => current.ask(request),
    listDocuments: () => current.listDocuments(),
    getDocument: (id) => current.getDocument(id),
    getPassage: (id) => current.getPassage(id),
    getDocumentText: (id) => current.getDocumentText(id),
    listSkipped: () => current.listSkipped(),
    health: () => {
      const backend = backendStatus();
      if (health?.of !== current || !sameBackendState(health.backend, backend))
        health = { of: current, backend, report: { ...current.health(), index: backend } };
      return health.report;
    },
  };
  const shared = options.cluster ? createSharedStoreClients(options.cluster) : undefined;
  const control = options.cluster
    ? createRemoteAdmin(options.cluster)
    : createReindexer({
        config,
        log,
        swap: (loaded) => {
          swap(loaded);
          void watcher?.check();
        },
        ...(database ? { open: () => openDatabaseIndex(config, database) } : {}),
      });
  if (options.cluster) {
    // The primary built a new index: files are reopened here; a database replica checks its version.
    process.on('message', (message) => {
      if (!isSwapMessage(message)) return;
      if (watcher) return void watcher.check();
      openIndex(config, { published: true }).then(swap, (error: unknown) =>
        log({
          level: 'error',
          msg: 'cannot open the rebuilt index; still serving the previous one',
          error: String(error),
        }),
      );
    });
  }
  const admin = {
    ...control,
    documents: createDocumentStore({
      config,
      reindex: () => control.reindex(),
      sourceOf: (id) => {
        const source = current.getDocument(id)?.source;
        if (!source) return undefined;
        return {
          source,
          ids: current
            .listDocuments()
            .filter((d) => d.source === source)
            .map((d) => d.id),
        };
      },
    }),
  };
  if (config.WATCH && !options.cluster) {
    watchCorpus(config.CORPUS_DIR, {
      debounceMs: config.WATCH_DEBOUNCE_MS,
      onChange: (files) => {
        log({ level: 'info', msg: 'corpus changed; rebuilding', files });
        void control.reindex();
      },
    });
  }

  const store = config.ANALYTICS_ENABLED ? createSqliteFeedbackStore(config.ANALYTICS_DB) : undefined;
  const stopRetention =
    store && !options.cluster ? startRetention(store, config.ANALYTICS_RETENTION_DAYS, { log }) : undefined;
  const bots = createBotRoutes({
    service,
    config,
    log,
    ...(store ? { feedback: createBotFeedback(store, { log }) } : {}),
    ...(shared ? botStores(shared) : {}),
  });
  const assets = await loadAssets();
  const app = createApp({
    service: store ? createRecordingService(service, store, { channel: 'web', log }) : service,
    config,
    log,
    admin,
    metrics,
    bots,
    assets,
    ...(shared ? { rateLimiter: (perMinute: number) => shared.rateLimiter(perMinute) } : {}),
    ...(store ? { feedback: { store, retentionDays: config.ANALYTICS_RETENTION_DAYS } } : {}),
  });
  const http = createHttpServer({
    fetch: app.fetch,
    log,
    metrics,
    isTrustedProxy: createProxyCheck(config.TRUST_PROXY),
    limits: {
      maxConnections: config.MAX_CONNECTIONS,
      maxConnectionsPerClient: config.MAX_CONNECTIONS_PER_CLIENT,
      maxHeaderBytes: config.MAX_HEADER_BYTES,
      headersTimeoutMs: config.HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: config.BODY_TIMEOUT_MS,
      keepAliveTimeoutMs: config.KEEP_ALIVE_TIMEOUT_MS,
      shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    },
  });
  const port = await http.listen(config.PORT, config.HOST);
  log({
    level: 'info',
    msg: `listening on http://${config.HOST}:${port}`,
    port,
    passages: manifest.passageCount,
    model: manifest.model.id,
    ...(modelStatus.fallbackReason ? { modelFallback: modelStatus.fallbackReason } : {}),
    rebuilt,
    index: backendStatus(),
    startupMs: Math.round(performance.now() - started),
    // From the process's start (imports included), and the part of it spent loading the embedding model.
    readyMs: Math.round(performance.now()),
    ...(opened.modelLoadMs !== undefined ? { modelLoadMs: Math.round(opened.modelLoadMs) } : {}),
    ...(options.cluster ? { worker: cluster.worker?.id } : {}),
  });

  if (!options.cluster) process.on('SIGHUP', () => void control.reindex());
  const shutdown = async (signal: string) => {
    log({ level: 'info', msg: `${signal}: finishing open connections`, connections: http.connections() });
    stopRetention?.();
    const { cut } = await http.shutdown();
    // A rebuild in progress is stopped, not left to write into INDEX_DIR after this process has gone.
    await control.stop();
    watcher?.stop();
    await database?.close().catch(() => {});
    if (cut) log({ level: 'warn', msg: `cut ${cut} connections still open after SHUTDOWN_TIMEOUT_MS` });
    // Closed only after the last request has finished, so no answer or verdict is lost.
    await store?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  // A worker whose primary is gone (killed without a chance to stop it) stops too.
  if (options.cluster) process.once('disconnect', () => shutdown('primary gone'));
  // A worker is stopped by its primary; Ctrl-C reaches the whole process group, the primary handles it.
  process.once('SIGINT', () => (options.cluster ? undefined : shutdown('SIGINT')));
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && error.name !== 'AppError' && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
