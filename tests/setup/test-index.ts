import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * A small corpus of other formats with the built-in model: a PDF (page spans), a saved web page, and a
 * truncated PDF the build skips. Its files are copied from tests/fixtures by {@link prepareMixedCorpus}.
 */
export const MIXED_INDEX_ENV = {
  ...TEST_INDEX_ENV,
  CORPUS_DIR: '.tmp/test-corpus-mixed',
  INDEX_DIR: '.tmp/test-index-mixed',
};

/** Fixture → corpus file name of the mixed corpus. */
const MIXED_CORPUS: ReadonlyArray<[string, string]> = [
  ['tests/fixtures/documents/electoral-reform.pdf', 'electoral-reform.pdf'],
  ['tests/fixtures/documents/public-councils.html', 'public-councils.html'],
  ['tests/fixtures/documents/bad/truncated.pdf', 'truncated.pdf'],
];

/** Copies the mixed corpus' fixtures into place (unchanged copies keep its index current). */
export async function prepareMixedCorpus(): Promise<void> {
  await mkdir(MIXED_INDEX_ENV.CORPUS_DIR, { recursive: true });
  for (const [from, name] of MIXED_CORPUS) await copyFile(from, join(MIXED_INDEX_ENV.CORPUS_DIR, name));
}

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

/** Opens the mixed corpus' index built by the global setup. */
export const openMixedIndex = () => openIndex(mixedConfig());

export const mixedConfig = () => loadConfig({ ...machineEnv(), ...MIXED_INDEX_ENV });

/** Opens the pretrained-model index built by the global setup. */
export const openPretrainedIndex = () => openIndex(loadConfig({ ...machineEnv(), ...PRETRAINED_INDEX_ENV }));

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the default pretrained model could not be had (its suites are skipped), or '' when it is there. */
    pretrainedUnavailable: string;
  }
}
