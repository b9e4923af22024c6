import { basename, dirname, resolve } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer, pipeline } from '@xenova/transformers';

/**
 * Loading through Transformers.js from local files only. A model is named either by a directory path or by
 * an id under a models root (`Xenova/multilingual-e5-small`); both become (localModelPath, id).
 */
export function locateModel(model: string, modelsDir: string): { root: string; id: string; dir: string } {
  const looksLikePath = model.startsWith('.') || model.startsWith('/') || /^[A-Za-z]:[\\/]/.test(model);
  if (looksLikePath) {
    const dir = resolve(model);
    return { root: dirname(dir), id: basename(dir), dir };
  }
  const root = resolve(modelsDir);
  return { root, id: model, dir: resolve(root, model) };
}

function localOnly(root: string): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
  env.useBrowserCache = false;
}

export async function loadTokenizer(root: string, id: string): Promise<PreTrainedTokenizer> {
  localOnly(root);
  return AutoTokenizer.from_pretrained(id);
}

// biome-ignore lint/suspicious/noExplicitAny: Transformers.js 2.x ships loose pipeline types.
export async function loadFeatureExtractor(root: string, id: string, quantized: boolean): Promise<any> {
  localOnly(root);
  return pipeline('feature-extraction', id, { quantized });
}
