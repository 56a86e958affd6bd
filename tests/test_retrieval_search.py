"""Hybrid search: finds the right passage, fuses dense and BM25, honours as-of and keywords."""
from __future__ import annotations

from datetime import date

import pytest

from retrieval.keyword import KeywordIndex, keyword_index, tokenize
from retrieval.search import SearchError, Searcher, reciprocal_rank_fusion
from retrieval.store import open_store
from retrieval.types import Document

CORPUS = [
    Document(source="troops.txt", date=date(2025, 3, 1),
             text="About 28,500 American troops are stationed in South Korea. The deployment dates from the 1950s."),
    Document(source="ice.txt", date=date(2024, 9, 10),
             text="Arctic sea ice reached its lowest summer extent in the satellite record. Polar bears depend on the ice to hunt seals."),
    Document(source="rates.md", date=date(2026, 2, 1),
             text="# Rates\n\nThe central bank raised its policy rate to 0.75% in January 2026. Inflation stood at 2.9%."),
    Document(source="undated.txt",
             text="The exchange rate closed at 1.5192 against the dollar. Traders expected volatility."),
    Document(source="bees.txt", date=date(2023, 5, 5),
             text="Rising temperatures push bees to their physiological limits. Pollination may decline."),
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("search") / "store")
    store.ingest(CORPUS)
    return Searcher(store)


@pytest.mark.parametrize("query, source", [
    ("How many US soldiers are based in Korea?", "troops.txt"),
    ("polar bears are losing their hunting grounds", "ice.txt"),
    ("interest rate increase by the central bank", "rates.md"),
    ("1.5192", "undated.txt"),
    ("insects suffer from heat", "bees.txt"),
])
def test_hybrid_finds_the_right_passage(searcher, query, source):
    hits = searcher.search(query, k=3)
    assert hits[0].source == source
    assert all(h.score is not None for h in hits) and hits[0].score >= hits[-1].score


def test_passages_carry_offsets_and_metadata(searcher):
    [hit] = searcher.search("central bank policy rate", k=1)
    text = searcher.store.document_text(hit.source)
    assert text[hit.start:hit.end] == hit.text and hit.date == date(2026, 2, 1)


def test_as_of_excludes_later_documents_and_keeps_undated(searcher):
    sources = {h.source for h in searcher.search("rate", k=5, as_of=date(2025, 12, 31))}
    assert "rates.md" not in sources and "undated.txt" in sources
    for mode in ("dense", "keyword"):
        assert "rates.md" not in {h.source for h in searcher.search("central bank rate", k=5, as_of=date(2025, 1, 1), mode=mode)}


def test_keywords_feed_the_keyword_ranking(searcher):
    plain = searcher.search("the figure reported", k=5, mode="keyword")
    boosted = searcher.search("the figure reported", k=5, mode="keyword", keywords=["28,500"])
    assert "troops.txt" not in {h.source for h in plain}
    assert boosted[0].source == "troops.txt"


def test_numbers_match_written_and_bare(searcher):
    assert searcher.search("28500", k=1, mode="keyword")[0].source == "troops.txt"
    assert searcher.search("inflation 2.9%", k=1, mode="keyword")[0].source == "rates.md"


def test_bad_requests_are_clear_errors(searcher):
    with pytest.raises(SearchError, match="empty"):
        searcher.search("  ")
    with pytest.raises(SearchError, match="k must be"):
        searcher.search("x", k=0)
    with pytest.raises(SearchError, match="unknown search mode"):
        searcher.search("x", mode="fuzzy")


def test_keyword_index_follows_store_changes_and_persists(tmp_path):
    store = open_store(tmp_path / "s")
    store.ingest(CORPUS[:2])
    first = keyword_index(store)
    assert (tmp_path / "s" / "keyword_index.npz").is_file()
    store.ingest([Document(source="new.txt", text="Glaciers in the Alps lost 4% of their volume.")])
    second = keyword_index(store)
    assert second.revision != first.revision and len(second.ids) == len(first.ids) + 1
    reloaded = KeywordIndex.load(tmp_path / "s" / "keyword_index.npz")
    assert reloaded.search("glaciers alps", k=1)[0][0] == second.search("glaciers alps", k=1)[0][0]
    store.remove("new.txt")
    assert Searcher(store).search("glaciers alps", k=3, mode="keyword") == []


def test_tokenize_keeps_numbers():
    terms = tokenize("About 28,500 U.S. troops; a 72% rise; rate 1.5192.")
    assert {"28,500", "28500", "72%", "72", "1.5192", "us", "troop"} <= set(terms)
    assert "a" not in terms


def test_reciprocal_rank_fusion_prefers_items_ranked_by_both():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d"]])
    assert max(fused, key=fused.get) == "b"
    assert fused["a"] > fused["d"] > fused["c"]


def test_hybrid_recall_on_a_climate_fever_sample(evaldata_dir, tmp_path):
    """On 200 Climate-FEVER evidence sentences, hybrid search puts gold evidence in the top 5 for most claims (chance is about 0.1)."""
    import json

    docs, queries = {}, []
    with open(evaldata_dir / "climate-fever" / "climate-fever.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            gold = {e["evidence_id"] for e in record["evidences"] if e["evidence_label"] in ("SUPPORTS", "REFUTES")}
            for e in record["evidences"]:
                docs.setdefault(e["evidence_id"], Document(source=e["evidence_id"], text=e["evidence"]))
            if gold:
                queries.append((record["claim"], gold))
            if len(docs) >= 200:
                break
    store = open_store(tmp_path / "cf")
    store.ingest(list(docs.values()))
    searcher = Searcher(store)
    hits = sum(bool({p.source for p in searcher.search(claim, k=5)} & gold) for claim, gold in queries)
    assert hits / len(queries) >= 0.65  # measured 23/31 = 0.74 with minilm-int8
