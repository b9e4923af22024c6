import { serve } from '@hono/node-server';
import { printProgress } from './cli/open.node.ts';
import { loadConfig } from './core/config.ts';
import { createApp } from './http/app.ts';
import { openOrBuildIndex } from './index/load-index.node.ts';
import { createQaService } from './retrieve/engine.ts';

/**
 * Node entry point: parse the environment, open (or build) the index, serve the HTTP API.
 */
async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig(process.env);
  const log = (entry: Record<string, unknown>) => {
    if (config.LOG_LEVEL !== 'silent')
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  };
  const { index, manifest, rebuilt } = await openOrBuildIndex(config, {
    onProgress: printProgress,
    onRebuild: (reason) => log({ level: 'info', msg: 'building index', reason: reason.detail }),
  });
  const service = createQaService(index);
  const app = createApp({ service, config, log });
  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    log({
      level: 'info',
      msg: `listening on http://${config.HOST}:${info.port}`,
      passages: manifest.passageCount,
      model: manifest.model.id,
      rebuilt,
      startupMs: Math.round(performance.now() - started),
    });
  });
  const shutdown = (signal: string) => {
    log({ level: 'info', msg: `${signal}: closing` });
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
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
