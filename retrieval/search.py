"""Hybrid search: dense (Chroma) and BM25 rankings fused, with pseudo-relevance feedback, as-of aware.

`hybrid_ranking` is the algorithm, written against two small backends (a dense one and the BM25
`KeywordIndex`) so that bench/retrieval_dev.py tunes exactly the code `Searcher` runs:

1. dense and keyword rankings, `depth` deep each, fused (by default: the sum of their z-normalised scores;
   weighted, reciprocal rank fusion and min-max scores are the alternatives);
2. pseudo-relevance feedback from the top `feedback_passages` of that fused ranking: the query vector is
   moved towards their mean vector (Rocchio) and the keyword query gains their heaviest terms (RM3);
3. the second-round rankings are fused again;
4. optionally (`rerank`), the top `rerank_depth` fused candidates are re-sorted by the learned re-ranker of
   retrieval/rerank.py, which tells the sentence that decides a claim from its neighbours.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Callable, Literal, Protocol, Sequence

import numpy as np

from retrieval.errors import CopydeskError
from retrieval.keyword import KeywordIndex, keyword_index
from retrieval.rerank import Reranker, candidates_from, default_reranker
from retrieval.store import Store, StoreError, _date_number, index_text, passage_from_record
from retrieval.types import Passage

SearchMode = Literal["dense", "keyword", "hybrid"]
RRF_K = 60  # the usual constant of reciprocal rank fusion
CANDIDATES = 30  # how deep each ranking is read before fusing


class SearchError(CopydeskError, ValueError):
    """A search request is malformed (empty query, bad k or mode)."""


@dataclass(frozen=True)
class HybridSettings:
    """How the rankings are fused and fed back; the defaults are measured in bench/retrieval_dev.py.

    Equal-weight z-score fusion beat reciprocal rank fusion on both development sets (recall@5 with
    minilm-q8: FM2 0.689 -> 0.747, VitaminC 0.907 -> 0.922; Climate-FEVER 0.636 -> 0.639). The sets
    disagree on weighting the sides (FM2 wants the dense side, VitaminC the keyword side; the dev mean's
    pick, keyword 0.5, fell to 0.616 on Climate-FEVER), so the sides weigh the same. Feedback is off:
    neither Rocchio nor RM3 helped on both sets.

    The learned re-ranker (`rerank`) is off by default. It lifts FM2's held-out claims (recall@5 0.734 ->
    0.820, MRR@10 0.463 -> 0.537) but did not carry to Climate-FEVER (0.639 -> 0.542), and it costs about
    4 ms a query (p95 at 100k passages 50 -> 56 ms on the shared machine): see retrieval/data/RERANKER.md.
    """

    depth: int = CANDIDATES  # how deep each ranking is read
    fusion: Literal["rrf", "scores", "zscores"] = "zscores"  # reciprocal ranks, min-max or z-normalised scores
    rrf_k: int = RRF_K
    dense_weight: float = 1.0  # 0 turns the dense side off
    keyword_weight: float = 1.0  # 0 turns the keyword side off
    feedback_passages: int = 0  # top fused passages used for feedback (0: none)
    feedback_weight: float = 0.0  # Rocchio: weight of their mean vector added to the query vector
    expansion_terms: int = 0  # RM3: terms of the feedback passages added to the keyword query
    expansion_weight: float = 0.0  # weight of the heaviest added term (an original query term weighs 1)
    rerank: bool = False  # re-sort the top fused candidates with the learned re-ranker (retrieval/rerank.py)
    rerank_depth: int = CANDIDATES  # how many fused candidates the re-ranker sees
    nli_rerank: bool = False  # re-sort the top `nli_depth` by the NLI cross-encoder's relevance (1 - P(NEI))
    nli_depth: int = 20

    def __post_init__(self) -> None:
        if self.fusion not in ("rrf", "scores", "zscores"):
            raise SearchError(f"unknown fusion {self.fusion!r} (rrf, scores or zscores)")
        if self.depth < 1 or min(self.dense_weight, self.keyword_weight) < 0 or self.feedback_passages < 0:
            raise SearchError("depth must be at least 1; weights and feedback passages must not be negative")
        if self.rerank and (self.rerank_depth < 1 or self.dense_weight == 0):
            raise SearchError("re-ranking needs rerank_depth of at least 1 and the dense side (its vectors)")


class DenseBackend(Protocol):
    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(passage id, cosine similarity) of the `n` nearest passages, best first."""

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of the given passages, in that order."""


PassageTexts = Callable[[Sequence[str]], list[tuple[str, str | None]]]  # ids -> (indexed text, title) each


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K,
                           weights: Sequence[float] | None = None) -> dict[str, float]:
    """Fused scores: the sum over rankings of weight / (k + rank), rank counted from 1."""
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings)):
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
    return scores


def score_fusion(rankings: Sequence[Sequence[tuple[str, float]]], weights: Sequence[float],
                 scale: Literal["minmax", "z"] = "minmax") -> dict[str, float]:
    """Fused scores: the weighted sum of each ranking's scores, scaled over the ranking to [0, 1] (min-max)
    or to zero mean and unit spread (z). An item a ranking lacks gets that ranking's lowest scaled score."""
    fused: dict[str, float] = {}
    scaled_rankings = []
    for ranking in rankings:
        values = np.asarray([score for _, score in ranking], dtype=np.float64)
        if scale == "z":
            values = (values - values.mean()) / (values.std() or 1.0) if values.size else values
        else:
            values = (values - values.min()) / (float(values.max() - values.min()) or 1.0) if values.size else values
        scaled_rankings.append(dict(zip([item for item, _ in ranking], values.tolist())))
    items = {item for ranking in scaled_rankings for item in ranking}
    for scaled, weight in zip(scaled_rankings, weights):
        floor = min(scaled.values(), default=0.0)
        for item in items:
            fused[item] = fused.get(item, 0.0) + weight * scaled.get(item, floor)
    return fused


