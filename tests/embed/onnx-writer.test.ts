import { onnx } from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { quantizeRows, type StaticTable, staticEmbeddingModel } from '../../src/embed/onnx-writer.ts';

// Vocabulary of 4 tokens. Table `a` covers all of them; table `b` has rows only for tokens 1 and 3.
const a: StaticTable = {
  name: 'a',
  rows: 4,
  dims: 2,
  values: Float32Array.from([0, 0, 1, -2, 0.5, 0.25, -3, 4]),
};
const b: StaticTable = {
  name: 'b',
  rows: 3,
  dims: 3,
  values: Float32Array.from([0, 0, 0, 1, 2, 3, -0.5, 0, 0.5]),
  rowOf: [0, 1, 0, 2],
};

/** Token → expected output row: the concatenation of its rows in both tables. */
function expected(token: number): number[] {
  const row = b.rowOf?.[token] ?? 0;
  return [...a.values.subarray(token * 2, token * 2 + 2), ...b.values.subarray(row * 3, row * 3 + 3)];
}

async function run(model: Uint8Array, ids: number[][], mask: number[][]): Promise<Tensor> {
  const session = await InferenceSession.create(model);
  const shape = [ids.length, ids[0]?.length ?? 0];
  const int64 = (rows: number[][]) => new Tensor('int64', BigInt64Array.from(rows.flat(), BigInt), shape);
  const out = await session.run({
    input_ids: int64(ids),
    attention_mask: int64(mask),
    token_type_ids: int64(ids.map((r) => r.map(() => 0))),
  });
  return out.last_hidden_state as Tensor;
}

describe('staticEmbeddingModel', () => {
  const ids = [
    [1, 3, 2],
    [3, 0, 0],
  ];
  const mask = [
    [1, 1, 1],
    [1, 0, 0],
  ];

  it('writes an IR 8, opset 13 model with symbolic batch and sequence dimensions', () => {
    const model = onnx.ModelProto.decode(staticEmbeddingModel([a, b], false));
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 13]]);
    expect(model.graph?.input?.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    const output = model.graph?.output?.[0];
    expect(output?.name).toBe('last_hidden_state');
    const dims = output?.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims).toEqual(['batch_size', 'sequence_length', 5]);
  });

  it('looks tokens up in every table, concatenates the rows and zeroes padded positions', async () => {
    const out = await run(staticEmbeddingModel([a, b], false), ids, mask);
    expect(out.dims).toEqual([2, 3, 5]);
    const want = ids.flatMap((row, r) =>
      row.flatMap((t, s) => expected(t).map((x) => x * (mask[r]?.[s] ?? 0))),
    );
    expect(Array.from(out.data as Float32Array)).toEqual(want.map((x) => expect.closeTo(x, 7)));
  });

  it('runs the int8 variant to within half a quantisation step per row', async () => {
    const out = await run(staticEmbeddingModel([a, b], true), ids, mask);
    const got = out.data as Float32Array;
    ids.forEach((row, r) => {
      row.forEach((t, s) => {
        const want = expected(t).map((x) => x * (mask[r]?.[s] ?? 0));
        const step = Math.max(...want.slice(0, 2).map(Math.abs), ...want.slice(2).map(Math.abs)) / 127;
        want.forEach((x, d) => {
          expect(Math.abs((got[(r * 3 + s) * 5 + d] ?? 0) - x)).toBeLessThanOrEqual(step / 2 + 1e-7);
        });
      });
    });
  });
});

describe('quantizeRows', () => {
  it('keeps each row within half a quantisation step and zero rows at zero', () => {
    const table = Float32Array.from([0.5, -1, 0.25, 0, 0, 0]);
    const { q, scales } = quantizeRows(table, 2, 3);
    for (let i = 0; i < 3; i++)
      expect(Math.abs((q[i] ?? 0) * (scales[0] ?? 0) - (table[i] ?? 0))).toBeLessThan(1 / 254 + 1e-7);
    expect(Array.from(q.subarray(3))).toEqual([0, 0, 0]);
  });
});
