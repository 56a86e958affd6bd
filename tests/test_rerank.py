"""The learned re-ranker (retrieval/rerank.py): features, scoring, its shipped weights, and Searcher wiring."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from retrieval.rerank import (LEXICAL_FEATURES, WEIGHTS_FILE, Candidates, Reranker, RerankError, candidates_from,
                              default_reranker, features, lexical_overlap)
from retrieval.search import HybridSettings, SearchError, Searcher, hybrid_ranking
from retrieval.store import open_store
from retrieval.types import Document

from test_hybrid_fusion import VectorsDense, keyword_only_index

COLUMN = {name: i for i, name in enumerate(LEXICAL_FEATURES)}


def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, dtype=np.float64)
    return vector / np.linalg.norm(vector)


def three_candidates() -> tuple[np.ndarray, Candidates]:
    query_vector = unit(1, 0, 0)
    candidates = Candidates(
        ids=["near", "decides", "far"],
        texts=["Hoover Dam.\nThe Hoover Dam stands in the Black Canyon of the Colorado River.",
               "Hoover Dam.\nConstruction finished in 1936, ahead of schedule.",
               "Rainfall varies from year to year."],
        titles=["Hoover Dam", "Hoover Dam", None],
        vectors=np.vstack([unit(1, 0.1, 0), unit(1, 0.5, 0), unit(0, 1, 0)]),
        keyword_scores=np.asarray([4.0, 2.0, 0.0]),
        fused_scores=np.asarray([1.5, 0.2, -1.7]),
    )
    return query_vector, candidates


def test_features_measure_scores_ranks_and_overlap():
    query_vector, candidates = three_candidates()
    x = features("The Hoover Dam was completed in 1936.", query_vector, candidates)
    assert x.shape == (3, len(LEXICAL_FEATURES) + 2 * 3)
    assert x[:, COLUMN["cosine"]] == pytest.approx(candidates.vectors @ query_vector)
    assert x[0, COLUMN["cosine_minus_best"]] == 0.0 and x[2, COLUMN["cosine_minus_best"]] < 0
    assert x[:, COLUMN["bm25_share_of_best"]].tolist() == [1.0, 0.5, 0.0]
    assert x[:, COLUMN["bm25_missing"]].tolist() == [0.0, 0.0, 1.0]
    assert x[:, COLUMN["log_fused_rank"]] == pytest.approx(np.log([1, 2, 3]))
    assert x[:, COLUMN["number_containment"]].tolist() == [0.0, 1.0, 0.0]  # only one has 1936
    assert x[0, COLUMN["title_containment"]] > 0 and x[2, COLUMN["title_containment"]] == 0
    interaction = x[:, len(LEXICAL_FEATURES):len(LEXICAL_FEATURES) + 3]
    assert interaction.sum(axis=1) == pytest.approx(x[:, COLUMN["cosine"]])  # u*v sums to the cosine


def test_lexical_overlap_of_words_pairs_numbers_and_names():
    row = dict(zip(LEXICAL_FEATURES[COLUMN["term_containment"]:],
                   lexical_overlap("Glasgow had 635,000 residents in 2022", "In 2022 Glasgow had 635,000 residents.",
                                   "Glasgow")))
    assert row["term_containment"] == 1.0 and row["number_containment"] == 1.0
    bare = lexical_overlap("Glasgow had 635,000 residents", "Glasgow had 635000 residents.", None)
    assert bare[COLUMN["number_containment"] - COLUMN["term_containment"]] == 1.0  # a figure typed either way
    assert row["query_has_numbers"] == 1.0 and row["extra_passage_numbers"] == 0.0
    assert row["title_in_query"] == 1.0
    other = dict(zip(LEXICAL_FEATURES[COLUMN["term_containment"]:],
                     lexical_overlap("Mayor Susan Aitken visited Edinburgh", "Edinburgh welcomed the visit.", None)))
    assert 0 < other["name_containment"] < 1 and other["title_containment"] == 0.0


def hand_reranker(feature: str, width: int) -> Reranker:
    """A linear model that only looks at one lexical feature."""
    weights = np.zeros(width)
    weights[COLUMN[feature]] = 1.0
    return Reranker(np.zeros(width), np.ones(width), weights, 0.0, {})


def test_a_reranker_orders_by_its_score_and_returns_a_permutation():
    query_vector, candidates = three_candidates()
    reranker = hand_reranker("number_containment", len(LEXICAL_FEATURES) + 6)
    order, scores = reranker.order("The Hoover Dam was completed in 1936.", query_vector, candidates)
    assert sorted(order.tolist()) == [0, 1, 2] and order[0] == 1
    assert list(scores) == sorted(scores, reverse=True)
    with pytest.raises(RerankError, match="expects 10 features"):
        Reranker(np.zeros(10), np.ones(10), np.zeros(10), 0.0, {}).score("q", query_vector, candidates)


def test_candidates_must_line_up():
    with pytest.raises(RerankError, match="differ in length"):
        candidates_from(["a", "b"], ["x"], [None], np.zeros((2, 3)), {}, [1.0, 0.0])


def test_shipped_weights_load_small_and_round_trip(tmp_path):
    assert WEIGHTS_FILE.stat().st_size < 200_000
    reranker = default_reranker()
    assert len(reranker.weights) == len(LEXICAL_FEATURES) + 2 * 384  # MiniLM's 384 dimensions
    assert reranker.metadata["trained_by"] == "scripts/train_reranker.py"
    path = tmp_path / "copy.json"
    reranker.save(path)
    again = Reranker.load(path)
    assert np.allclose(again.weights, reranker.weights, rtol=1e-5) and again.bias == pytest.approx(reranker.bias)


def test_bad_weight_files_are_clear_errors(tmp_path):
    with pytest.raises(RerankError, match="not found"):
        Reranker.load(tmp_path / "missing.json")
    (tmp_path / "text.json").write_text("weights?")
    with pytest.raises(RerankError, match="not JSON"):
        Reranker.load(tmp_path / "text.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(RerankError, match="not a re-ranker file"):
        Reranker.load(tmp_path / "other.json")
    data = default_reranker().to_dict()
    (tmp_path / "short.json").write_text(json.dumps({**data, "weights": data["weights"][:5]}))
    with pytest.raises(RerankError, match="equal-length"):
        Reranker.load(tmp_path / "short.json")


def test_hybrid_ranking_reranks_a_permutation_of_the_fused_candidates():
    dense = VectorsDense({"near": [1, 0.1, 0], "decides": [1, 0.5, 0], "far": [0, 1, 0], "off": [0, 0, 1]})
    texts = {"near": "The dam stands in a canyon.", "decides": "The dam was finished in 1936.",
             "far": "Rain varies.", "off": "Bees are busy."}
    index = keyword_only_index(texts)
    settings = HybridSettings(rerank=True, rerank_depth=3)
    query = "dam finished 1936"
    fused = hybrid_ranking(unit(1, 0, 0), query, dense, index, 3, replace(settings, rerank=False))
    reranked = hybrid_ranking(unit(1, 0, 0), query, dense, index, 3, settings,
                              passage_texts=lambda ids: [(texts[i], None) for i in ids],
                              reranker=hand_reranker("number_containment", len(LEXICAL_FEATURES) + 6))
    assert sorted(pid for pid, _ in reranked) == sorted(pid for pid, _ in fused)
    assert reranked[0][0] == "decides"
    with pytest.raises(SearchError, match="texts"):
        hybrid_ranking(unit(1, 0, 0), query, dense, index, 3, settings)
    with pytest.raises(SearchError, match="dense side"):
        HybridSettings(rerank=True, dense_weight=0.0)


def test_a_real_store_puts_the_deciding_passage_first(tmp_path):
    store = open_store(tmp_path / "dam")
    store.ingest([
        Document(source="neighbour.txt",
                 text="The Hoover Dam is a concrete arch-gravity dam in the Black Canyon of the Colorado River."),
        Document(source="decider.txt", text="Construction finished in 1936, two years ahead of schedule."),
        Document(source="other.txt", text="Rainfall in the region varies widely from year to year."),
    ])
    query = "The Hoover Dam was completed in 1936."
    plain = Searcher(store).search(query, k=3)
    assert plain[0].source == "neighbour.txt"  # similarity alone prefers the passage that names the dam
    reranked = Searcher(store, rerank=True).search(query, k=3)
    assert reranked[0].source == "decider.txt"
    assert sorted(p.id for p in reranked) == sorted(p.id for p in plain)
    assert [p.score for p in reranked] == sorted((p.score for p in reranked), reverse=True)


def test_chroma_candidates_come_with_their_stored_vectors_and_respect_as_of(tmp_path):
    from datetime import date

    from retrieval.search import ChromaDense

    store = open_store(tmp_path / "vectors")
    store.ingest([Document(source="old.txt", date=date(2020, 5, 1), text="The bridge opened to traffic in 2019."),
                  Document(source="new.txt", date=date(2026, 5, 1), text="The bridge closed for repairs in 2026."),
                  Document(source="bees.txt", text="Bees visit clover in early summer.")])
    dense = ChromaDense(store, keep_vectors=True)
    nearest = dense.nearest(store.embedder.embed_queries(["bridge repairs"])[0], 1)
    ids = [nearest[0][0], *[i for i in store.passages.get(include=[])["ids"] if i != nearest[0][0]]]
    vectors = dense.vectors(ids)  # one from the query's result, two fetched
    stored = store.passages.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(stored["ids"], stored["embeddings"]))
    assert np.allclose(vectors, np.asarray([by_id[i] for i in ids]))
    assert [p.id for p in dense.fetch(ids)] == ids
    hits = Searcher(store, rerank=True).search("When did the bridge open or close?", k=3, as_of=date(2025, 1, 1))
    assert "new.txt" not in {p.source for p in hits} and {p.source for p in hits} == {"old.txt", "bees.txt"}
