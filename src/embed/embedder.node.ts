import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../core/errors.ts';
import { type Half, poolAndNormalize } from './pooling.ts';
import { resolvePrefixes } from './prefixes.ts';
import { readInstalled } from './provenance.node.ts';
import { LAYOUT_FILE, type StaticModelLayout } from './static-model.node.ts';
import { createStaticQueryEmbedder } from './static-query.ts';
import { loadFeatureExtractor, locateModel } from './transformers.node.ts';
import type { Embedder } from './types.ts';
import { createWordPiece } from './wordpiece.ts';

export interface EmbedderOptions {
  /** A model directory path, or an id under `modelsDir` such as `Xenova/multilingual-e5-small`. */
  model: string;
  modelsDir: string;
  quantized: boolean;
  /** Prepended to queries; default `query: ` for e5 models (id contains `e5`), else empty. */
  queryPrefix?: string;
  /** Prepended to passages (and counted by `countTokens`); default `passage: ` for e5 models, else empty. */
  passagePrefix?: string;
  /** Name reported as `Embedder.id` (defaults to `model`). */
  label?: string;
  /** Texts per forward pass when embedding passages (default 32 for a static model, else 1). */
  batchSize?: number;
}

const REQUIRED = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** A model directory checked and fingerprinted, before any runtime has loaded it. */
interface ModelFiles {
  root: string;
  id: string;
  dir: string;
  /** `onnx/model.onnx` or `onnx/model_quantized.onnx`. */
  onnxFile: string;
  /** `static.json` of the built-in model; undefined for any other model. */
  layout?: StaticModelLayout;
  fingerprint: string;
  /** Largest input in tokens, special tokens included (tokenizer_config.json, at most 512). */
  maxTokens: number;
}

async function inspectModel(options: EmbedderOptions): Promise<ModelFiles> {
  const { root, id, dir } = locateModel(options.model, options.modelsDir);
  const onnxFile = join('onnx', options.quantized ? 'model_quantized.onnx' : 'model.onnx');
  const missing: string[] = [];
  for (const file of [...REQUIRED, onnxFile]) if (!(await fileExists(join(dir, file)))) missing.push(file);
  if (missing.length > 0) {
    throw new AppError(
      'MODEL_NOT_FOUND',
      `Model ${options.model} not found: ${dir} lacks ${missing.join(', ')}. Place a Transformers.js model ` +
        `there (config.json, tokenizer.json, tokenizer_config.json and ${onnxFile}, e.g. the files of ` +
        'https://huggingface.co/Xenova/multilingual-e5-small under MODELS_DIR/Xenova/multilingual-e5-small), ' +
        'or use EMBEDDING_MODEL=builtin-static',
    );
  }

  let layout: StaticModelLayout | undefined;
  if (await fileExists(join(dir, LAYOUT_FILE)))
    layout = JSON.parse(await readFile(join(dir, LAYOUT_FILE), 'utf8'));
  // An installed pretrained model's files were hashed and verified at install (provenance.json); hashing
  // 130 MB again on every start would cost a third of a second. Any other model is hashed here.
  const hash = createHash('sha256');
  const installed = await readInstalled(dir);
  for (const file of [...REQUIRED, ...(layout ? [LAYOUT_FILE] : []), onnxFile]) {
    const recorded = installed?.files[file.split('\\').join('/')]?.sha256;
    hash.update(`${file}\n`).update(recorded ?? (await readFile(join(dir, file))));
  }
  const config = JSON.parse(await readFile(join(dir, 'tokenizer_config.json'), 'utf8')) as {
    model_max_length?: number;
  };
  const maxTokens = Math.min(512, config.model_max_length ?? 512);
  return { root, id, dir, onnxFile, layout, fingerprint: hash.digest('hex'), maxTokens };
}

/**
 * Loads a feature-extraction model through Transformers.js from local files (remote downloads disabled)
 * and wraps it as an `Embedder`: tokenizer → model → our own mean pooling and normalisation.
 *
 * Without `static.json` this is mean pooling + L2 normalisation, as for any sentence-embedding model.
 * With it (the built-in model), each half drops its null dimension and is normalised on its own and
 * scaled by √w, so inner products are Σ w·cos(half). A half with no known token stays zero: such vectors
 * are shorter than 1, and text with no known token at all (e.g. only stopwords, or an unseen script)
 * embeds as the zero vector, which scores 0 against everything. Never NaN.
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  return loadWithTransformers(options, await inspectModel(options));
}

/**
 * The embedder a server answers with: the built-in model (a directory with `static.json`) is read in plain
 * TypeScript (static-query.ts: the same tokenizer ids and the same vectors, bit for bit on every eval
 * question and passage), so serving or building with it never imports Transformers.js or onnxruntime, and
 * passages embed ~20× faster than through onnxruntime's session; any other model is `createEmbedder`'s.
 */
