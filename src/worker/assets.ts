import { AppError } from '../core/errors.ts';

/** Where the Worker's assets live: the index export under `index/`, browser files under `static/`. */
export const WORKER_ASSET_DIRS = { index: 'index', static: 'static' } as const;

/** Browser files the pages need (`StaticAssets`), by their file name under `static/`. */
export const STATIC_FILES = {
  widget: 'widget.js',
  swaggerCss: 'swagger-ui.css',
  swaggerBundle: 'swagger-ui-bundle.js',
} as const;

/** The `ASSETS` binding: static files deployed with the Worker, reachable only through it. */
export interface AssetFetcher {
  fetch(request: Request): Promise<Response>;
}

/** Reads one deployed asset (the host is ignored by the binding); INDEX_MISSING when it is not there. */
export async function readAsset(assets: AssetFetcher, path: string): Promise<Uint8Array> {
  const response = await assets.fetch(new Request(`https://assets.invalid/${path}`));
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError(
      'INDEX_MISSING',
      `Asset ${path} is missing (${response.status}); run \`npm run build:worker\` before deploying`,
    );
  }
  return new Uint8Array(await response.arrayBuffer());
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** One JSON line per entry on the console (Workers Logs), below LOG_LEVEL dropped. */
export function workerLog(level: string): (entry: Record<string, unknown>) => void {
  const min = LEVELS.indexOf(level as (typeof LEVELS)[number]);
  return (entry) => {
    if (min < 0) return;
    const at = LEVELS.indexOf((entry.level as (typeof LEVELS)[number]) ?? 'info');
    if (at >= min) console.log(JSON.stringify(entry));
  };
}
