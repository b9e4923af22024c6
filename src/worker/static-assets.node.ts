import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../core/config.ts';
import { loadAssets } from '../http/assets.node.ts';
import { exportIndex } from '../index/export-index.node.ts';
import type { LoadedIndex } from '../index/load-index.node.ts';
import { STATIC_FILES, WORKER_ASSET_DIRS } from './assets.ts';

/**
 * Writes the Worker's assets directory: the index export under `index/` and the browser files (the
 * widget bundle, Swagger UI) under `static/`. Run in Node at build time, never by the Worker.
 */
export async function writeWorkerAssets(config: Config, loaded: LoadedIndex, outDir: string) {
  const exported = await exportIndex(config, loaded, join(resolve(outDir), WORKER_ASSET_DIRS.index));
  const staticDir = join(resolve(outDir), WORKER_ASSET_DIRS.static);
  await mkdir(staticDir, { recursive: true });
  const assets = await loadAssets();
  for (const [key, name] of Object.entries(STATIC_FILES))
    await writeFile(join(staticDir, name), assets[key as keyof typeof STATIC_FILES]);
  return exported;
}
