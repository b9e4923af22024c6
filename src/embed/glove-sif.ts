/**
 * The committed GloVe-SIF table: words in GloVe frequency order, each with a 100-d vector already weighted
 * by smooth inverse frequency (a / (a + p(w))), stored as int8 with a float scale per row.
 *
 * Binary layout (little-endian): "GSIF" | u32 version | u32 count | u32 dims | u32 wordBytes |
 * UTF-8 words joined by "\n" | f32 scales[count] | i8 values[count × dims].
 */

const MAGIC = 'GSIF';
const VERSION = 1;

export interface GloveSifTable {
  words: string[];
  dims: number;
  /** Row-major int8 values and per-row scales; value = q × scale. */
  values: Int8Array;
  scales: Float32Array;
}

/** Serialises a table in the binary layout above. */
export function encodeGloveSif(table: GloveSifTable): Uint8Array {
  const words = new TextEncoder().encode(table.words.join('\n'));
  const count = table.words.length;
  const header = 20;
  const scalesAt = header + words.length + ((4 - ((header + words.length) % 4)) % 4);
  const valuesAt = scalesAt + count * 4;
  const out = new Uint8Array(valuesAt + count * table.dims);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, count, true);
  view.setUint32(12, table.dims, true);
  view.setUint32(16, words.length, true);
  out.set(words, header);
  for (let i = 0; i < count; i++) view.setFloat32(scalesAt + i * 4, table.scales[i] ?? 0, true);
  out.set(new Uint8Array(table.values.buffer, table.values.byteOffset, table.values.byteLength), valuesAt);
  return out;
}

/** Parses the binary table; throws on a wrong magic/version or a truncated file. */
export function decodeGloveSif(bytes: Uint8Array): GloveSifTable {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC || view.getUint32(4, true) !== VERSION) {
    throw new Error('not a GloVe-SIF table (bad magic or version)');
  }
  const count = view.getUint32(8, true);
  const dims = view.getUint32(12, true);
  const wordBytes = view.getUint32(16, true);
  const header = 20;
  const scalesAt = header + wordBytes + ((4 - ((header + wordBytes) % 4)) % 4);
  const valuesAt = scalesAt + count * 4;
  if (bytes.length !== valuesAt + count * dims) throw new Error('GloVe-SIF table is truncated');
  const words = new TextDecoder().decode(bytes.subarray(header, header + wordBytes)).split('\n');
  const scales = new Float32Array(count);
  for (let i = 0; i < count; i++) scales[i] = view.getFloat32(scalesAt + i * 4, true);
  const values = new Int8Array(bytes.buffer, bytes.byteOffset + valuesAt, count * dims);
  return { words, dims, values, scales };
}

/** Reads row `i` as floats (into `out` when given, to avoid allocating in loops). */
export function gloveVector(
  table: GloveSifTable,
  i: number,
  out = new Float32Array(table.dims),
): Float32Array {
  const scale = table.scales[i] ?? 0;
  const base = i * table.dims;
  for (let d = 0; d < table.dims; d++) out[d] = (table.values[base + d] ?? 0) * scale;
  return out;
}

/** SIF smoothing constant a (Arora et al. 2017 suggest 1e-3 to 1e-4; 1e-3 measured best here). */
export const SIF_A = 1e-3;

/** Smooth-inverse-frequency weight with word probability from a Zipf law on the frequency rank (1-based). */
export function sifWeight(rank: number, vocabularySize: number, a = SIF_A): number {
  const harmonic = Math.log(vocabularySize) + 0.5772;
  const p = 1 / (rank * harmonic);
  return a / (a + p);
}
