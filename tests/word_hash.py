"""A fast deterministic embedder for store tests: a hashed bag of words (no model to load).

`EMBED_DELAY` (seconds, environment) slows each call, for tests that need a write to take a while;
`fail_after = n` makes the (n+1)-th call from now raise KeyboardInterrupt, as a dying ingest would."""
from __future__ import annotations

import hashlib
import os
import time

import numpy as np


class WordHash:
    name = "word-hash"
    dim = 64

    def __init__(self) -> None:
        self.fail_after: int | None = None

    def embed(self, texts):
        delay = float(os.environ.get("EMBED_DELAY", "0"))
        if delay:
            time.sleep(delay)
        if self.fail_after is not None:
            if self.fail_after == 0:
                self.fail_after = None
                raise KeyboardInterrupt("the embedder died mid-ingest")
            self.fail_after -= 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_queries(self, texts):
        return self.embed(texts)
