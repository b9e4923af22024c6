import { loadConfig } from '../../src/core/config.ts';
import { openIndex } from '../../src/index/load-index.node.ts';

/** Environment of the shared test index: the shipped corpus, indexed under .tmp/ (gitignored). */
export const TEST_INDEX_ENV = {
  CORPUS_DIR: 'corpus',
  INDEX_DIR: '.tmp/test-index',
  MODELS_DIR: 'models',
  AUTO_BUILD: 'false',
  LOG_LEVEL: 'silent',
};

export const testConfig = () => loadConfig(TEST_INDEX_ENV);

/** Opens the index built by the global setup (never rebuilds: AUTO_BUILD is off). */
export const openTestIndex = () => openIndex(testConfig());
