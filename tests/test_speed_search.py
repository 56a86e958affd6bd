"""The per-query shortcuts of search: no count, ids-only dense side, the revision read only when the store changed."""
from __future__ import annotations

import time

from retrieval.search import Searcher
from retrieval.store import open_store
from retrieval.types import Document
from tests.word_hash import WordHash

DOCS = [Document(source="a.txt", title="Bridge", text="The Harbour bridge opened in 1998 and is 120 metres long."),
        Document(source="b.txt", text="The city council approved a budget of 4 million euros for parks."),
        Document(source="c.txt", text="Rainfall in March was twice the average, the weather office said.")]


def test_an_empty_store_answers_every_mode_with_nothing(tmp_path):
    searcher = Searcher(open_store(tmp_path / "s", embedder=WordHash()))
    for mode in ("dense", "keyword", "hybrid"):
        assert searcher.search("bridge length", mode=mode) == []


def test_hybrid_passages_carry_their_text_and_the_dense_side_matches_dense_mode(tmp_path):
    store = open_store(tmp_path / "s", embedder=WordHash())
    store.ingest(DOCS)
    searcher = Searcher(store)
    hits = searcher.search("how long is the Harbour bridge", k=3)
    assert hits and hits[0].source == "a.txt"
    stored = {p.id: p for p in store.get_passages([p.id for p in hits])}
    for p in hits:
        assert p.text == stored[p.id].text and p.title == stored[p.id].title and p.start == stored[p.id].start
        assert p.score is not None
    dense = searcher.search("how long is the Harbour bridge", k=3, mode="dense")
    assert [p.source for p in dense][0] == "a.txt" and all(0 < p.score <= 1.0001 for p in dense)


def test_a_write_by_another_client_is_seen_by_the_next_search(tmp_path):
    reader = open_store(tmp_path / "s", embedder=WordHash())
    reader.ingest(DOCS[:2])
    time.sleep(0.3)  # long enough that the reader trusts its cached revision
    searcher = Searcher(reader)
    first = reader.revision()
    assert reader.revision() == first and reader._revision_cache is not None  # cached: no Chroma read
    assert not [p for p in searcher.search("rainfall weather office", mode="keyword") if p.source == "c.txt"]
    writer = open_store(tmp_path / "s", embedder=WordHash())  # another client of the same folder
    writer.ingest(DOCS[2:])
    assert reader.revision() != first
    assert searcher.search("rainfall weather office", k=1, mode="keyword")[0].source == "c.txt"
    assert searcher.search("rainfall weather office", k=1)[0].source == "c.txt"
