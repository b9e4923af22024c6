import { basename, dirname, resolve } from 'node:path';
import type { PreTrainedTokenizer } from '@xenova/transformers';
import { AppError } from '../core/errors.ts';

/**
 * Transformers.js (with onnxruntime-node and sharp behind it) takes about half a second to import, so it is
 * imported on first use: a server with the built-in model never loads it (see static-embedder.node.ts).
 */
async function transformers() {
  const [library, { usePrefixSets }] = await Promise.all([
    import('@xenova/transformers'),
    import('./prefix-set.node.ts'),
  ]);
  usePrefixSets();
  return library;
}

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

function localOnly(env: Awaited<ReturnType<typeof transformers>>['env'], root: string): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
  env.useBrowserCache = false;
}

export async function loadTokenizer(root: string, id: string): Promise<PreTrainedTokenizer> {
  const { AutoTokenizer, env } = await transformers();
  localOnly(env, root);
  return AutoTokenizer.from_pretrained(id);
}

// biome-ignore lint/suspicious/noExplicitAny: Transformers.js 2.x ships loose pipeline types.
export async function loadFeatureExtractor(root: string, id: string, quantized: boolean): Promise<any> {
  const { env, pipeline } = await transformers();
  localOnly(env, root);
  return pipeline('feature-extraction', id, { quantized });
}

/**
 * Downloads a model from the Hugging Face Hub into `modelsDir/<id>/` (Transformers.js's file cache uses
 * the same layout as local models), reporting each file's progress. Only where the Hub is reachable;
 * untested on this project's machines, which cannot reach it.
 */
export async function downloadFromHub(
  id: string,
  modelsDir: string,
  quantized: boolean,
  options: { endpoint?: string; onProgress?: (file: string, percent: number) => void } = {},
): Promise<void> {
  const root = resolve(modelsDir);
  const { env, pipeline } = await transformers();
  env.allowRemoteModels = true;
  if (options.endpoint)
    env.remoteHost = options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`;
  env.allowLocalModels = true;
  env.localModelPath = `${root}/`;
  env.cacheDir = root;
  env.useFSCache = true;
  try {
    await pipeline('feature-extraction', id, {
      quantized,
      progress_callback: (event: { status?: string; file?: string; progress?: number }) => {
        if (event.status === 'progress' && event.file) options.onProgress?.(event.file, event.progress ?? 0);
      },
    });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new AppError('MODEL_NOT_FOUND', `could not download ${id} from ${env.remoteHost}: ${reason}`, {
      cause,
    });
  } finally {
    localOnly(env, root);
  }
}
