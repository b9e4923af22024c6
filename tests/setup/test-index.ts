import { DEFAULT_MODEL_ID, loadConfig } from '../../src/core/config.ts';
import { openIndex } from '../../src/index/load-index.node.ts';

/**
 * Environment of the shared test index: the shipped corpus with the built-in model (fast to build, always
 * available), indexed under .tmp/ (gitignored). Suites about behaviour use it.
 */
export const TEST_INDEX_ENV = {
  CORPUS_DIR: 'corpus',
  INDEX_DIR: '.tmp/test-index',
  MODELS_DIR: 'models',
  EMBEDDING_MODEL: 'builtin-static',
  AUTO_BUILD: 'false',
  LOG_LEVEL: 'silent',
};

/** The same corpus with the default pretrained model, for the suites about retrieval quality. */
export const PRETRAINED_INDEX_ENV = {
  ...TEST_INDEX_ENV,
  INDEX_DIR: '.tmp/test-index-pretrained',
  EMBEDDING_MODEL: DEFAULT_MODEL_ID,
  EMBEDDING_FALLBACK: 'none',
};

/** Where this machine keeps downloads and the converter toolchain (the only outside settings tests take). */
export const machineEnv = (): Record<string, string> =>
  Object.fromEntries(
    ['HOME', 'XDG_CACHE_HOME', 'MODEL_CACHE_DIR', 'PYTHON']
      .map((key) => [key, process.env[key]])
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1] !== ''),
  );

export const testConfig = () => loadConfig({ ...machineEnv(), ...TEST_INDEX_ENV });

/** Opens the index built by the global setup (never rebuilds: AUTO_BUILD is off). */
export const openTestIndex = () => openIndex(testConfig());

/** Opens the pretrained-model index built by the global setup. */
export const openPretrainedIndex = () => openIndex(loadConfig({ ...machineEnv(), ...PRETRAINED_INDEX_ENV }));

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the default pretrained model could not be had (its suites are skipped), or '' when it is there. */
    pretrainedUnavailable: string;
  }
}
