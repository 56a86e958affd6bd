"""BM25 keyword index over the store's passages (numpy + scipy sparse), built lazily and cached on disk.

Tokens keep numbers whole ("28,500", "72%", "1.5192") and also add their bare form ("28500", "72"),
so a figure typed either way matches.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse

from retrieval.store import Store, index_text

K1 = 0.9  # BM25 parameters for sentence-long passages (dev sets, bench/retrieval_dev.py: keyword recall@5
B = 0.4   # FM2 0.512 -> 0.533, VitaminC 0.912 -> 0.913 against the textbook 1.2 / 0.75)
INDEX_FILE = "keyword_index.npz"
_TOKEN = re.compile(r"(?:[^\W\d_]\.){2,}|\d+(?:[.,]\d+)*%?|[^\W\d_]+(?:['’][^\W\d_]+)?|\d+", re.UNICODE)
STOPWORDS = frozenset(
    """a an the and or but of to in on at for by with from as is are was were be been being it its this that these
    those there their they them he she his her we our you your i not no do does did has have had than then so such
    which who whom what when where why how all any can could would should will may might also into over about
    after before between during if while s""".split()
)


def _stem(word: str) -> str:
    """A light English stemmer: enough to match plurals and simple verb forms."""
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def tokenize(text: str) -> list[str]:
    """Lower-cased index terms: stemmed words without stopwords, and numbers as written plus bare."""
    terms: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if token.endswith(".") and not token[0].isdigit():
            terms.append(token.replace(".", ""))  # "U.S." -> "us"
        elif token[0].isdigit():
            terms.append(token)
            bare = token.rstrip("%").replace(",", "")
            if bare != token:
                terms.append(bare)
        elif token not in STOPWORDS:
            terms.append(_stem(token.replace("’", "'")))
    return terms


class KeywordIndex:
    """BM25 over passages; `search` returns (passage id, score) best first."""

    def __init__(self, ids: list[str], date_numbers: np.ndarray, vocabulary: dict[str, int],
                 weights: sparse.csc_matrix, revision: str, bm25: tuple[float, float] | None = (K1, B)) -> None:
        self.ids = ids
        self.bm25 = bm25  # (k1, b) the weights were computed with; None when unknown (an older file)
        self.date_numbers = date_numbers
        self.vocabulary = vocabulary
        self.weights = weights  # passages x terms, BM25 term weights, column-sliceable
        self.revision = revision
        self._rows: sparse.csr_matrix | None = None  # the same weights, row-sliceable (built on first feedback)
        self._row_of: dict[str, int] | None = None

    @classmethod
    def build(cls, records: Iterable[tuple[str, str, int]], revision: str, k1: float = K1,
              b: float = B) -> "KeywordIndex":
        """Index (passage id, text, date as YYYYMMDD or 0) records; `k1` and `b` are BM25's parameters."""
        ids: list[str] = []
        dates: list[int] = []
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        lengths: list[int] = []
        for row, (passage_id, text, date_number) in enumerate(records):
            ids.append(passage_id)
            dates.append(date_number)
            terms = tokenize(text)
            lengths.append(len(terms))
            for term in terms:
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                rows.append(row)
        n_docs, n_terms = len(ids), len(vocabulary)
        counts = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(n_docs, n_terms))
        counts.sum_duplicates()
        length = np.asarray(lengths, dtype=np.float32)
        average = float(length.mean()) if n_docs else 1.0
        document_frequency = np.bincount(counts.indices, minlength=n_terms).astype(np.float32)
        idf = np.log1p((n_docs - document_frequency + 0.5) / (document_frequency + 0.5)).astype(np.float32)
        row_of_entry = np.repeat(np.arange(n_docs), np.diff(counts.indptr))
        tf = counts.data
        norm = k1 * (1 - b + b * length[row_of_entry] / max(average, 1e-9))
        counts.data = (tf * (k1 + 1) / (tf + norm) * idf[counts.indices]).astype(np.float32)
        return cls(ids, np.asarray(dates, dtype=np.int64), vocabulary, counts.tocsc(), revision, (k1, b))

    def query_terms(self, query: str) -> dict[int, float]:
        """The query's indexed terms as {column: weight 1.0} (a term typed twice counts once)."""
        return {self.vocabulary[t]: 1.0 for t in tokenize(query) if t in self.vocabulary}

    def search(self, query: str, k: int = 5, as_of_number: int | None = None) -> list[tuple[str, float]]:
        """(passage id, BM25 score) of the best `k` passages for `query`, best first."""
        return self.search_terms(self.query_terms(query), k, as_of_number)

    def search_terms(self, terms: dict[int, float], k: int = 5,
                     as_of_number: int | None = None) -> list[tuple[str, float]]:
        """Like `search`, for a weighted query {column: weight} (an expanded query, say)."""
        if not terms or not self.ids:
            return []
        columns = sorted(terms)
        weights = np.asarray([terms[c] for c in columns], dtype=np.float32)
        scores = np.asarray(self.weights[:, columns] @ weights).ravel()
        if as_of_number is not None:
            scores[(self.date_numbers > as_of_number)] = 0.0
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        best = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in best]

    def feedback_terms(self, passage_ids: Sequence[str], n_terms: int, exclude: Iterable[int] = ()) -> dict[int, float]:
        """RM3-style expansion: the `n_terms` terms that weigh most in the given (top-ranked) passages.

        Each passage's BM25 weights are normalised to sum 1 and averaged; the result is {column: weight},
        the heaviest term weighing 1.0. Columns in `exclude` (the query's own terms) are skipped.
        """
        if n_terms < 1:
            return {}
        if self._rows is None or self._row_of is None:
            self._rows = self.weights.tocsr()
            self._row_of = {pid: row for row, pid in enumerate(self.ids)}
        rows = [self._row_of[pid] for pid in passage_ids if pid in self._row_of]
        if not rows:
            return {}
        block = self._rows[rows]
        totals = np.asarray(block.sum(axis=1)).ravel()
        block = sparse.diags(1.0 / np.maximum(totals, 1e-9)) @ block
        mass = np.asarray(block.sum(axis=0)).ravel()
        skip = list(exclude)
        if skip:
            mass[skip] = 0.0
        best = np.argsort(-mass)[:n_terms]
        best = best[mass[best] > 0]
        if best.size == 0:
            return {}
        top = float(mass[best[0]])
        return {int(c): float(mass[c] / top) for c in best}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".tmp.npz")
        np.savez(partial, data=self.weights.data, indices=self.weights.indices, indptr=self.weights.indptr,
                 shape=np.asarray(self.weights.shape), dates=self.date_numbers,
                 ids=np.asarray(json.dumps(self.ids)), vocabulary=np.asarray(json.dumps(self.vocabulary)),
                 revision=np.asarray(self.revision), bm25=np.asarray(self.bm25 or (np.nan, np.nan)))
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> "KeywordIndex":
        with np.load(path, allow_pickle=False) as data:
            weights = sparse.csc_matrix((data["data"], data["indices"], data["indptr"]), shape=tuple(data["shape"]))
            bm25 = tuple(float(x) for x in data["bm25"]) if "bm25" in data.files else None
            return cls(json.loads(str(data["ids"])), data["dates"], json.loads(str(data["vocabulary"])), weights,
                       str(data["revision"]), bm25 if bm25 and not any(np.isnan(bm25)) else None)


def _index_path(store: Store) -> Path:
    if store.local_dir is not None:
        return store.local_dir / INDEX_FILE
    key = hashlib.sha256(store.location.encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "copydesk" / "keyword" / key / INDEX_FILE


_MEMORY: dict[str, KeywordIndex] = {}


def keyword_index(store: Store) -> KeywordIndex:
    """The store's BM25 index: from memory, else from disk, else built, as long as the store's revision and
    the BM25 parameters match."""
    revision = store.revision()
    path = _index_path(store)
    cached = _MEMORY.get(str(path))
    if cached is not None and cached.revision == revision and cached.bm25 == (K1, B):
        return cached
    index = None
    if path.is_file():
        try:
            index = KeywordIndex.load(path)
        except (OSError, ValueError, KeyError):
            index = None
        if index is not None and (index.revision != revision or index.bm25 != (K1, B)):
            index = None
    if index is None:
        records = ((pid, index_text(text, meta.get("title")), int(meta.get("date_num") or 0))
                   for pid, text, meta in store.iter_passages())
        index = KeywordIndex.build(records, revision)
        try:
            index.save(path)
        except OSError:
            pass  # a read-only store still searches, just without the disk cache
    _MEMORY[str(path)] = index
    return index
