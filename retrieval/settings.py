"""Retrieval's own settings: plain values with their defaults, no environment.

retrieval/ cannot import claims/, so `claims.settings.Settings` (the one typed settings object, which
reads the environment and the config file at the edges) composes this object through its
`.retrieval` property. Lower modules take these values as parameters:
`open_store(path, url=, embedder=, lock_wait_s=)`, `get_embedder(name)`; the model runtime (ONNX
threads, the MiniLM tokenizer file, the model cache folder) is process-wide because each embedder is
loaded once per process, so the edge hands it over once with `embeddings.set_model_runtime(...)`
(`RetrievalSettings.apply_model_runtime()` does that).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_STORE_DIR = Path.home() / ".local" / "share" / "copydesk" / "store"  # the one default store location
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "copydesk"
DEFAULT_LOCK_WAIT_S = 2.0


@dataclass(frozen=True)
class RetrievalSettings:
    """Where the store is and how retrieval runs. Every field has the default the library uses alone."""

    store_dir: Path = DEFAULT_STORE_DIR
    chroma_url: str | None = None  # a Chroma server instead of the embedded store (then store_dir is unused)
    chroma_token: str | None = field(default=None, repr=False)  # bearer token sent to that server
    embedder: str | None = None  # None: minilm-q8, else minilm-int8 where q8 cannot be built
    store_lock_wait_s: float = DEFAULT_LOCK_WAIT_S
    threads: int = 0  # ONNX intra-op threads; 0: min(4, CPUs)
    minilm_tokenizer: Path | None = None  # another tokenizer.json for the MiniLM embedders
    cache_dir: Path = DEFAULT_CACHE_DIR  # built models live in cache_dir/models

    def open_store(self, path: str | Path | None = None, **kwargs: Any):
        """The configured store: the Chroma server at chroma_url when set, else the folder (`path` or store_dir)."""
        from retrieval.store import open_store

        kwargs.setdefault("embedder", self.embedder)
        kwargs.setdefault("lock_wait_s", self.store_lock_wait_s)
        if self.chroma_url:
            kwargs.setdefault("token", self.chroma_token)
            return open_store(url=self.chroma_url, **kwargs)
        return open_store(Path(path) if path is not None else self.store_dir, **kwargs)

    def apply_model_runtime(self) -> None:
        """Hand the process-wide model runtime (threads, tokenizer, model cache) to retrieval.embeddings."""
        from retrieval.embeddings import ModelRuntime, set_model_runtime

        set_model_runtime(ModelRuntime(threads=self.threads, tokenizer_file=self.minilm_tokenizer,
                                       cache_dir=self.cache_dir))
