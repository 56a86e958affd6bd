"""Store.ingest's pipeline: length-sorted batches embedded on a worker thread while Chroma writes."""
from __future__ import annotations

import threading

import numpy as np

from retrieval.store import index_text, open_store
from retrieval.types import Document
from tests.test_store_lock import WordHashEmbedder


class ThreadRecordingEmbedder(WordHashEmbedder):
    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()

    def embed(self, texts):
        self.batches.append(list(texts))
        self.threads.add(threading.current_thread().name)
        return super().embed(texts)


def test_every_passage_is_stored_with_its_own_vector(tmp_path):
    docs = [Document(source=f"d{i}.txt", title=f"Report {i}",
                     text=" ".join(f"Figure {i}-{j} rose by {j * 7} percent in district {i}." for j in range(1 + i % 5)))
            for i in range(40)]
    embedder = ThreadRecordingEmbedder()
    store = open_store(tmp_path / "s", embedder=embedder)
    stats = store.ingest(docs, batch_size=8)  # 40 documents: one round of up to 8 batches
    found = store.passages.get(include=["documents", "metadatas", "embeddings"])
    assert stats.passages == len(found["ids"]) == store.count() > 40
    reference = WordHashEmbedder()
    for text, meta, vector in zip(found["documents"], found["metadatas"], found["embeddings"]):
        expected = reference.embed([index_text(text, meta.get("title"))])[0]
        np.testing.assert_allclose(vector, expected, atol=1e-6)
    assert len(embedder.batches) > 2 and all(len(batch) <= 8 for batch in embedder.batches)
    lengths = [len(text) for batch in embedder.batches for text in batch]
    assert lengths == sorted(lengths)  # one round here: batches cut from passages sorted by length
    assert all(name.startswith("copydesk-embed") for name in embedder.threads)


def test_a_round_larger_than_chromas_largest_write_is_split(tmp_path):
    """batch_size 1000 makes rounds of 8,000 documents; Chroma's embedded store takes 5,461 records a write."""
    docs = [Document(source=f"n{i}", text=f"Note {i}.") for i in range(5600)]
    store = open_store(tmp_path / "s", embedder=WordHashEmbedder())
    stats = store.ingest(docs, batch_size=1000)
    assert stats.added == 5600 and store.count() == 5600