def _fuse(dense: list[tuple[str, float]], keyword: list[tuple[str, float]],
          settings: HybridSettings) -> list[tuple[str, float]]:
    weights = (settings.dense_weight, settings.keyword_weight)
    if settings.fusion != "rrf":
        fused = score_fusion([dense, keyword], weights, "z" if settings.fusion == "zscores" else "minmax")
    else:
        fused = reciprocal_rank_fusion([[i for i, _ in dense], [i for i, _ in keyword]], settings.rrf_k, weights)
    return sorted(fused.items(), key=lambda item: -item[1])


def _normalised(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32)


def hybrid_ranking(query_vector: np.ndarray, keyword_query: str, dense: DenseBackend, index: KeywordIndex,
                   n: int, settings: HybridSettings = HybridSettings(), as_of_number: int | None = None,
                   passage_texts: PassageTexts | None = None,
                   reranker: Reranker | None = None) -> list[tuple[str, float]]:
    """(passage id, score) of the best `n` passages, best first. A side whose weight is 0 is not run.

    The score is the fused score, or with `settings.rerank` the re-ranker's score (which then needs
    `passage_texts`; `reranker` defaults to the shipped one).
    """
    if not settings.rerank:
        return fused_ranking(query_vector, keyword_query, dense, index, n, settings, as_of_number)[0][:n]
    if passage_texts is None:
        raise SearchError("re-ranking needs the passages' texts")
    fused, keyword_hits = fused_ranking(query_vector, keyword_query, dense, index, max(n, settings.rerank_depth),
                                         settings, as_of_number)
    top = fused[: max(n, settings.rerank_depth)]
    ids = [pid for pid, _ in top]
    if not ids:
        return []
    texts = passage_texts(ids)
    candidates = candidates_from(ids, [t for t, _ in texts], [title for _, title in texts], dense.vectors(ids),
                                 dict(keyword_hits), [score for _, score in top])
    order, scores = (reranker or default_reranker()).order(keyword_query, query_vector, candidates)
    return [(ids[i], float(score)) for i, score in zip(order[:n], scores[:n])]


