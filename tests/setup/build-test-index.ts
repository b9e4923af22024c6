import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/core/config.ts';
import { openOrBuildIndex } from '../../src/index/load-index.node.ts';
import { browserAvailable, browserRequired, MISSING_BROWSER } from './browser.ts';
import { TEST_INDEX_ENV } from './test-index.ts';

/** Builds (or reuses, when still current) the index of the shipped corpus that integration suites share. */
export default async function setup(_project: TestProject): Promise<void> {
  const started = performance.now();
  const { rebuilt, manifest } = await openOrBuildIndex(loadConfig({ ...TEST_INDEX_ENV, AUTO_BUILD: 'true' }));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(
    `test index: ${manifest.passageCount} passages, ${rebuilt ? 'built' : 'reused'} in ${seconds} s\n`,
  );
  if (!browserAvailable) {
    process.stderr.write(
      browserRequired
        ? `browser tests: ${MISSING_BROWSER}; they will fail (CI requires them)\n`
        : `browser tests SKIPPED: ${MISSING_BROWSER}\n`,
    );
  }
}
