import { AppError } from '../core/errors.ts';
import { readInitializers, type TensorData } from './onnx-reader.ts';
import { type Half, poolAndNormalize } from './pooling.ts';
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
}

function aligned(data: Uint8Array): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

function table(name: string, tensors: Map<string, TensorData>): Table {
  const float = tensors.get(`${name}_table`);
  const q = tensors.get(`${name}_q`);
  const scale = tensors.get(`${name}_scale`);
  const rowOf = tensors.get(`${name}_row_of`);
  const rows = rowOf ? Int32Array.from(new BigInt64Array(aligned(rowOf.data)), Number) : undefined;
  if (float) return { dims: float.dims[1] ?? 0, values: new Float32Array(aligned(float.data)), rowOf: rows };
  if (q && scale) {
    return {
      dims: q.dims[1] ?? 0,
      q: new Int8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength),
      scales: new Float32Array(aligned(scale.data)),
      rowOf: rows,
    };
  }
  throw new AppError('MODEL_INVALID', `The built-in model has no table ${name}`);
}

/**
 * The built-in model's query embedding without an ONNX runtime: tokenise (WordPiece), look each token up
 * in every table (through its row map; int8 × scale when quantized, rounded to float32 as onnxruntime
 * does), concatenate, then the same pooling as the Node embedder. Equal to the Node vectors to 1e-6.
 */
export function createStaticQueryEmbedder(
  files: StaticModelFiles,
): Pick<Embedder, 'id' | 'dims' | 'embedQuery' | 'countTokens'> {
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
  const prefix = files.queryPrefix ?? '';

  function embed(text: string): Float32Array {
    const ids = tokenizer.encode(text);
    const hidden = new Float32Array(ids.length * width);
    ids.forEach((id, s) => {
      let at = s * width;
      for (const t of tables) {
        const row = t.rowOf ? (t.rowOf[id] ?? 0) : id;
        const base = row * t.dims;
        if (t.values) hidden.set(t.values.subarray(base, base + t.dims), at);
        else if (t.q && t.scales) {
          const scale = t.scales[row] ?? 0;
          for (let d = 0; d < t.dims; d++) hidden[at + d] = Math.fround((t.q[base + d] ?? 0) * scale);
        }
        at += t.dims;
      }
    });
    const mask = new Uint8Array(ids.length).fill(1);
    return poolAndNormalize(hidden, mask, 1, ids.length, width, halves)[0] as Float32Array;
  }

  const dims = halves.reduce((n, h) => n + h.dims - (h.nullDims ?? 0), 0);
  return {
    id: files.id,
    dims,
    countTokens: (text) => tokenizer.encode(text).length,
    embedQuery: async (text) => embed(`${prefix}${text}`),
  };
}
