import { ownBuffer } from '../core/bytes.ts';
import { AppError } from '../core/errors.ts';
import { readInitializers, type TensorData } from './onnx-reader.ts';
import { type Half, normalizeHalves } from './pooling.ts';
import type { Embedder } from './types.ts';
import { createWordPiece } from './wordpiece.ts';

/** One table of the static model: float rows, or int8 rows with a float scale per row (quantized). */
interface Table {
  dims: number;
  values?: Float32Array;
  q?: Int8Array;
  scales?: Float32Array;
  /** Token id → row, for a table covering part of the vocabulary. */
  rowOf?: Int32Array;
}

/** What the Worker receives of the built-in model: its generated files, as bytes and parsed JSON. */
export interface StaticModelFiles {
  /** `tokenizer.json` (the vocabulary is read from `model.vocab`). */
  tokenizer: { model: { vocab: Record<string, number> } };
  /** `static.json`: the halves' widths, weights and null dimensions. */
  layout: { halves: Array<Half & { name: string }> };
  /** `onnx/model.onnx` or `onnx/model_quantized.onnx`: the tables are its initializers. */
  onnx: Uint8Array;
  /** Reported as `Embedder.id`. */
  id: string;
  queryPrefix?: string;
  passagePrefix?: string;
}

function table(name: string, tensors: Map<string, TensorData>): Table {
  const float = tensors.get(`${name}_table`);
  const q = tensors.get(`${name}_q`);
  const scale = tensors.get(`${name}_scale`);
  const rowOf = tensors.get(`${name}_row_of`);
  const rows = rowOf ? Int32Array.from(new BigInt64Array(ownBuffer(rowOf.data)), Number) : undefined;
  if (float)
    return { dims: float.dims[1] ?? 0, values: new Float32Array(ownBuffer(float.data)), rowOf: rows };
  if (q && scale) {
    return {
      dims: q.dims[1] ?? 0,
      q: new Int8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength),
      scales: new Float32Array(ownBuffer(scale.data)),
      rowOf: rows,
    };
  }
  throw new AppError('MODEL_INVALID', `The built-in model has no table ${name}`);
}

/**
 * The built-in model without an ONNX runtime: tokenise (WordPiece, truncated as Transformers.js does), look
 * each token up in every table (through its row map; int8 × scale when quantized, rounded to float32 as
 * onnxruntime does), concatenate, then the same pooling as the Node embedder. Bit for bit the vectors
 * onnxruntime gives, for queries and passages alike (tests/embed/static-query.test.ts).
 */
export function createStaticQueryEmbedder(
  files: StaticModelFiles,
): Pick<Embedder, 'id' | 'dims' | 'embedQuery' | 'embedPassages' | 'countTokens'> {
  const vocab: string[] = [];
  for (const [token, id] of Object.entries(files.tokenizer.model.vocab)) vocab[id] = token;
  const tokenizer = createWordPiece(vocab);
  const tensors = readInitializers(files.onnx);
  const halves = files.layout.halves;
  const tables = halves.map((h) => table(h.name, tensors));
  tables.forEach((t, i) => {
    if (t.dims !== halves[i]?.dims)
      throw new AppError('MODEL_INVALID', `static.json does not match the model's ${halves[i]?.name} table`);
  });
  const width = tables.reduce((n, t) => n + t.dims, 0);
  const queryPrefix = files.queryPrefix ?? '';
  const passagePrefix = files.passagePrefix ?? '';

  // Token rows are summed straight into the pooling's float64 accumulator, in token order as
  // poolAndNormalize sums the [tokens × width] matrix onnxruntime returns: the same additions, so the same
  // bits, without building the matrix.
  const sum = new Float64Array(width);
  // Monomorphic loops over locals: this is all the work of embedding a passage.
  function addRow(t: Table, row: number, at: number): void {
    const { dims, values, q, scales } = t;
    const base = row * dims;
    if (values) {
      for (let d = 0; d < dims; d++) sum[at + d] = (sum[at + d] as number) + (values[base + d] as number);
    } else if (q && scales) {
      const scale = scales[row] ?? 0;
      for (let d = 0; d < dims; d++)
        sum[at + d] = (sum[at + d] as number) + Math.fround((q[base + d] as number) * scale);
    }
  }
  function embed(text: string): Float32Array {
    sum.fill(0);
    for (const id of tokenizer.encode(text)) {
      let at = 0;
      for (const t of tables) {
        const row = t.rowOf ? (t.rowOf[id] ?? 0) : id;
        addRow(t, row, at);
        at += t.dims;
      }
    }
    return normalizeHalves(sum, halves);
  }

  const dims = halves.reduce((n, h) => n + h.dims - (h.nullDims ?? 0), 0);
  return {
    id: files.id,
    dims,
    countTokens: (text) => tokenizer.encode(text).length,
    embedQuery: async (text) => embed(`${queryPrefix}${text}`),
    // Each text on its own: padding a batch changes nothing under mean pooling over the mask.
    embedPassages: async (texts) => texts.map((text) => embed(`${passagePrefix}${text}`)),
  };
}