def fused_ranking(query_vector: np.ndarray, keyword_query: str, dense: DenseBackend, index: KeywordIndex,
                   n: int, settings: HybridSettings,
                   as_of_number: int | None) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(the whole fused ranking, the keyword side's (id, BM25) hits), each side read `max(depth, n)` deep."""
    depth = max(settings.depth, n)
    use_dense, use_keyword = settings.dense_weight > 0, settings.keyword_weight > 0
    terms = index.query_terms(keyword_query) if use_keyword else {}
    dense_hits = dense.nearest(query_vector, depth) if use_dense else []
    keyword_hits = index.search_terms(terms, depth, as_of_number) if use_keyword else []
    fused = _fuse(dense_hits, keyword_hits, settings)
    feedback = [pid for pid, _ in fused[: settings.feedback_passages]]
    vectors = dense.vectors(feedback) if feedback and use_dense and settings.feedback_weight > 0 else None
    if vectors is not None and len(vectors):
        centroid = vectors.mean(axis=0)
        dense_hits = dense.nearest(_normalised(query_vector + settings.feedback_weight * centroid), depth)
    if feedback and use_keyword and settings.expansion_terms > 0 and settings.expansion_weight > 0:
        added = index.feedback_terms(feedback, settings.expansion_terms, exclude=terms)
        expanded = {**{c: settings.expansion_weight * w for c, w in added.items()}, **terms}
        keyword_hits = index.search_terms(expanded, depth, as_of_number)
    if feedback:
        fused = _fuse(dense_hits, keyword_hits, settings)
    return fused, keyword_hits


class ChromaDense:
    """The dense backend over a store's Chroma collection, with the as-of filter applied.

    The passages its queries return are kept in `found`, so the caller need not fetch them again.
    """

    def __init__(self, store: Store, as_of: date | None = None, keep_vectors: bool = False,
                 with_texts: bool = True) -> None:
        self.store = store
        self.keep_vectors = keep_vectors  # ask the dense query for the passages' stored vectors (the re-ranker's)
        self.with_texts = with_texts  # False: the query returns ids and scores only (`hybrid` fetches its final k)
        self.where = {"date_num": {"$lte": _date_number(as_of)}} if as_of else None
        self.found: dict[str, Passage] = {}
        self.found_vectors: dict[str, np.ndarray] = {}

    def ranked(self, vector: np.ndarray, n: int, with_vectors: bool = False) -> list[tuple[str, float]]:
        """(id, cosine similarity) of the `n` nearest passages; their passages are kept in `found` with `with_texts`.

        No count first (Chroma answers fewer than `n` when the store holds fewer): a count per query cost about
        as much as the HNSW search itself."""
        include = ["distances", *(["documents", "metadatas"] if self.with_texts else []),
                   *(["embeddings"] if with_vectors else [])]
        try:
            with self.store.reading():
                found = self.store.passages.query(query_embeddings=[vector], n_results=n, where=self.where,
                                                  include=include)
        except StoreError:
            raise
        except Exception as error:
            if self.store.count() == 0:
                return []
            raise StoreError(f"dense search failed in {self.store.location}: {error}".splitlines()[0]) from None
        ids = found["ids"][0]
        ranking = [(i, 1.0 - float(d)) for i, d in zip(ids, found["distances"][0])]
        if self.with_texts:
            self.found.update((i, passage_from_record(i, t, m, score=score)) for (i, score), t, m in
                              zip(ranking, found["documents"][0], found["metadatas"][0]))
        if with_vectors:
            self.found_vectors.update(zip(ids, found["embeddings"][0]))
        return ranking

    def query(self, vector: np.ndarray, n: int, with_vectors: bool = False) -> list[Passage]:
        """The `n` nearest passages, scored by cosine similarity (`with_vectors`: keep their stored vectors)."""
        ranking = self.ranked(vector, n, with_vectors)
        if not self.with_texts:
            self.found.update((p.id, p) for p in self.store.get_passages([i for i, _ in ranking if i not in self.found]))
        return [self.found[i].model_copy(update={"score": score}) for i, score in ranking if i in self.found]

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        return self.ranked(vector, n, with_vectors=self.keep_vectors)

    def fetch(self, ids: Sequence[str]) -> list[Passage]:
        """The given passages (unknown ids skipped), those the dense query did not return fetched in one call
        together with their vectors."""
        missing = [i for i in ids if i not in self.found or i not in self.found_vectors]
        if missing:
            with self.store.reading():
                found = self.store.passages.get(ids=missing, include=["documents", "metadatas", "embeddings"])
            self.found.update((i, passage_from_record(i, t, m))
                              for i, t, m in zip(found["ids"], found["documents"], found["metadatas"]))
            self.found_vectors.update(zip(found["ids"], found["embeddings"]))
        return [self.found[i] for i in ids if i in self.found]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors, from the dense query's result where it had them, else fetched (unknown ids skipped)."""
        self.fetch(ids)
        return np.asarray([self.found_vectors[i] for i in ids if i in self.found_vectors], dtype=np.float32)


# With MiniLM, queries about nothing in the seed corpus ("recipe for banana bread", "football world cup final
# score", random letters) came closest at 0.12-0.24; queries about its stories at 0.58-0.79.
GOOD_MATCH_SIMILARITY = 0.3


class Searcher:
    """Finds the passages of a store that best match a query."""

    def __init__(self, store: Store, candidates: int = CANDIDATES, settings: HybridSettings | None = None,
                 rerank: bool = False) -> None:
        """`rerank` turns the learned re-ranker on (in `settings` too): better evidence, a few ms per query."""
        self.store = store
        self.settings = settings or HybridSettings(depth=candidates)
        if rerank and not self.settings.rerank:
            self.settings = replace(self.settings, rerank=True)

    def dense(self, query: str, n: int, as_of: date | None = None) -> list[Passage]:
        """Nearest passages by embedding; score is cosine similarity."""
        return ChromaDense(self.store, as_of, with_texts=False).query(self.store.embedder.embed_queries([query])[0], n)

    def keyword_ranking(self, query: str, n: int, as_of: date | None = None) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best `n` passages, best first."""
        return keyword_index(self.store).search(query, k=n, as_of_number=_date_number(as_of) if as_of else None)

    def keyword(self, query: str, n: int, as_of: date | None = None) -> list[Passage]:
        """Best passages by BM25; score is the BM25 score."""
        scores = dict(self.keyword_ranking(query, n, as_of))
        return [p.model_copy(update={"score": scores[p.id]}) for p in self.store.get_passages(list(scores))]

    def hybrid(self, query: str, keyword_query: str, n: int, as_of: date | None = None) -> list[Passage]:
        """Best passages by `hybrid_ranking`; score is the fused score (the re-ranker's when it re-ranks)."""
        dense = ChromaDense(self.store, as_of, keep_vectors=self.settings.rerank, with_texts=self.settings.rerank)
        by_id = dense.found

        def passage_texts(ids: Sequence[str]) -> list[tuple[str, str | None]]:
            dense.fetch(ids)
            return [(index_text(by_id[pid].text, by_id[pid].title), by_id[pid].title) if pid in by_id else ("", None)
                    for pid in ids]

        ranking = hybrid_ranking(self.store.embedder.embed_queries([query])[0], keyword_query, dense,
                                 keyword_index(self.store), n, self.settings, _date_number(as_of) if as_of else None,
                                 passage_texts)
        by_id.update((p.id, p) for p in self.store.get_passages([pid for pid, _ in ranking if pid not in by_id]))
        return [by_id[pid].model_copy(update={"score": score}) for pid, score in ranking if pid in by_id]

    def nli_reranked(self, query: str, passages: list[Passage], n: int) -> list[Passage]:
        """The passages re-sorted by the NLI cross-encoder's relevance to the query (score = 1 - P(NEI));
        unchanged (first `n`) where the model cannot run."""
        from retrieval.cross_encoder import get_cross_encoder

        model = get_cross_encoder()
        if model is None or not passages:
            return passages[:n]
        relevance = model.relevance(query, [p.text for p in passages])
        order = sorted(range(len(passages)), key=lambda i: (-float(relevance[i]), i))
        return [passages[i].model_copy(update={"score": float(relevance[i])}) for i in order[:n]]

    def best_similarity(self, query: str, passages: Sequence[Passage]) -> float:
        """The highest embedding similarity between the query and the passages (as the store embeds them);
        below GOOD_MATCH_SIMILARITY nothing found is about the query."""
        if not passages:
            return 0.0
        query_vector = self.store.embedder.embed_queries([query])[0]
        stored = self.store.passages.get(ids=[p.id for p in passages], include=["embeddings"])["embeddings"]
        vectors = np.asarray(stored, dtype=np.float32) if stored is not None and len(stored) else \
            self.store.embedder.embed([index_text(p.text, p.title) for p in passages])  # the stored vectors, else anew
        return float(np.max(vectors @ query_vector))

    def search(self, query: str, k: int = 5, as_of: date | None = None, keywords: Sequence[str] | None = None,
               mode: SearchMode = "hybrid") -> list[Passage]:
        """The top `k` passages for `query`; documents dated after `as_of` are left out (undated ones stay).

        `keywords` (figures, names) are added to the keyword query only. In hybrid mode the score is the
        fused score (higher is better).
        """
        if not query or not query.strip():
            raise SearchError("empty search query")
        if k < 1:
            raise SearchError(f"k must be at least 1, got {k}")
        keyword_query = " ".join([query, *(keywords or ())])
        if mode == "dense":
            return self.dense(query, k, as_of)
        if mode == "keyword":
            return self.keyword(keyword_query, k, as_of)
        if mode != "hybrid":
            raise SearchError(f"unknown search mode {mode!r} (dense, keyword or hybrid)")
        if self.settings.nli_rerank:
            return self.nli_reranked(query, self.hybrid(query, keyword_query, max(k, self.settings.nli_depth), as_of), k)
        return self.hybrid(query, keyword_query, k, as_of)
