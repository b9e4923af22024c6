import { mkdir, mkdtemp } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Config } from '../../core/config.ts';
import { AppError, isAppError } from '../../core/errors.ts';
import { removeDir } from '../../core/files.node.ts';
import { type BuildOptions, buildIndex } from '../build-index.node.ts';
import { openIndex } from '../load-index.node.ts';
import { type DatabaseIndex, databaseStaleReasons, openDatabaseIndex } from './open.node.ts';
import { type PublishOptions, publishIndex } from './publish.node.ts';
import type { SqlClient } from './sql.ts';

/**
 * Builds the index of the configured corpus and model (the same pipeline as the file backend, into a
 * scratch directory) and publishes it to the database as a new version.
 */
export async function buildDatabaseIndex(
  config: Config,
  client: SqlClient,
  options: BuildOptions & Partial<PublishOptions> = {},
): Promise<{ version: number; passages: number }> {
  await mkdir(resolve(config.INDEX_DIR), { recursive: true });
  const scratch = await mkdtemp(join(resolve(config.INDEX_DIR), '.database-build-'));
  try {
    const fileConfig = Object.freeze({ ...config, INDEX_DIR: scratch });
    const { buildDir } = await buildIndex(fileConfig, options);
    const built = await openIndex(fileConfig);
    const { version } = await publishIndex(client, { ...built, buildDir }, options);
    return { version, passages: built.manifest.passageCount };
  } finally {
    await removeDir(scratch);
  }
}

const REBUILDABLE = new Set(['INDEX_MISSING', 'INDEX_STALE', 'INDEX_CORRUPT']);

/**
 * Opens the published version; when there is none, or it was built from another corpus or model, builds
 * and publishes one first if AUTO_BUILD allows (the lock makes concurrent starters take turns).
 */
export async function openOrBuildDatabaseIndex(
  config: Config,
  client: SqlClient,
  options: BuildOptions & { onRebuild?: (reason: AppError) => void } = {},
): Promise<DatabaseIndex & { rebuilt: boolean }> {
  try {
    const opened = await openDatabaseIndex(config, client);
    const reasons = await databaseStaleReasons(config, opened);
    if (reasons.length === 0) return { ...opened, rebuilt: false };
    throw new AppError('INDEX_STALE', `The published index is out of date: ${reasons.join('; ')}`, {
      details: reasons,
    });
  } catch (error) {
    if (!isAppError(error) || !REBUILDABLE.has(error.code) || !config.AUTO_BUILD) throw error;
    options.onRebuild?.(error);
  }
  await buildDatabaseIndex(config, client, options);
  return { ...(await openDatabaseIndex(config, client)), rebuilt: true };
}
