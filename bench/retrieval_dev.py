"""Retrieval tuning on development sets that are not the scored benchmark: recall@5 and MRR@10 per method.

The scored benchmark is Climate-FEVER (bench/retrieval_bench.py). Methods and parameters are chosen here,
on two development sets (passages titled as the store titles them: `retrieval.store.index_text`):
- fm2: Fool Me Twice dev. Every gold and retrieved evidence sentence of every claim is pooled into one
  corpus (titled with the claim's Wikipedia page); each claim is a query, its gold sentences the hits.
  Its distractors are sentences of the same page picked by a retriever, which makes the keyword side weak.
- vitaminc: the first 4,000 pairs of VitaminC real dev. Evidence sentences pooled (titled with their
  page); each claim with SUPPORTS/REFUTES evidence a query. Its claims reword their evidence closely,
  which makes the keyword side strong. The two sets pull the dense/keyword balance opposite ways.

The learned re-ranker (retrieval/rerank.py, trained by scripts/train_reranker.py) learns from "fm2-train"
(four fifths of FM2's claims), "fever-symmetric" and "vitaminc-synthetic"; judge it on "fm2-heldout" (the
other fifth), never on "fm2" (which holds its training claims). VitaminC real dev is a scored set of the
project's suite: the fusion settings above were tuned on it before that rule; the re-ranker never was.

Run: .venv/bin/python bench/retrieval_dev.py [--set dev|fm2|fm2-heldout|vitaminc|climate-fever|...]
     [--methods NAME,...] [--k1 K1 --b B] [--curve] [--list] [--latency PASSAGES]
`--set climate-fever` is the confirmation run on the scored set; keep it rare (it prints a reminder).
`--latency N` times the real Searcher with and without re-ranking on a store of N filler passages.
`--k1/--b` rebuild every method's keyword index with other BM25 parameters (default: retrieval.keyword's);
`--curve` prints recall@5..100 of the current default, the most a reranker of its top k could reach.

Everything runs in memory with the search code of retrieval/search.py (`hybrid_ranking`) over a numpy
dense backend, so no store is built. Passage and query embeddings are cached on disk under
~/.cache/copydesk/bench/ (the first run embeds about 12,000 sentences: minutes on 2 shared cores).
Set OMP_NUM_THREADS=1 on a shared machine: numpy's threads fight over the cores (17 s instead of 310 s).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval.embeddings import Embedder, get_embedder  # noqa: E402
from retrieval.keyword import KeywordIndex  # noqa: E402
from retrieval.search import HybridSettings, hybrid_ranking  # noqa: E402
from retrieval.store import index_text  # noqa: E402

EVALDATA = REPO.parent / "shared" / "evaldata"
CACHE = Path.home() / ".cache" / "copydesk" / "bench"


@dataclass(frozen=True)
class RetrievalSet:
    name: str
    ids: list[str]  # passage ids
    texts: list[str]  # what is embedded and indexed: title + sentence (retrieval.store.index_text)
    queries: list[tuple[str, set[str]]]  # (claim, gold passage ids)
    titles: list[str | None] | None = None  # each passage's title (the re-ranker's title overlap)


def _passage_id(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fm2_heldout(claim_id: str) -> bool:
    """One FM2 dev claim in five, chosen by a hash of its id, is held out of the re-ranker's training."""
    return int(hashlib.sha256(claim_id.encode()).hexdigest(), 16) % 5 == 0


