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
 * The built-in model (`builtin-static`), generated at index time into a standard Transformers.js model
 * directory — config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx, onnx/model_quantized.onnx —
 * plus static.json describing its two halves: GloVe-SIF rows for the whole vocabulary (from the committed,
 * corpus-independent table) and LSA rows trained on the passages (corpus words only, reached through a
 * token → row map so the GloVe vocabulary does not multiply the LSA table). Builds are byte-identical.
 */

export interface StaticModelOptions {
  /**
   * Weight w of the GloVe-SIF half; similarity = w·cos(SIF) + (1 − w)·cos(LSA). Default 0.45: every w in
   * 0.3–0.5 scored within noise of the best on the dev set (MRR 0.705–0.724, against 0.679 for LSA alone).
   */
  sifWeight: number;
  /** LSA dimensions (at most passages − 1 are used). Default 256; 128 measurably loses quality. */
  lsaDims: number;
  /** Passages used as LSA contexts at most; larger corpora are sampled evenly. Default 3000. */
  maxContexts: number;
  /** Seed of the randomized SVD. Default 42. */
  seed: number;
}

export const DEFAULT_STATIC_MODEL_OPTIONS: StaticModelOptions = {
  sifWeight: 0.45,
  lsaDims: 256,
  maxContexts: 3000,
  seed: 42,
};

/**
 * Contents of `static.json`, read by the embedder to pool each half on its own. `dims` counts the half's
 * columns in the ONNX output, its `nullDims` trailing null dimensions included (see NULL_VALUE).
 */
export interface StaticModelLayout {
  halves: Array<{ name: string; dims: number; weight: number; nullDims: number }>;
}

export const LAYOUT_FILE = 'static.json';

/**
 * Value of the extra "null" dimension that `[CLS]` and `[SEP]` (present in every input) carry in each half.
 * Real tokens leave it at 0, so the pipeline's own `{pooling: 'mean', normalize: true}` maps a text with no
 * known word to the null direction instead of 0/0 = NaN. Our embedder drops these dimensions (see pooling.ts).
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
  // Provisional until buildStaticModel knows the LSA rank; lets Transformers.js load the directory meanwhile.
  await writeFile(join(modelDir, 'config.json'), modelConfigJson(glove.dims + 1 + 257, vocab.length));
}

/** Token counting with the generated tokenizer, special tokens included. */
export interface StaticTokenCounter {
  countTokens: (text: string) => number;
  maxTokens: number;
  /**
   * How this vocabulary treats `words` (pre-tokens as `preTokenize` gives them): each word it does not hold
   * whole, with the pieces it splits into. A text's count is [CLS] + [SEP] + the pieces of its words, and a
   * word held whole is one piece, so two vocabularies that give the same view count every text made of
   * these words alike. The vocabulary is built from the whole corpus, which is why a file's chunking may
   * be reused only while its words' view is unchanged.
   */
  wordsView: (words: Iterable<string>) => string;
}

export async function createTokenCounter(modelDir: string): Promise<StaticTokenCounter> {
  const { root, id } = locateModel(modelDir, '.');
  const tokenizer = await loadTokenizer(root, id);
  const vocab = new Set(
    Object.keys(
      (
        JSON.parse(await readFile(join(modelDir, 'tokenizer.json'), 'utf8')) as {
          model: { vocab: Record<string, number> };
        }
      ).model.vocab,
    ),
  );
  const countTokens = (text: string) => tokenizer.encode(text).length;
  return {
    countTokens,
    maxTokens: MODEL_MAX_LENGTH,
    wordsView: (words) =>
      [...new Set(words)]
        .filter((w) => !vocab.has(w))
        .sort()
        .map((w) => `${w} ${countTokens(w) - 2}`)
        .join('\n'),
  };
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
  if (
    !(opts.sifWeight >= 0 && opts.sifWeight <= 1) ||
    !(Number.isInteger(opts.lsaDims) && opts.lsaDims >= 1)
  ) {
    throw new RangeError(`invalid static model options: ${JSON.stringify(opts)}`);
  }
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
  const lsa = trainLsa(passages, isContent, {
    dims: opts.lsaDims,
    maxContexts: opts.maxContexts,
    seed: opts.seed,
  });
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
      { name: 'sif', dims: sifDims, weight: opts.sifWeight, nullDims: 1 },
      { name: 'lsa', dims: lsaDims, weight: 1 - opts.sifWeight, nullDims: 1 },
    ],
  };
  await mkdir(join(modelDir, 'onnx'), { recursive: true });
  await writeFile(join(modelDir, 'onnx', 'model.onnx'), staticEmbeddingModel(tables, false));
  await writeFile(join(modelDir, 'onnx', 'model_quantized.onnx'), staticEmbeddingModel(tables, true));
  await writeFile(join(modelDir, 'config.json'), modelConfigJson(sifDims + lsaDims, vocab.length));
  await writeFile(join(modelDir, LAYOUT_FILE), `${JSON.stringify(layout, null, 2)}\n`);
  return { seconds: (performance.now() - started) / 1000, dims: sifDims + lsaDims };
}
