import type { Hono } from 'hono';
import { createBotRoutes } from './bots/routes.ts';
import { BUILTIN_MODEL_ID, loadConfig } from './core/config.ts';
import { AppError } from './core/errors.ts';
import { createApp } from './http/app.ts';
import { errorBody } from './http/errors.ts';
import type { Env } from './http/openapi.ts';
import type { StaticAssets } from './http/pages.ts';
import { openIndexExport } from './index/export.ts';
import { createQaService } from './retrieve/engine.ts';
import { type AssetFetcher, readAsset, STATIC_FILES, WORKER_ASSET_DIRS, workerLog } from './worker/assets.ts';
import { createDurableStores, EdgeState, type StateNamespace } from './worker/state.ts';

export { EdgeState };

/** The Worker's bindings (wrangler.toml) and variables; every string variable is read as configuration. */
export interface WorkerEnv {
  /** The index export and browser files (`npm run build:worker`), never served to the public directly. */
  ASSETS: AssetFetcher;
  /** Bot conversations, signatures seen, Telegram update ids and rate-limit buckets. */
  STATE: StateNamespace;
  [variable: string]: unknown;
}

/** Only plain string bindings are configuration (secrets and `[vars]`); bindings such as ASSETS are not. */
function variables(env: WorkerEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * Wires the Workers adapters into the same app the Node entry serves: the index export read from ASSETS
 * (exact dense search and the built-in model's query embedding in TypeScript), state in a Durable Object,
 * the client address from `CF-Connecting-IP`. No admin routes: the index is rebuilt and redeployed.
 */
async function createWorkerApp(env: WorkerEnv): Promise<Hono<Env>> {
  const started = performance.now();
  const config = loadConfig(variables(env));
  const log = workerLog(config.LOG_LEVEL);
  const { index, manifest } = await openIndexExport((name) =>
    readAsset(env.ASSETS, `${WORKER_ASSET_DIRS.index}/${name}`),
  );
  const requested = config.EMBEDDING_MODEL;
  const modelStatus =
    requested === BUILTIN_MODEL_ID
      ? { requested }
      : {
          requested,
          fallbackReason:
            `${requested} cannot run on Workers (no ONNX runtime here, and Workers AI does not offer it); ` +
            `serving with ${BUILTIN_MODEL_ID}`,
        };
  const service = createQaService(index, { modelStatus });
  const stores = createDurableStores(env.STATE);
  const staticFile = async (name: string) =>
    new TextDecoder().decode(await readAsset(env.ASSETS, `${WORKER_ASSET_DIRS.static}/${name}`));
  const assets: StaticAssets = {
    widget: await staticFile(STATIC_FILES.widget),
    swaggerCss: await staticFile(STATIC_FILES.swaggerCss),
    swaggerBundle: await staticFile(STATIC_FILES.swaggerBundle),
  };
  const bots = createBotRoutes({ service, config, log, ...stores.bots });
  const app = createApp({
    service,
    config,
    log,
    bots,
    assets,
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    rateLimiter: stores.rateLimiter,
  });
  log({
    level: 'info',
    msg: 'worker ready',
    passages: manifest.passageCount,
    model: manifest.model.id,
    startupMs: Math.round(performance.now() - started),
  });
  return app;
}

let app: Promise<Hono<Env>> | undefined;

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: unknown): Promise<Response> {
    app ??= createWorkerApp(env);
    let ready: Hono<Env>;
    try {
      ready = await app;
    } catch (error) {
      // Not cached: the next request tries again (a deploy in progress, a transient ASSETS failure).
      app = undefined;
      const known = error instanceof AppError;
      console.error(JSON.stringify({ level: 'error', msg: 'worker start failed', error: String(error) }));
      return Response.json(
        errorBody(known ? error.code : 'NOT_READY', known ? error.message : 'The service is starting'),
        { status: 503, headers: { 'retry-after': '5' } },
      );
    }
    return ready.fetch(request, env, ctx as never);
  },
};