def load_fm2(path: Path = EVALDATA / "fm2" / "dev.jsonl", split: str = "all") -> RetrievalSet:
    """Fool Me Twice dev: gold and retrieved sentences of all claims pooled, each claim a query.

    `split`: "all" claims, the "train" four fifths or the "heldout" fifth (`fm2_heldout`); the pool is the same.
    """
    texts: dict[str, str] = {}
    titles: dict[str, str | None] = {}
    queries: list[tuple[str, set[str]]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            title = record.get("wikipedia_page")
            gold = set()
            for kind in ("gold_evidence", "retrieved_evidence"):
                for evidence in record[kind]:
                    passage_id = _passage_id(evidence["text"])
                    texts.setdefault(passage_id, index_text(evidence["text"], title))
                    titles.setdefault(passage_id, title)
                    if kind == "gold_evidence":
                        gold.add(passage_id)
            if gold and (split == "all" or (split == "heldout") == fm2_heldout(record["id"])):
                queries.append((record["text"], gold))
    name = "fm2" if split == "all" else f"fm2-{split}"
    return RetrievalSet(name, list(texts), list(texts.values()), queries, list(titles.values()))


def load_fever_symmetric(path: Path = EVALDATA / "fever-symmetric" / "fever_symmetric_dev.jsonl") -> RetrievalSet:
    """FEVER-Symmetric dev (re-ranker training only): its evidence sentences pooled, untitled; each claim a query."""
    texts: dict[str, str] = {}
    gold: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            passage_id = _passage_id(record["evidence"])
            texts.setdefault(passage_id, record["evidence"])
            gold.setdefault(record["claim"], set()).add(passage_id)
    return RetrievalSet("fever-symmetric", list(texts), list(texts.values()), list(gold.items()), [None] * len(texts))


def load_vitaminc_synthetic(path: Path = EVALDATA / "vitaminc" / "vitaminc_synthetic_test.jsonl",
                            pairs: int = 4000) -> RetrievalSet:
    """VitaminC synthetic (re-ranker training only), first `pairs` pairs: a claim's neighbours are the other
    sentences of its page."""
    return _vitaminc_set("vitaminc-synthetic", path, pairs)


def load_vitaminc(path: Path = EVALDATA / "vitaminc" / "vitaminc_real_dev.jsonl", pairs: int = 4000) -> RetrievalSet:
    """VitaminC real dev, first `pairs` pairs."""
    return _vitaminc_set("vitaminc", path, pairs)


def _vitaminc_set(name: str, path: Path, pairs: int) -> RetrievalSet:
    """Evidence sentences of the first `pairs` pairs pooled (titled with their page), each claim with SUPPORTS or
    REFUTES evidence a query; its gold is every sentence it was paired with under those labels."""
    texts: dict[str, str] = {}
    titles: dict[str, str | None] = {}
    gold: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number >= pairs:
                break
            record = json.loads(line)
            passage_id = _passage_id(record["evidence"])
            titles.setdefault(passage_id, record.get("page"))
            texts.setdefault(passage_id, index_text(record["evidence"], record.get("page")))
            if record["label"] in ("SUPPORTS", "REFUTES"):
                gold.setdefault(record["claim"], set()).add(passage_id)
    return RetrievalSet(name, list(texts), list(texts.values()), list(gold.items()), list(titles.values()))


def load_climate_fever() -> RetrievalSet:
    """The scored set, exactly as bench/retrieval_bench.py builds it."""
    from bench.retrieval_bench import load_climate_fever as load

    documents, queries, _ = load()
    return RetrievalSet("climate-fever", [d.source for d in documents],
                        [index_text(d.text, d.title) for d in documents], queries, [d.title for d in documents])


SETS: dict[str, Callable[[], RetrievalSet]] = {"fm2": load_fm2, "vitaminc": load_vitaminc,
                                               "climate-fever": load_climate_fever,
                                               "fm2-train": lambda: load_fm2(split="train"),
                                               "fm2-heldout": lambda: load_fm2(split="heldout"),
                                               "fever-symmetric": load_fever_symmetric,
                                               "vitaminc-synthetic": load_vitaminc_synthetic}
TRAINING_SETS = ("fm2-train", "fever-symmetric", "vitaminc-synthetic")  # the re-ranker learns from these only
DEV_SETS = ("fm2", "vitaminc")


def cached_embeddings(embedder: Embedder, texts: Sequence[str], kind: str) -> np.ndarray:
    """Passage (`kind="passages"`) or query embeddings, cached on disk by content."""
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"{kind}-{embedder.name}-{len(texts)}-{key}.npy"
    if path.is_file():
        return np.load(path)
    started, cpu = time.perf_counter(), time.process_time()
    vectors = embedder.embed_queries(texts) if kind == "queries" else embedder.embed(texts)
    print(f"  embedded {len(texts)} {kind} in {time.perf_counter() - started:.0f} s "
          f"({time.process_time() - cpu:.0f} CPU-s)", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


class MatrixDense:
    """Dense backend over an in-memory matrix of passage vectors (brute-force cosine)."""

    def __init__(self, ids: list[str], vectors: np.ndarray) -> None:
        self.ids = ids
        self.matrix = vectors
        self.row_of = {pid: i for i, pid in enumerate(ids)}

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        scores = self.matrix @ vector
        top = np.argpartition(-scores, min(n, len(scores)) - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top]

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        return self.matrix[[self.row_of[i] for i in ids]]


def passage_texts_of(data: RetrievalSet) -> Callable[[Sequence[str]], list[tuple[str, str | None]]]:
    """The set's (indexed text, title) lookup that the re-ranker reads."""
    row_of = {pid: i for i, pid in enumerate(data.ids)}
    titles = data.titles or [None] * len(data.ids)
    return lambda ids: [(data.texts[row_of[pid]], titles[row_of[pid]]) for pid in ids]


def methods(defaults: HybridSettings) -> dict[str, HybridSettings]:
    """The candidates compared on the development set; `defaults` is what Searcher uses now."""
    base = HybridSettings(fusion="rrf", keyword_weight=1.0)  # the search of before: equal-weight RRF
    scores = replace(base, fusion="scores")
    return {
        "dense": replace(base, keyword_weight=0.0),
        "keyword": replace(base, dense_weight=0.0),
        "hybrid-rrf (before)": base,
        "rrf depth 100": replace(base, depth=100),
        "rrf k=20": replace(base, rrf_k=20),
        "rrf keyword 0.5": replace(base, keyword_weight=0.5),
        "rrf keyword 0.3": replace(base, keyword_weight=0.3),
        "scores": scores,
        "scores keyword 0.7": replace(scores, keyword_weight=0.7),
        "scores keyword 0.5": replace(scores, keyword_weight=0.5),
        "scores keyword 0.3": replace(scores, keyword_weight=0.3),
        "scores depth 100": replace(scores, depth=100),
        "zscores": replace(base, fusion="zscores"),
        "zscores keyword 0.7": replace(base, fusion="zscores", keyword_weight=0.7),
        "zscores keyword 0.5": replace(base, fusion="zscores", keyword_weight=0.5),
        "zscores keyword 0.6": replace(base, fusion="zscores", keyword_weight=0.6),
        "zscores kw 0.6 depth 50": replace(base, fusion="zscores", keyword_weight=0.6, depth=50),
        "zscores kw 0.6 depth 20": replace(base, fusion="zscores", keyword_weight=0.6, depth=20),
        "zscores kw 0.6 + rm3": replace(base, fusion="zscores", keyword_weight=0.6, feedback_passages=3,
                                        expansion_terms=10, expansion_weight=0.3),
        "zscores kw 0.6 + rocchio": replace(base, fusion="zscores", keyword_weight=0.6, feedback_passages=3,
                                            feedback_weight=0.3),
        "dense rocchio 3/0.5": replace(base, keyword_weight=0.0, feedback_passages=3, feedback_weight=0.5),
        "dense rocchio 1/0.3": replace(base, keyword_weight=0.0, feedback_passages=1, feedback_weight=0.3),
        "rrf + rocchio 3/0.5": replace(base, feedback_passages=3, feedback_weight=0.5),
        "rrf + rm3 3/10/0.5": replace(base, feedback_passages=3, expansion_terms=10, expansion_weight=0.5),
        "scores + rocchio 3/0.3": replace(scores, feedback_passages=3, feedback_weight=0.3),
        "scores + rm3 3/10/0.3": replace(scores, feedback_passages=3, expansion_terms=10, expansion_weight=0.3),
        "current default": defaults,
        "current default + rerank": replace(defaults, rerank=True),
        "rerank depth 20": replace(defaults, rerank=True, rerank_depth=20),
        "rerank depth 50": replace(defaults, rerank=True, depth=50, rerank_depth=50),
    }


def evaluate(ranking: Callable[[int], list[str]], queries: list[tuple[str, set[str]]]) -> dict[str, float]:
    hits, reciprocal, seconds = 0, 0.0, []
    for number, (_, gold) in enumerate(queries):
        started = time.perf_counter()
        found = ranking(number)
        seconds.append(time.perf_counter() - started)
        ranks = [rank for rank, pid in enumerate(found[:10], 1) if pid in gold]
        hits += bool(ranks and ranks[0] <= 5)
        reciprocal += 1.0 / ranks[0] if ranks else 0.0
    return {"recall@5": hits / len(queries), "mrr@10": reciprocal / len(queries),
            "p95_ms": float(np.percentile(np.asarray(seconds) * 1000, 95))}


def prepare(name: str, embedder: Embedder, bm25: dict[str, float]) -> tuple[RetrievalSet, np.ndarray, MatrixDense,
                                                                            KeywordIndex]:
    """A set with its query vectors, dense backend and keyword index."""
    data = SETS[name]()
    print(f"{data.name}: {len(data.ids)} passages, {len(data.queries)} queries", flush=True)
    passages = cached_embeddings(embedder, data.texts, "passages")
    queries = cached_embeddings(embedder, [q for q, _ in data.queries], "queries")
    index = KeywordIndex.build(((pid, text, 0) for pid, text in zip(data.ids, data.texts)), "dev", **bm25)
    return data, queries, MatrixDense(data.ids, passages), index


def recall_curve(prepared: tuple[RetrievalSet, np.ndarray, MatrixDense, KeywordIndex], settings: HybridSettings,
                 depths: Sequence[int] = (5, 10, 20, 50, 100)) -> dict[int, float]:
    """Recall@k of `settings` read `max(depths)` deep: how much a reranker of the top k could still gain."""
    data, queries, dense, index = prepared
    deep = replace(settings, depth=max(depths))
    hits = dict.fromkeys(depths, 0)
    for i, (claim, gold) in enumerate(data.queries):
        ranked = [pid for pid, _ in hybrid_ranking(queries[i], claim, dense, index, max(depths), deep)]
        for depth in depths:
            hits[depth] += bool(set(ranked[:depth]) & gold)
    return {depth: count / len(data.queries) for depth, count in hits.items()}


def searcher_latency(size: int, embedder: Embedder, n_queries: int = 200, real_filler: int = 5000) -> None:
    """p50/p95 query latency of the real Searcher, default against re-ranking, on one store of `size` filler
    passages (bench/retrieval_bench.py's filler: sentences of the public sets, vectors cached), the two
    interleaved query by query so that they share the machine's load alike. Queries: FM2 held-out claims."""
    import shutil
    import tempfile

    from bench.retrieval_bench import FillerEmbedder, filler_texts
    from retrieval.search import Searcher
    from retrieval.store import open_store
    from retrieval.types import Document

    texts = filler_texts(size, set())
    claims = [claim for claim, _ in load_fm2(split="heldout").queries][:n_queries]
    directory = Path(tempfile.mkdtemp(prefix="copydesk-rerank-latency-"))
    try:
        store = open_store(directory, embedder=FillerEmbedder(embedder, texts, real_limit=real_filler))
        started = time.perf_counter()
        store.ingest([Document(source=f"filler:{i}", text=t) for i, t in enumerate(texts)], batch_size=1000)
        print(f"store of {store.count()} passages written in {time.perf_counter() - started:.0f} s", flush=True)
        searchers = {"hybrid": Searcher(store), "hybrid + rerank": Searcher(store, settings=HybridSettings(rerank=True))}
        for searcher in searchers.values():
            searcher.search("warm up the keyword index and the model")
        wall: dict[str, list[float]] = {name: [] for name in searchers}
        cpu: dict[str, list[float]] = {name: [] for name in searchers}
        for claim in claims:
            for name, searcher in searchers.items():
                started, cpu_started = time.perf_counter(), time.process_time()
                searcher.search(claim, k=5)
                wall[name].append(time.perf_counter() - started)
                cpu[name].append(time.process_time() - cpu_started)
        for name in searchers:
            ms, cpu_ms = np.asarray(wall[name]) * 1000, np.asarray(cpu[name]) * 1000
            print(f"  {name:16s} p50 {np.percentile(ms, 50):6.1f} ms  p95 {np.percentile(ms, 95):6.1f} ms  "
                  f"(CPU p50 {np.percentile(cpu_ms, 50):5.1f} ms, p95 {np.percentile(cpu_ms, 95):5.1f} ms)")
        print(f"  load average {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*sorted(SETS), "dev"], default="dev",
                        help="dev (default): the development sets, " + " and ".join(DEV_SETS))
    parser.add_argument("--embedder", default=None, help="default: the project default")
    parser.add_argument("--methods", default="", help="comma-separated method names to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the method names and stop")
    parser.add_argument("--curve", action="store_true",
                        help="only recall@5..100 of the current default read 100 deep (the ceiling of a reranker)")
    parser.add_argument("--latency", type=int, default=0, metavar="PASSAGES",
                        help="only the real Searcher's query latency with and without re-ranking on a store of "
                             "this many filler passages")
    parser.add_argument("--k1", type=float, default=None, help="BM25 k1 for the keyword index")
    parser.add_argument("--b", type=float, default=None, help="BM25 b for the keyword index")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(methods(HybridSettings())))
        return 0
    if args.latency:
        searcher_latency(args.latency, get_embedder(args.embedder))
        return 0
    names = list(DEV_SETS) if args.set == "dev" else [args.set]
    if "climate-fever" in names:
        print("NOTE: Climate-FEVER is the scored set: confirm chosen settings only, never tune on it.")
    embedder = get_embedder(args.embedder)
    bm25 = {key: value for key, value in (("k1", args.k1), ("b", args.b)) if value is not None}
    prepared = [prepare(name, embedder, bm25) for name in names]
    if args.curve:
        for one in prepared:
            curve = recall_curve(one, HybridSettings())
            print(f"{one[0].name}: " + "  ".join(f"recall@{k} {value:.3f}" for k, value in curve.items()))
        return 0
    wanted = [m for m in args.methods.split(",") if m]
    lookups = [passage_texts_of(data) for data, *_ in prepared]
    started, cpu = time.perf_counter(), time.process_time()
    header = "".join(f" {data.name[:13] + ' R@5':>17s} {'MRR':>5s}" for data, *_ in prepared)
    print(f"{'method':26s}{header}{' mean R@5':>10s} {'p95 ms':>7s}")
    for name, settings in methods(HybridSettings()).items():
        if wanted and name not in wanted:
            continue
        rows = [evaluate(lambda i: [pid for pid, _ in hybrid_ranking(queries[i], data.queries[i][0], dense, index, 10,
                                                                    settings, passage_texts=texts)], data.queries)
                for (data, queries, dense, index), texts in zip(prepared, lookups)]
        cells = "".join(f" {row['recall@5']:17.3f} {row['mrr@10']:5.3f}" for row in rows)
        mean = sum(row["recall@5"] for row in rows) / len(rows)
        print(f"{name:26s}{cells}{mean:10.3f} {max(row['p95_ms'] for row in rows):7.1f}", flush=True)
    print(f"({time.perf_counter() - started:.0f} s wall, {time.process_time() - cpu:.0f} CPU-s, "
          f"load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
