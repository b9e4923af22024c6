import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';
import { type Half, poolAndNormalize } from './pooling.ts';
import { LAYOUT_FILE, type StaticModelLayout } from './static-model.node.ts';
import { loadFeatureExtractor, locateModel } from './transformers.node.ts';
import type { Embedder } from './types.ts';

export interface EmbedderOptions {
  /** A model directory path, or an id under `modelsDir` such as `Xenova/multilingual-e5-small`. */
  model: string;
  modelsDir: string;
  quantized: boolean;
  queryPrefix?: string;
  passagePrefix?: string;
  /** Name reported as `Embedder.id` (defaults to `model`). */
  label?: string;
  /** Texts per forward pass when embedding passages. */
  batchSize?: number;
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Loads a feature-extraction model through Transformers.js from local files (remote downloads disabled)
 * and wraps it as an `Embedder`: tokenizer → model → our own mean pooling and normalisation.
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const { root, id, dir } = locateModel(options.model, options.modelsDir);
  const onnxFile = join('onnx', options.quantized ? 'model_quantized.onnx' : 'model.onnx');
  const missing: string[] = [];
  for (const file of [...REQUIRED, onnxFile]) if (!(await fileExists(join(dir, file)))) missing.push(file);
  if (missing.length > 0) {
    throw new AppError(
      'MODEL_NOT_FOUND',
      `Model ${options.model} is incomplete at ${dir} (missing ${missing.join(', ')}). Place a Transformers.js ` +
        'model there (config.json, tokenizer.json, tokenizer_config.json, onnx/model_quantized.onnx) or use EMBEDDING_MODEL=builtin-static',
    );
  }

  let layout: StaticModelLayout | undefined;
  if (await fileExists(join(dir, LAYOUT_FILE)))
    layout = JSON.parse(await readFile(join(dir, LAYOUT_FILE), 'utf8'));
  const hash = createHash('sha256');
  for (const file of [...REQUIRED, ...(layout ? [LAYOUT_FILE] : []), onnxFile]) {
    hash.update(`${file}\n`).update(await readFile(join(dir, file)));
  }

  // biome-ignore lint/suspicious/noExplicitAny: Transformers.js 2.x pipeline objects are untyped.
  let extractor: any;
  try {
    extractor = await loadFeatureExtractor(root, id, options.quantized);
  } catch (cause) {
    throw new AppError('MODEL_INVALID', `Transformers.js could not load ${options.model} from ${dir}`, {
      cause,
    });
  }
  const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')) as {
    model_max_length?: number;
  };
  const maxTokens = Math.min(512, config.model_max_length ?? 512);
  const queryPrefix = options.queryPrefix ?? '';
  const passagePrefix = options.passagePrefix ?? '';
  const batchSize = options.batchSize ?? 32;

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const inputs = extractor.tokenizer(texts, { padding: true, truncation: true });
    const { last_hidden_state: hidden } = await extractor.model(inputs);
    const [batch, seq, dims] = hidden.dims as [number, number, number];
    const halves: Half[] | undefined = layout?.halves;
    return poolAndNormalize(
      hidden.data as Float32Array,
      inputs.attention_mask.data,
      batch,
      seq,
      dims,
      halves,
    );
  }

  const probe = await embed(['dimension probe']);
  const dims = probe[0]?.length ?? 0;
  if (layout && layout.halves.reduce((n, h) => n + h.dims, 0) !== dims) {
    throw new AppError('MODEL_INVALID', `${LAYOUT_FILE} does not match the model output (${dims} dims)`);
  }

  return {
    id: options.label ?? options.model,
    dims,
    fingerprint: hash.digest('hex'),
    maxTokens,
    countTokens: (text) => (extractor.tokenizer.encode(`${passagePrefix}${text}`) as number[]).length,
    embedQuery: async (text) => (await embed([`${queryPrefix}${text}`]))[0] as Float32Array,
    embedPassages: async (texts) => {
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        out.push(...(await embed(texts.slice(i, i + batchSize).map((t) => `${passagePrefix}${t}`))));
      }
      return out;
    },
  };
}
