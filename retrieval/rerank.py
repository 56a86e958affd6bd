"""A learned re-ranker of hybrid search's top candidates: which sentence decides the query, not just which is near.

Each (query, candidate) pair gets a feature vector (`features`): the retrieval scores and ranks within the
candidate list (cosine, BM25, fused), lexical overlap of query and passage (content words, adjacent word
pairs, numbers, capitalised names, title words) and the semantic interaction of the two MiniLM vectors
(u*v and |u-v|, one feature per dimension). A linear model over the standardised features scores each
candidate; the candidates are re-sorted by that score.

The model is trained by scripts/train_reranker.py (scikit-learn) and shipped as numbers in a small JSON file
(retrieval/data/reranker.json, provenance in retrieval/data/RERANKER.md); at run time it is plain numpy.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from retrieval.errors import CopydeskError
from retrieval.keyword import tokenize

WEIGHTS_FILE = Path(__file__).resolve().parent / "data" / "reranker.json"
FORMAT = "copydesk.reranker/1"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]+")

LEXICAL_FEATURES = (
    "cosine", "cosine_minus_best", "cosine_z", "bm25_share_of_best", "bm25_z", "bm25_missing",
    "log_dense_rank", "log_keyword_rank", "log_fused_rank", "fused_z",
    "term_containment", "pair_containment", "passage_term_share", "title_containment", "title_in_query",
    "number_containment", "query_has_numbers", "extra_passage_numbers", "name_containment", "log_passage_terms",
)


class RerankError(CopydeskError, ValueError):
    """The re-ranker's weights are missing or malformed, or its inputs do not line up."""


@dataclass(frozen=True)
class Candidates:
    """The candidates of one query, in fused order (best first)."""

    ids: list[str]
    texts: list[str]  # what was indexed: title + sentence (retrieval.store.index_text)
    titles: list[str | None]
    vectors: np.ndarray  # (n, dim), L2-normalised passage vectors
    keyword_scores: np.ndarray  # BM25 score; 0 where the keyword side did not find the passage
    fused_scores: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.ids)
        if not (len(self.texts) == len(self.titles) == len(self.vectors) == len(self.keyword_scores)
                == len(self.fused_scores) == n):
            raise RerankError(f"candidate fields differ in length ({n} ids, {len(self.vectors)} vectors)")


