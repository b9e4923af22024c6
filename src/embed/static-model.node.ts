import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isStopword } from '../core/terms.ts';
import { decodeGloveSif } from './glove-sif.ts';
import { trainLsa } from './lsa.ts';
import { staticEmbeddingModel } from './onnx-writer.ts';
import {
  buildVocabulary,
  MODEL_MAX_LENGTH,
  modelConfigJson,
  tokenizerConfigJson,
  tokenizerJson,
} from './tokenizer-files.ts';
import { loadTokenizer, locateModel } from './transformers.node.ts';

/**
 * The built-in model, generated at index time into a Transformers.js model directory:
 * a GloVe-SIF half (committed, corpus-independent) and an LSA half (trained on the passages).
 */

export interface StaticModelOptions {
  /** Weight of the GloVe-SIF half; similarity = w·cos(SIF) + (1 − w)·cos(LSA). */
  sifWeight: number;
  lsaDims: number;
  maxContexts: number;
}

export const DEFAULT_STATIC_MODEL_OPTIONS: StaticModelOptions = {
  sifWeight: 0.45,
  lsaDims: 256,
  maxContexts: 1500,
};

/** Description of the halves, read by the embedder to normalise each half separately. */
export interface StaticModelLayout {
  halves: Array<{ name: string; dims: number; weight: number }>;
}

export const LAYOUT_FILE = 'static.json';

/**
 * Value of the extra "null" dimension that `[CLS]` and `[SEP]` (present in every input) carry in each half.
 * Real tokens leave it at 0, so a text with no known word pools to the null direction instead of 0/0 = NaN,
 * and has cosine ≈ 0 with every real passage.
 */
const NULL_VALUE = 1e-6;

async function readGlove(path: string) {
  return decodeGloveSif(new Uint8Array(await readFile(path)));
}

/** Step 1: the tokenizer (from the corpus text and the GloVe words), so the chunker can count tokens. */
export async function writeStaticTokenizer(
  modelDir: string,
  corpusTexts: readonly string[],
  glovePath: string,
): Promise<void> {
  const glove = await readGlove(glovePath);
  const vocab = buildVocabulary(corpusTexts, glove.words);
  await mkdir(modelDir, { recursive: true });
  await writeFile(join(modelDir, 'tokenizer.json'), tokenizerJson(vocab));
  await writeFile(join(modelDir, 'tokenizer_config.json'), tokenizerConfigJson());
}

/** Token counting with the generated tokenizer, special tokens included. */
export async function createTokenCounter(
  modelDir: string,
): Promise<{ countTokens: (text: string) => number; maxTokens: number }> {
  const { root, id } = locateModel(modelDir, '.');
  const tokenizer = await loadTokenizer(root, id);
  return { countTokens: (text) => tokenizer.encode(text).length, maxTokens: MODEL_MAX_LENGTH };
}

/** Step 2: train the LSA half on the passage texts and write config, layout and both ONNX files. */
export async function buildStaticModel(
  modelDir: string,
  passageTexts: readonly string[],
  glovePath: string,
  options: Partial<StaticModelOptions> = {},
): Promise<{ seconds: number; dims: number }> {
  const started = performance.now();
  const opts = { ...DEFAULT_STATIC_MODEL_OPTIONS, ...options };
  const glove = await readGlove(glovePath);
  const vocab = Object.entries(
    (
      JSON.parse(await readFile(join(modelDir, 'tokenizer.json'), 'utf8')) as {
        model: { vocab: Record<string, number> };
      }
    ).model.vocab,
  )
    .sort((a, b) => a[1] - b[1])
    .map(([t]) => t);
  const { root, id } = locateModel(modelDir, '.');
  const tokenizer = await loadTokenizer(root, id);
  const specials = new Set(['[CLS]', '[SEP]'].map((t) => vocab.indexOf(t)));

  // GloVe-SIF half: V × (100 + null).
  const sifDims = glove.dims + 1;
  const sif = new Float32Array(vocab.length * sifDims);
  const gloveRow = new Map(glove.words.map((w, i) => [w, i]));
  vocab.forEach((token, t) => {
    if (specials.has(t)) {
      sif[t * sifDims + glove.dims] = NULL_VALUE;
      return;
    }
    const g = gloveRow.get(token);
    if (g === undefined) return;
    const scale = glove.scales[g] ?? 0;
    for (let d = 0; d < glove.dims; d++)
      sif[t * sifDims + d] = (glove.values[g * glove.dims + d] ?? 0) * scale;
  });

  // LSA half: rows only for corpus terms, reached through a token → row map (row 0 = zeros, 1 = null).
  const isContent = (t: number) => {
    const token = vocab[t] ?? '';
    return /^[\p{L}\p{N}]/u.test(token) && !isStopword(token) && (token.length > 1 || /\p{N}/u.test(token));
  };
  const passages = passageTexts.map(
    (text) => tokenizer.encode(text, null, { add_special_tokens: false }) as number[],
  );
  const lsa = trainLsa(passages, isContent, { dims: opts.lsaDims, maxContexts: opts.maxContexts });
  const lsaDims = lsa.dims + 1;
  const lsaRows = new Float32Array((lsa.terms.length + 2) * lsaDims);
  lsaRows[1 * lsaDims + lsa.dims] = NULL_VALUE;
  const rowOf = new Array<number>(vocab.length).fill(0);
  for (const s of specials) rowOf[s] = 1;
  lsa.terms.forEach((t, r) => {
    rowOf[t] = r + 2;
    lsaRows.set(lsa.rows.subarray(r * lsa.dims, (r + 1) * lsa.dims), (r + 2) * lsaDims);
  });

  const tables = [
    { name: 'sif', rows: vocab.length, dims: sifDims, values: sif },
    { name: 'lsa', rows: lsa.terms.length + 2, dims: lsaDims, values: lsaRows, rowOf },
  ];
  const layout: StaticModelLayout = {
    halves: [
      { name: 'sif', dims: sifDims, weight: opts.sifWeight },
      { name: 'lsa', dims: lsaDims, weight: 1 - opts.sifWeight },
    ],
  };
  await mkdir(join(modelDir, 'onnx'), { recursive: true });
  await writeFile(join(modelDir, 'onnx', 'model.onnx'), staticEmbeddingModel(tables, false));
  await writeFile(join(modelDir, 'onnx', 'model_quantized.onnx'), staticEmbeddingModel(tables, true));
  await writeFile(join(modelDir, 'config.json'), modelConfigJson(sifDims + lsaDims, vocab.length));
  await writeFile(join(modelDir, LAYOUT_FILE), JSON.stringify(layout));
  return { seconds: (performance.now() - started) / 1000, dims: sifDims + lsaDims };
}
