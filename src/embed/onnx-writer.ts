/**
 * A minimal ONNX (protobuf) writer for static token-embedding models: enough of ModelProto to express
 * table lookups, casts, multiplies and a concat. Field numbers follow onnx.proto; IR 8 with opset 13 is
 * what onnxruntime-node 1.14 (used by Transformers.js 2.x) loads.
 */

const IR_VERSION = 8;
const OPSET = 13;

export const DataType = { FLOAT: 1, INT8: 3, INT64: 7 } as const;
type DataTypeCode = (typeof DataType)[keyof typeof DataType];

class Writer {
  readonly #chunks: Uint8Array[] = [];

  varint(value: number | bigint): this {
    let v = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      bytes.push(byte);
    } while (v !== 0n);
    this.#chunks.push(Uint8Array.from(bytes));
    return this;
  }

  tag(field: number, wire: 0 | 2 | 5): this {
    return this.varint((field << 3) | wire);
  }

  int(field: number, value: number | bigint): this {
    return this.tag(field, 0).varint(value);
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2).varint(data.length);
    this.#chunks.push(data);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.#chunks.push(b);
    return this;
  }

  finish(): Uint8Array {
    const total = this.#chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** A constant tensor stored in the model. */
export interface Initializer {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  /** Little-endian raw bytes of the values. */
  data: Uint8Array;
}

export type Attribute = { name: string } & ({ int: number } | { ints: number[] } | { float: number });

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Attribute[];
}

/** A graph input or output: name, element type and shape (numbers are fixed, strings symbolic). */
export interface ValueInfo {
  name: string;
  dataType: DataTypeCode;
  shape: Array<number | string>;
}

export interface GraphSpec {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Initializer[];
  nodes: Node[];
}

const ATTRIBUTE_TYPE = { FLOAT: 1, INT: 2, INTS: 7 } as const;

function writeValueInfo(w: Writer, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.dataType);
      tensor.message(2, (shape) => {
        for (const dim of v.shape) {
          shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
        }
      });
    }),
  );
}

/** Serialises a graph as an ONNX model file. */
export function encodeModel(graph: GraphSpec, producer = 'kz-retrieval-qa'): Uint8Array {
  const model = new Writer();
  model.int(1, IR_VERSION);
  model.string(2, producer);
  model.string(3, '1');
  model.message(7, (g) => {
    for (const node of graph.nodes) {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `${node.op}_${node.outputs[0] ?? ''}`);
        n.string(4, node.op);
        for (const attr of node.attributes ?? []) {
          n.message(5, (a) => {
            a.string(1, attr.name);
            if ('int' in attr) a.int(3, attr.int).int(20, ATTRIBUTE_TYPE.INT);
            else if ('ints' in attr) {
              for (const v of attr.ints) a.int(8, v);
              a.int(20, ATTRIBUTE_TYPE.INTS);
            } else a.float(2, attr.float).int(20, ATTRIBUTE_TYPE.FLOAT);
          });
        }
      });
    }
    g.string(2, graph.name);
    for (const init of graph.initializers) {
      g.message(5, (t) => {
        for (const d of init.dims) t.int(1, d);
        t.int(2, init.dataType);
        t.string(8, init.name);
        t.bytes(9, init.data);
      });
    }
    for (const input of graph.inputs) g.message(11, (v) => writeValueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => writeValueInfo(v, output));
  });
  model.message(8, (o) => o.string(1, '').int(2, OPSET));
  return model.finish();
}

export function float32Bytes(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

export function int64Bytes(values: readonly number[]): Uint8Array {
  return new Uint8Array(BigInt64Array.from(values.map((v) => BigInt(v))).buffer);
}

/** A row-major table quantised per row to int8 with a float scale per row (max |x| / 127). */
export function quantizeRows(
  table: Float32Array,
  rows: number,
  cols: number,
): { q: Int8Array; scales: Float32Array } {
  const q = new Int8Array(rows * cols);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < cols; c++) max = Math.max(max, Math.abs(table[r * cols + c] ?? 0));
    const scale = max > 0 ? max / 127 : 1;
    scales[r] = scale;
    for (let c = 0; c < cols; c++) q[r * cols + c] = Math.round((table[r * cols + c] ?? 0) / scale);
  }
  return { q, scales };
}

