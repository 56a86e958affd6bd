"""The query-vector cache of the MiniLM embedders: the same vectors as embedding anew, never shared arrays."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval.embeddings import EmbedderUnavailable, get_embedder


@pytest.fixture(scope="module")
def embedder():
    try:
        return get_embedder("minilm-q8")
    except EmbedderUnavailable as error:
        pytest.skip(str(error))


def test_a_cached_query_vector_is_the_one_embedding_gives(embedder):
    query = "How long is the Harbour bridge?"
    fresh = embedder.embed([query])
    first = embedder.embed_queries([query])
    again = embedder.embed_queries([query])
    assert first.shape == (1, embedder.dim)
    np.testing.assert_array_equal(first, fresh)
    np.testing.assert_array_equal(again, fresh)
    again[0, :] = 0.0  # a caller changing its copy changes nothing cached
    np.testing.assert_array_equal(embedder.embed_queries([query]), fresh)


def test_the_cache_is_bounded_and_batches_bypass_it(embedder, monkeypatch):
    monkeypatch.setattr(embedder, "query_cache_size", 3)
    embedder._query_cache.clear()
    for i in range(6):
        embedder.embed_queries([f"query number {i}"])
    assert list(embedder._query_cache) == [f"query number {i}" for i in (3, 4, 5)]
    batch = embedder.embed_queries(["query number 1", "query number 5"])
    # a batch is embedded together (run-time int8 activation scales span the batch): cosine ~0.99, not equal
    assert float(batch[1] @ embedder.embed_queries(["query number 5"])[0]) > 0.98
    assert "query number 1" not in embedder._query_cache
