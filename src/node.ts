import pino from 'pino';
import { createBotFeedback } from './bots/feedback.ts';
import { createBotRoutes } from './bots/routes.ts';
import { printProgress } from './cli/open.node.ts';
import { loadConfig } from './core/config.ts';
import { resolveEmbeddingModel } from './embed/resolve-model.node.ts';
import { createRecordingService, startRetention } from './feedback/recording.ts';
import { createSqliteFeedbackStore } from './feedback/sqlite-store.node.ts';
import { createApp } from './http/app.ts';
import { loadAssets } from './http/assets.node.ts';
import { createProxyCheck } from './http/client-address.ts';
import { createMetrics } from './http/metrics.ts';
import { createHttpServer } from './http/server.node.ts';
import { createDocumentStore } from './index/document-store.node.ts';
import { type LoadedIndex, openOrBuildIndex } from './index/load-index.node.ts';
import { openOrBuildDatabaseIndex } from './index/postgres/build.node.ts';
import { openDatabaseIndex } from './index/postgres/open.node.ts';
import { databaseClient, watchDatabase } from './index/postgres/replica.node.ts';
import { createReindexer } from './index/reindex.node.ts';
import type { IndexBackendStatus } from './index/types.ts';
import { watchCorpus } from './index/watch.node.ts';
import { createQaService } from './retrieve/engine.ts';
import type { QaService } from './retrieve/types.ts';

const VERSION = '0.1.0';

/**
 * Node entry point: parse the environment, open (or build) the index, serve the HTTP API; rebuild in the
 * background on `POST /admin/reindex` or SIGHUP and swap atomically; drain and exit on SIGTERM.
 */
async function main(): Promise<void> {
  const started = performance.now();
  const baseConfig = loadConfig(process.env);
  const logger = pino({ level: baseConfig.LOG_LEVEL, base: { service: 'kz-retrieval-qa' } });
  const log = (entry: Record<string, unknown>) => {
    const { level, msg, ...rest } = entry;
    const method =
      level === 'error' ? 'error' : level === 'warn' ? 'warn' : level === 'debug' ? 'debug' : 'info';
    logger[method](rest, typeof msg === 'string' ? msg : 'request');
  };

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
  // DATABASE_URL selects the PostgreSQL backend; otherwise the index lives in files under INDEX_DIR.
  const database = config.DATABASE_URL ? databaseClient(config) : undefined;
  const opened: LoadedIndex & { rebuilt: boolean; version?: number } = database
    ? await openOrBuildDatabaseIndex(config, database, buildOptions)
    : await openOrBuildIndex(config, buildOptions);
  const { index, manifest, rebuilt } = opened;
  const metrics = createMetrics(VERSION);
  let current = createQaService(index, { modelStatus });
  const describe = (loaded: Pick<LoadedIndex, 'manifest'>) => ({
    passages: loaded.manifest.passageCount,
    documents: loaded.manifest.documentCount,
    model: loaded.manifest.model.id,
    builtAt: loaded.manifest.builtAt,
  });
  metrics.setIndex(describe({ manifest }));
  // Each request uses the service current when it starts; a swap never disturbs one in flight.
  const swap = (loaded: LoadedIndex) => {
    current = createQaService(loaded.index, { modelStatus });
    metrics.setIndex(describe(loaded));
  };
  // A replica follows the versions builders publish to the database (its own reindex included).
  const watcher =
    database && opened.version !== undefined
      ? watchDatabase({ config, client: database, version: opened.version, swap, log })
      : undefined;
  const backendStatus = (): IndexBackendStatus => watcher?.status() ?? { backend: 'files' };
  const service: QaService = {
    ask: (request) => current.ask(request),
    listDocuments: () => current.listDocuments(),
    getDocument: (id) => current.getDocument(id),
    getPassage: (id) => current.getPassage(id),
    getDocumentText: (id) => current.getDocumentText(id),
    listSkipped: () => current.listSkipped(),
    health: () => ({ ...current.health(), index: backendStatus() }),
  };
  const reindexer = createReindexer({
    config,
    log,
    swap: (loaded) => {
      swap(loaded);
      void watcher?.check();
    },
    ...(database ? { open: () => openDatabaseIndex(config, database) } : {}),
  });
  const admin = {
    ...reindexer,
    documents: createDocumentStore({
      config,
      reindex: () => reindexer.reindex(),
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
  if (config.WATCH) {
    watchCorpus(config.CORPUS_DIR, {
      debounceMs: config.WATCH_DEBOUNCE_MS,
      onChange: (files) => {
        log({ level: 'info', msg: 'corpus changed; rebuilding', files });
        reindexer.reindex();
      },
    });
  }

  const store = config.ANALYTICS_ENABLED ? createSqliteFeedbackStore(config.ANALYTICS_DB) : undefined;
  const stopRetention = store ? startRetention(store, config.ANALYTICS_RETENTION_DAYS, { log }) : undefined;
  const bots = createBotRoutes({
    service,
    config,
    log,
    ...(store ? { feedback: createBotFeedback(store, { log }) } : {}),
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
  });

  process.on('SIGHUP', () => admin.reindex());
  const shutdown = async (signal: string) => {
    log({ level: 'info', msg: `${signal}: finishing open connections`, connections: http.connections() });
    stopRetention?.();
    const { cut } = await http.shutdown();
    watcher?.stop();
    await database?.close().catch(() => {});
    if (cut) log({ level: 'warn', msg: `cut ${cut} connections still open after SHUTDOWN_TIMEOUT_MS` });
    // Closed only after the last request has finished, so no answer or verdict is lost.
    await store?.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  if (error instanceof Error && error.name !== 'AppError' && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
