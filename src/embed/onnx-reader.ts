/**
 * Reads the constant tensors (initializers) of an ONNX model: the reverse of `encodeModel` in
 * onnx-writer.ts for the parts a static model keeps its tables in. Enough protobuf to walk
 * ModelProto.graph.initializer; other fields are skipped by wire type.
 */

/** An initializer as stored: element type code (onnx.proto), shape and little-endian raw bytes. */
export interface TensorData {
  name: string;
  dataType: number;
  dims: number[];
  data: Uint8Array;
}

type Field = { number: number; wire: number; value: number | Uint8Array };

function* fields(bytes: Uint8Array): Generator<Field> {
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length) throw new Error('truncated ONNX varint');
      const byte = bytes[at++] as number;
      // Values above 2^53 (never used for dims, types or lengths here) lose precision, not their framing.
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < bytes.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) yield { number, wire, value: varint() };
    else if (wire === 2) {
      const length = varint();
      if (at + length > bytes.length) throw new Error('truncated ONNX field');
      yield { number, wire, value: bytes.subarray(at, at + length) };
      at += length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function readTensor(bytes: Uint8Array): TensorData {
  const tensor: TensorData = { name: '', dataType: 0, dims: [], data: new Uint8Array(0) };
  for (const f of fields(bytes)) {
    if (f.number === 1 && f.wire === 0) tensor.dims.push(f.value as number);
    else if (f.number === 1 && f.wire === 2)
      for (const d of fields(packedAsFields(f.value as Uint8Array))) tensor.dims.push(d.value as number);
    else if (f.number === 2) tensor.dataType = f.value as number;
    else if (f.number === 8) tensor.name = new TextDecoder().decode(f.value as Uint8Array);
    else if (f.number === 9) tensor.data = f.value as Uint8Array;
  }
  return tensor;
}

/** Packed repeated varints, re-framed as field-1 varints so `fields` can read them. */
function packedAsFields(packed: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const byte of packed) {
    if (start) out.push(0x08);
    out.push(byte);
    start = (byte & 0x80) === 0;
  }
  return Uint8Array.from(out);
}

/** The initializers of an ONNX model, by name. */
export function readInitializers(model: Uint8Array): Map<string, TensorData> {
  const out = new Map<string, TensorData>();
  for (const f of fields(model)) {
    if (f.number !== 7 || f.wire !== 2) continue;
    for (const g of fields(f.value as Uint8Array)) {
      if (g.number !== 5 || g.wire !== 2) continue;
      const tensor = readTensor(g.value as Uint8Array);
      out.set(tensor.name, tensor);
    }
  }
  return out;
}