def _zscores(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


def _ranks(values: np.ndarray) -> np.ndarray:
    """1 for the highest value, ties broken by position."""
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[np.argsort(-values, kind="stable")] = np.arange(1, len(values) + 1)
    return ranks


def _share(wanted: set[str], found: set[str]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 0.0


@dataclass(frozen=True)
class QueryTerms:
    """What the overlap features need of a query, worked out once per query."""

    terms: set[str]
    pairs: set[tuple[str, str]]
    numbers: set[str]
    names: set[str]

    @classmethod
    def of(cls, query: str) -> "QueryTerms":
        terms = tokenize(query)
        names = {name.lower() for name in _CAPITALISED.findall(query)[1:] if len(name) > 1}  # the first one is
        return cls(set(terms), set(zip(terms, terms[1:])), _numbers(query), names)  # often just a sentence's start


def _numbers(text: str) -> set[str]:
    return {number.replace(",", "") for number in _NUMBER.findall(text)}


def lexical_overlap(query: str | QueryTerms, text: str, title: str | None) -> list[float]:
    """Overlap features of one pair, in LEXICAL_FEATURES order from "term_containment" on."""
    wanted = query if isinstance(query, QueryTerms) else QueryTerms.of(query)
    passage_list = tokenize(text)
    passage_terms = set(passage_list)
    title_terms = set(tokenize(title)) if title else set()
    passage_numbers = _numbers(text)
    lowered = text.lower()
    return [
        _share(wanted.terms, passage_terms),
        _share(wanted.pairs, set(zip(passage_list, passage_list[1:]))),
        len(wanted.terms & passage_terms) / max(len(passage_terms), 1),
        _share(wanted.terms, title_terms),
        _share(title_terms, wanted.terms),
        _share(wanted.numbers, passage_numbers),
        float(bool(wanted.numbers)),
        float(np.log1p(len(passage_numbers - wanted.numbers))),
        sum(name in lowered for name in wanted.names) / len(wanted.names) if wanted.names else 0.0,
        float(np.log1p(len(passage_list))),
    ]


def features(query: str, query_vector: np.ndarray, candidates: Candidates) -> np.ndarray:
    """(n, len(LEXICAL_FEATURES) + 2 * dim) features of each candidate for `query`."""
    vectors = np.asarray(candidates.vectors, dtype=np.float64)
    query_vector = np.asarray(query_vector, dtype=np.float64)
    if vectors.ndim != 2 or vectors.shape[1] != query_vector.shape[0]:
        raise RerankError(f"passage vectors {vectors.shape} do not match the query vector {query_vector.shape}")
    cosine = vectors @ query_vector
    bm25 = np.asarray(candidates.keyword_scores, dtype=np.float64)
    fused = np.asarray(candidates.fused_scores, dtype=np.float64)
    best_bm25 = float(bm25.max()) if bm25.size else 0.0
    scores = np.column_stack([
        cosine, cosine - cosine.max(), _zscores(cosine),
        bm25 / best_bm25 if best_bm25 > 0 else np.zeros_like(bm25), _zscores(bm25), (bm25 <= 0).astype(np.float64),
        np.log(_ranks(cosine)), np.log(_ranks(bm25)), np.log(np.arange(1, len(fused) + 1)), _zscores(fused),
    ])
    wanted = QueryTerms.of(query)
    lexical = np.asarray([lexical_overlap(wanted, text, title)
                          for text, title in zip(candidates.texts, candidates.titles)], dtype=np.float64)
    return np.hstack([scores, lexical.reshape(len(cosine), -1), vectors * query_vector,
                      np.abs(vectors - query_vector)])


@dataclass(frozen=True)
class Reranker:
    """A linear scorer over standardised features: score = ((x - mean) / scale) @ weights + bias."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    metadata: dict

    def score(self, query: str, query_vector: np.ndarray, candidates: Candidates) -> np.ndarray:
        """One score per candidate (higher: more likely the passage that decides the query)."""
        if not candidates.ids:
            return np.zeros(0)
        x = features(query, query_vector, candidates)
        if x.shape[1] != len(self.weights):
            raise RerankError(f"the re-ranker expects {len(self.weights)} features, got {x.shape[1]} "
                              "(was it trained with another embedder?)")
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def order(self, query: str, query_vector: np.ndarray, candidates: Candidates) -> tuple[np.ndarray, np.ndarray]:
        """(candidate positions best first, their scores): a permutation of range(len(candidates.ids))."""
        scores = self.score(query, query_vector, candidates)
        order = np.argsort(-scores, kind="stable")
        return order, scores[order]

    def to_dict(self) -> dict:
        def rounded(values: np.ndarray) -> list[float]:
            return [float(f"{v:.6g}") for v in values]

        return {"format": FORMAT, "features": len(self.weights), "mean": rounded(self.mean),
                "scale": rounded(self.scale), "weights": rounded(self.weights), "bias": float(f"{self.bias:.6g}"),
                "metadata": self.metadata}

    def save(self, path: Path = WEIGHTS_FILE) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), separators=(",", ":")) + "\n", encoding="utf-8")

    @classmethod
    def from_dict(cls, data: dict) -> "Reranker":
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise RerankError(f"not a re-ranker file (format {FORMAT!r} expected)")
        try:
            arrays = [np.asarray(data[key], dtype=np.float64) for key in ("mean", "scale", "weights")]
            bias = float(data["bias"])
        except (KeyError, TypeError, ValueError) as error:
            raise RerankError(f"malformed re-ranker weights: {error}") from None
        if len({a.shape for a in arrays}) != 1 or arrays[0].ndim != 1 or np.any(arrays[1] <= 0):
            raise RerankError("re-ranker mean, scale and weights must be equal-length lists, scales positive")
        return cls(*arrays, bias=bias, metadata=dict(data.get("metadata") or {}))

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> "Reranker":
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise RerankError(f"re-ranker weights not found at {path} (run scripts/train_reranker.py)") from None
        except json.JSONDecodeError as error:
            raise RerankError(f"re-ranker weights at {path} are not JSON: {error}") from None


@lru_cache(maxsize=4)
def default_reranker(path: str = str(WEIGHTS_FILE)) -> Reranker:
    """The shipped re-ranker, loaded once."""
    return Reranker.load(Path(path))


def candidates_from(ids: Sequence[str], texts: Sequence[str], titles: Sequence[str | None], vectors: np.ndarray,
                    keyword_scores: dict[str, float], fused_scores: Sequence[float]) -> Candidates:
    """Candidates from parallel lists and a {passage id: BM25 score} of the keyword side's hits."""
    return Candidates(list(ids), list(texts), list(titles), np.asarray(vectors, dtype=np.float32),
                      np.asarray([keyword_scores.get(pid, 0.0) for pid in ids], dtype=np.float64),
                      np.asarray(fused_scores, dtype=np.float64))