export async function openEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const model = await inspectModel(options);
  const { layout } = model;
  if (!layout) return loadWithTransformers(options, model);
  const [tokenizer, onnx] = await Promise.all([
    readFile(join(model.dir, 'tokenizer.json'), 'utf8').then(
      (text) => JSON.parse(text) as { model: { vocab: Record<string, number> } },
    ),
    readFile(join(model.dir, model.onnxFile)),
  ]);
  const prefixes = resolvePrefixes(options.model);
  const queryPrefix = options.queryPrefix ?? prefixes.query;
  const passagePrefix = options.passagePrefix ?? prefixes.passage;
  let query: ReturnType<typeof createStaticQueryEmbedder>;
  try {
    query = createStaticQueryEmbedder({
      tokenizer,
      layout,
      onnx: new Uint8Array(onnx.buffer, onnx.byteOffset, onnx.byteLength),
      id: options.label ?? options.model,
      queryPrefix,
      passagePrefix,
    });
  } catch (cause) {
    throw new AppError('MODEL_INVALID', `Could not read the built-in model in ${model.dir}`, { cause });
  }
  // Counting is for builds, not answers: its tokenizer is made on first use. Transformers.js's `encode`
  // does not truncate, so neither does the count.
  let counter: ReturnType<typeof createWordPiece> | undefined;
  const count = (text: string) => {
    if (!counter) {
      const vocab: string[] = [];
      for (const [token, id] of Object.entries(tokenizer.model.vocab)) vocab[id] = token;
      counter = createWordPiece(vocab, { maxLength: Number.POSITIVE_INFINITY });
    }
    return counter.encode(text).length;
  };
  return {
    id: query.id,
    dims: query.dims,
    fingerprint: model.fingerprint,
    maxTokens: model.maxTokens,
    countTokens: (text) => count(`${passagePrefix}${text}`),
    embedQuery: query.embedQuery,
    embedPassages: query.embedPassages,
  };
}

async function loadWithTransformers(options: EmbedderOptions, model: ModelFiles): Promise<Embedder> {
  const { root, id, dir, layout, maxTokens } = model;
  // biome-ignore lint/suspicious/noExplicitAny: Transformers.js 2.x pipeline objects are untyped.
  let extractor: any;
  try {
    extractor = await loadFeatureExtractor(root, id, options.quantized);
  } catch (cause) {
    throw new AppError('MODEL_INVALID', `Transformers.js could not load ${options.model} from ${dir}`, {
      cause,
    });
  }
  const defaults = resolvePrefixes(options.model);
  const queryPrefix = options.queryPrefix ?? defaults.query;
  const passagePrefix = options.passagePrefix ?? defaults.passage;
  // A transformer's int8 graph quantises activations per call (DynamicQuantizeLinear over the whole
  // batch), so a text's vector would depend on what it was batched with; one text per call keeps vectors
  // reproducible (an unchanged passage embeds identically in any build) and, measured, is also faster
  // here than padded batches. A static table has no such coupling and gains from batching.
  const batchSize = options.batchSize ?? (layout ? 32 : 1);

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const inputs = extractor.tokenizer(texts, { padding: true, truncation: true });
    const { last_hidden_state: hidden } = await extractor.model(inputs);
    const [batch, seq, dims] = hidden.dims as [number, number, number];
    const halves: Half[] | undefined = layout?.halves;
    if (halves && halves.reduce((n, h) => n + h.dims, 0) !== dims) {
      throw new AppError(
        'MODEL_INVALID',
        `${LAYOUT_FILE} of ${options.model} does not match its ${dims}-d output`,
      );
    }
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

  return {
    id: options.label ?? options.model,
    dims,
    fingerprint: model.fingerprint,
    maxTokens,
    countTokens: (text) => (extractor.tokenizer.encode(`${passagePrefix}${text}`) as number[]).length,
    embedQuery: async (text) => (await embed([`${queryPrefix}${text}`]))[0] as Float32Array,
    embedPassages: async (texts) => {
      // A batch is padded to its longest text, so texts of similar length are batched together
      // (mean pooling over the mask makes the result independent of the batch).
      const order = texts.map((_, i) => i).sort((a, b) => (texts[a]?.length ?? 0) - (texts[b]?.length ?? 0));
      const out = new Array<Float32Array>(texts.length);
      for (let i = 0; i < order.length; i += batchSize) {
        const ids = order.slice(i, i + batchSize);
        const vectors = await embed(ids.map((id) => `${passagePrefix}${texts[id]}`));
        ids.forEach((id, j) => {
          out[id] = vectors[j] as Float32Array;
        });
      }
      return out;
    },
  };
}