/** One half of a static model: a table of `dims` columns, looked up directly or through a row map. */
export interface StaticTable {
  name: string;
  rows: number;
  dims: number;
  /** Row-major float values. */
  values: Float32Array;
  /** Token id → table row (for tables covering only part of the vocabulary). */
  rowOf?: number[];
}

const SEQ_INPUTS: ValueInfo[] = ['input_ids', 'attention_mask', 'token_type_ids'].map((name) => ({
  name,
  dataType: DataType.INT64,
  shape: ['batch_size', 'sequence_length'],
}));

/**
 * The static embedding graph: each token's vector is the concatenation of its rows in `tables`, and padded
 * positions are zeroed by the attention mask. `quantized` stores int8 rows plus a per-row scale.
 */
export function staticEmbeddingModel(tables: readonly StaticTable[], quantized: boolean): Uint8Array {
  const initializers: Initializer[] = [
    { name: 'unsqueeze_axes', dataType: DataType.INT64, dims: [1], data: int64Bytes([-1]) },
  ];
  const nodes: Node[] = [];
  const parts: string[] = [];
  for (const table of tables) {
    let ids = 'input_ids';
    if (table.rowOf) {
      initializers.push({
        name: `${table.name}_row_of`,
        dataType: DataType.INT64,
        dims: [table.rowOf.length],
        data: int64Bytes(table.rowOf),
      });
      ids = `${table.name}_rows`;
      nodes.push({
        op: 'Gather',
        inputs: [`${table.name}_row_of`, 'input_ids'],
        outputs: [ids],
        attributes: [{ name: 'axis', int: 0 }],
      });
    }
    if (quantized) {
      const { q, scales } = quantizeRows(table.values, table.rows, table.dims);
      initializers.push(
        {
          name: `${table.name}_q`,
          dataType: DataType.INT8,
          dims: [table.rows, table.dims],
          data: new Uint8Array(q.buffer),
        },
        {
          name: `${table.name}_scale`,
          dataType: DataType.FLOAT,
          dims: [table.rows, 1],
          data: float32Bytes(scales),
        },
      );
      nodes.push(
        {
          op: 'Gather',
          inputs: [`${table.name}_q`, ids],
          outputs: [`${table.name}_gq`],
          attributes: [{ name: 'axis', int: 0 }],
        },
        {
          op: 'Cast',
          inputs: [`${table.name}_gq`],
          outputs: [`${table.name}_gf`],
          attributes: [{ name: 'to', int: DataType.FLOAT }],
        },
        {
          op: 'Gather',
          inputs: [`${table.name}_scale`, ids],
          outputs: [`${table.name}_gs`],
          attributes: [{ name: 'axis', int: 0 }],
        },
        { op: 'Mul', inputs: [`${table.name}_gf`, `${table.name}_gs`], outputs: [`${table.name}_out`] },
      );
    } else {
      initializers.push({
        name: `${table.name}_table`,
        dataType: DataType.FLOAT,
        dims: [table.rows, table.dims],
        data: float32Bytes(table.values),
      });
      nodes.push({
        op: 'Gather',
        inputs: [`${table.name}_table`, ids],
        outputs: [`${table.name}_out`],
        attributes: [{ name: 'axis', int: 0 }],
      });
    }
    parts.push(`${table.name}_out`);
  }
  const hidden = tables.length === 1 ? (parts[0] as string) : 'hidden';
  if (tables.length > 1)
    nodes.push({ op: 'Concat', inputs: parts, outputs: [hidden], attributes: [{ name: 'axis', int: -1 }] });
  nodes.push(
    {
      op: 'Cast',
      inputs: ['attention_mask'],
      outputs: ['mask_f'],
      attributes: [{ name: 'to', int: DataType.FLOAT }],
    },
    { op: 'Unsqueeze', inputs: ['mask_f', 'unsqueeze_axes'], outputs: ['mask_3d'] },
    { op: 'Mul', inputs: [hidden, 'mask_3d'], outputs: ['last_hidden_state'] },
  );
  const dims = tables.reduce((n, t) => n + t.dims, 0);
  return encodeModel({
    name: 'static_embeddings',
    inputs: SEQ_INPUTS,
    outputs: [
      { name: 'last_hidden_state', dataType: DataType.FLOAT, shape: ['batch_size', 'sequence_length', dims] },
    ],
    initializers,
    nodes,
  });
}
