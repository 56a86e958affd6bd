"""Fusion and pseudo-relevance feedback of hybrid search (retrieval/search.py hybrid_ranking)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Sequence

import numpy as np
import pytest

from retrieval import keyword as keyword_module
from retrieval.keyword import B, K1, KeywordIndex, keyword_index
from retrieval.search import (HybridSettings, SearchError, Searcher, hybrid_ranking, reciprocal_rank_fusion,
                              score_fusion)
from retrieval.store import open_store
from retrieval.types import Document


class VectorsDense:
    """A dense backend over a handful of hand-made vectors."""

    def __init__(self, vectors: dict[str, Sequence[float]]) -> None:
        self.ids = list(vectors)
        matrix = np.asarray(list(vectors.values()), dtype=np.float32)
        self.matrix = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        scores = self.matrix @ vector
        return [(self.ids[i], float(scores[i])) for i in np.argsort(-scores)[:n]]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        return self.matrix[[self.ids.index(i) for i in ids]]


def keyword_only_index(texts: dict[str, str], dates: dict[str, int] | None = None) -> KeywordIndex:
    return KeywordIndex.build(((pid, text, (dates or {}).get(pid, 0)) for pid, text in texts.items()), "test")


DENSE_ONLY = HybridSettings(keyword_weight=0.0)
KEYWORD_ONLY = HybridSettings(dense_weight=0.0)


def test_weighted_rrf_ignores_a_ranking_of_weight_zero():
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], weights=[1.0, 0.0])
    assert fused["a"] > fused["b"]


def test_score_fusion_prefers_items_strong_in_both_and_floors_missing_ones():
    fused = score_fusion([[("a", 0.9), ("b", 0.8), ("c", 0.1)], [("b", 12.0), ("d", 3.0)]], [1.0, 1.0])
    assert max(fused, key=fused.get) == "b"
    assert fused["a"] > fused["d"]  # a: top dense, absent from keyword; d: low keyword, absent from dense


def test_z_scores_do_not_depend_on_the_scale_of_a_ranking():
    dense = [("a", 0.9), ("b", 0.7), ("c", 0.6)]
    keyword = [("c", 9.0), ("b", 8.0), ("a", 1.0)]
    for scale in ("z", "minmax"):
        plain = score_fusion([dense, keyword], [1.0, 0.5], scale)
        stretched = score_fusion([dense, [(i, 100 * s + 7) for i, s in keyword]], [1.0, 0.5], scale)
        assert sorted(plain, key=plain.get) == sorted(stretched, key=stretched.get)
        assert plain == pytest.approx(stretched)


def test_a_side_of_weight_zero_is_not_run():
    dense = VectorsDense({"a": (1, 0), "b": (0, 1)})
    index = keyword_only_index({"a": "ice sheets", "b": "bees and pollination"})
    query = np.asarray([1.0, 0.0], dtype=np.float32)
    assert [i for i, _ in hybrid_ranking(query, "bees", dense, index, 2, DENSE_ONLY)] == ["a", "b"]
    assert [i for i, _ in hybrid_ranking(query, "bees", dense, index, 2, KEYWORD_ONLY)] == ["b"]


def test_rocchio_feedback_pulls_in_neighbours_of_the_top_passage():
    dense = VectorsDense({"top": (0.9, 0.436), "near_top": (0.5, 0.866), "far": (0.6, -0.8)})
    index = keyword_only_index({"top": "x", "near_top": "y", "far": "z"})
    query = np.asarray([1.0, 0.0], dtype=np.float32)
    plain = [i for i, _ in hybrid_ranking(query, "q", dense, index, 3, DENSE_ONLY)]
    fed = [i for i, _ in hybrid_ranking(query, "q", dense, index, 3,
                                        replace(DENSE_ONLY, feedback_passages=1, feedback_weight=1.0))]
    assert plain == ["top", "far", "near_top"]
    assert fed == ["top", "near_top", "far"]


def test_rm3_expansion_finds_a_passage_without_the_query_words():
    texts = {"glacier": "glaciers of the alps melt, ice thinning fast",
             "sheet": "alpine ice thinning measured by satellites",
             "bees": "bees pollinate crops"}
    index = keyword_only_index(texts)
    dense = VectorsDense({"glacier": (1, 0), "sheet": (0, 1), "bees": (-1, 0)})
    query = np.asarray([1.0, 0.0], dtype=np.float32)
    plain = {i for i, _ in hybrid_ranking(query, "glaciers", dense, index, 3, KEYWORD_ONLY)}
    expanded = {i for i, _ in hybrid_ranking(query, "glaciers", dense, index, 3, replace(
        KEYWORD_ONLY, feedback_passages=1, expansion_terms=5, expansion_weight=0.5))}
    assert plain == {"glacier"} and expanded == {"glacier", "sheet"}


def test_feedback_terms_skip_the_query_terms_and_scale_the_heaviest_to_one():
    index = keyword_only_index({"a": "glaciers melt glaciers retreat", "b": "bees"})
    query = index.query_terms("glaciers")
    added = index.feedback_terms(["a"], 5, exclude=query)
    assert added and not set(added) & set(query)
    assert max(added.values()) == pytest.approx(1.0)
    assert index.feedback_terms(["unknown"], 5) == {} and index.feedback_terms(["a"], 0) == {}


def test_keyword_side_of_hybrid_ranking_honours_as_of():
    index = keyword_only_index({"old": "rate rise", "new": "rate rise"}, {"old": 20240101, "new": 20260101})
    dense = VectorsDense({"old": (1, 0), "new": (1, 0.01)})
    found = hybrid_ranking(np.asarray([1.0, 0.0], dtype=np.float32), "rate", dense, index, 2, KEYWORD_ONLY,
                           as_of_number=20250101)
    assert [i for i, _ in found] == ["old"]


def test_bm25_parameters_are_kept_with_the_index_and_a_stale_file_is_rebuilt(tmp_path):
    store = open_store(tmp_path / "s")
    store.ingest([Document(source="a.txt", text="Glaciers in the Alps lost 4% of their volume.")])
    index = keyword_index(store)
    assert index.bm25 == (K1, B)
    path = tmp_path / "s" / keyword_module.INDEX_FILE
    assert KeywordIndex.load(path).bm25 == (K1, B)
    records = [(pid, "glaciers", 0) for pid in index.ids]
    KeywordIndex.build(records, index.revision, k1=2.0, b=1.0).save(path)  # as if written by other settings
    keyword_module._MEMORY.clear()
    assert keyword_index(store).bm25 == (K1, B)


def test_searcher_with_feedback_on_a_real_store(tmp_path):
    store = open_store(tmp_path / "fb")
    store.ingest([
        Document(source="ice.txt", date=date(2024, 9, 10),
                 text="Arctic sea ice reached its lowest summer extent in the satellite record."),
        Document(source="bears.txt", date=date(2026, 3, 1),
                 text="Polar bears depend on sea ice to hunt seals."),
        Document(source="bees.txt", text="Rising temperatures push bees to their physiological limits."),
    ])
    settings = HybridSettings(feedback_passages=2, feedback_weight=0.5, expansion_terms=5, expansion_weight=0.3)
    searcher = Searcher(store, settings=settings)
    hits = searcher.search("lowest summer extent of Arctic sea ice on record", k=3)
    assert hits[0].source == "ice.txt" and hits[0].score >= hits[-1].score
    assert "bears.txt" not in {h.source for h in searcher.search("sea ice", k=3, as_of=date(2025, 1, 1))}


def test_bad_settings_are_clear_errors():
    with pytest.raises(SearchError, match="unknown fusion"):
        HybridSettings(fusion="borda")
    with pytest.raises(SearchError, match="must not be negative"):
        HybridSettings(keyword_weight=-1.0)
