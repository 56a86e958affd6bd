"""Hybrid search: dense (Chroma) and BM25 rankings fused with reciprocal rank fusion, as-of aware."""
from __future__ import annotations

from datetime import date
from typing import Literal, Sequence

from retrieval.keyword import keyword_index
from retrieval.store import Store, StoreError, _date_number, passage_from_record
from retrieval.types import Passage

SearchMode = Literal["dense", "keyword", "hybrid"]
RRF_K = 60  # the usual constant of reciprocal rank fusion
CANDIDATES = 30  # how deep each ranking is read before fusing


class SearchError(ValueError):
    """A search request is malformed (empty query, bad k or mode)."""


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> dict[str, float]:
    """Fused scores: the sum over rankings of 1 / (k + rank), rank counted from 1."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, 1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


class Searcher:
    """Finds the passages of a store that best match a query."""

    def __init__(self, store: Store, candidates: int = CANDIDATES) -> None:
        self.store = store
        self.candidates = candidates

    def dense(self, query: str, n: int, as_of: date | None = None) -> list[Passage]:
        """Nearest passages by embedding; score is cosine similarity."""
        total = self.store.count()
        if total == 0:
            return []
        vector = self.store.embedder.embed_queries([query])
        where = {"date_num": {"$lte": _date_number(as_of)}} if as_of else None
        try:
            found = self.store.passages.query(query_embeddings=vector, n_results=min(n, total), where=where,
                                              include=["documents", "metadatas", "distances"])
        except Exception as error:
            raise StoreError(f"dense search failed in {self.store.location}: {error}".splitlines()[0]) from None
        return [passage_from_record(i, t, m, score=1.0 - float(d)) for i, t, m, d in
                zip(found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0])]

    def keyword_ranking(self, query: str, n: int, as_of: date | None = None) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best `n` passages, best first."""
        return keyword_index(self.store).search(query, k=n, as_of_number=_date_number(as_of) if as_of else None)

    def keyword(self, query: str, n: int, as_of: date | None = None) -> list[Passage]:
        """Best passages by BM25; score is the BM25 score."""
        scores = dict(self.keyword_ranking(query, n, as_of))
        return [p.model_copy(update={"score": scores[p.id]}) for p in self.store.get_passages(list(scores))]

    def search(self, query: str, k: int = 5, as_of: date | None = None, keywords: Sequence[str] | None = None,
               mode: SearchMode = "hybrid") -> list[Passage]:
        """The top `k` passages for `query`; documents dated after `as_of` are left out (undated ones stay).

        `keywords` (figures, names) are added to the keyword query only. In hybrid mode the score is the
        reciprocal-rank-fusion score (higher is better).
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
        depth = max(self.candidates, k)
        dense_hits = self.dense(query, depth, as_of)
        keyword_ids = [pid for pid, _ in self.keyword_ranking(keyword_query, depth, as_of)]
        fused = reciprocal_rank_fusion([[p.id for p in dense_hits], keyword_ids])
        best = sorted(fused, key=lambda pid: -fused[pid])[:k]
        by_id = {p.id: p for p in dense_hits}
        by_id.update({p.id: p for p in self.store.get_passages([pid for pid in best if pid not in by_id])})
        return [by_id[pid].model_copy(update={"score": fused[pid]}) for pid in best if pid in by_id]
