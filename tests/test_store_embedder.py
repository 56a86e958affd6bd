"""A store remembers its embedder: one built with the former default (minilm-int8) keeps working."""
from __future__ import annotations

import pytest

from retrieval.embeddings import DEFAULT_EMBEDDER, EmbedderUnavailable, get_embedder
from retrieval.search import Searcher
from retrieval.store import StoreError, open_store
from retrieval.types import Document

DOCS = [Document(source="tides.txt", text="Spring tides at the harbour reached 6.1 metres in March."),
        Document(source="budget.txt", text="The city council approved a budget of 2.3 billion euros.")]


@pytest.fixture(scope="module")
def old_store(tmp_path_factory):
    try:
        get_embedder("minilm-int8"), get_embedder(DEFAULT_EMBEDDER)
    except EmbedderUnavailable as error:
        pytest.skip(str(error))
    path = tmp_path_factory.mktemp("old") / "store"
    open_store(path, embedder="minilm-int8").ingest(DOCS)
    return path


def test_default_is_not_the_old_embedder():
    assert DEFAULT_EMBEDDER != "minilm-int8"


def test_old_store_opens_with_its_own_embedder_and_searches(old_store, monkeypatch):
    store = open_store(old_store)
    assert store.embedder.name == "minilm-int8" and store.stats()["embedder"] == "minilm-int8"
    [top] = Searcher(store).search("How high were the harbour tides?", k=1, mode="dense")
    assert top.source == "tides.txt"
    store.ingest([Document(source="rail.txt", text="The new rail line carries 40,000 passengers a day.")])
    assert open_store(old_store).stats()["embedder"] == "minilm-int8"  # a later write keeps the recorded name


def test_old_store_refuses_an_explicit_other_embedder(old_store):
    with pytest.raises(StoreError, match="built with embedder 'minilm-int8'"):
        open_store(old_store, embedder=get_embedder(DEFAULT_EMBEDDER))
