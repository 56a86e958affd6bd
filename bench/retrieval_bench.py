"""Retrieval benchmark on Climate-FEVER: recall@5 and MRR (dense, keyword, hybrid), ingest throughput,
query latency at 10k and 100k passages, embedder comparison and peak memory.

Run: .venv/bin/python bench/retrieval_bench.py [--quick | --no-latency] [--embedders minilm-q8,minilm-int8]
--quick skips the 100k-passage latency run, --no-latency both latency runs. The machine's load average is recorded with the timings. Results: bench/results/retrieval.json (not committed).
Filler passages for the latency runs are sentences of the other public sets in ../shared/evaldata (and
recombinations of their halves when they run out); they live only in memory and in a local cache.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Sequence

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from retrieval.chunking import chunk_document  # noqa: E402
from retrieval.embeddings import Embedder, EmbedderUnavailable, get_embedder  # noqa: E402
from retrieval.search import HybridSettings, Searcher  # noqa: E402
from retrieval.store import index_text, open_store  # noqa: E402
from retrieval.types import Document  # noqa: E402

EVALDATA = REPO.parent / "shared" / "evaldata"
CLIMATE_FEVER = EVALDATA / "climate-fever" / "climate-fever.jsonl"
RESULTS = REPO / "bench" / "results" / "retrieval.json"
CACHE = REPO / ".cache" / "bench"
GOLD_LABELS = {"SUPPORTS", "REFUTES"}


def load_climate_fever(limit: int | None = None) -> tuple[list[Document], list[tuple[str, set[str]]], int]:
    """Evidence sentences as documents (one per evidence id), queries with their gold evidence ids.

    With `limit`, only the first `limit` claims and their evidence (for the slower embedder comparison).
    """
    documents: dict[str, Document] = {}
    queries: list[tuple[str, set[str]]] = []
    entries = 0
    with open(CLIMATE_FEVER, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if limit and number >= limit:
                break
            record = json.loads(line)
            gold = set()
            for evidence in record["evidences"]:
                entries += 1
                documents.setdefault(evidence["evidence_id"], Document(
                    source=evidence["evidence_id"], text=evidence["evidence"], title=evidence["article"]))
                if evidence["evidence_label"] in GOLD_LABELS:
                    gold.add(evidence["evidence_id"])
            if gold:
                queries.append((record["claim"], gold))
    return list(documents.values()), queries, entries


def filler_texts(n: int, exclude: set[str], seed: int = 7) -> list[str]:
    """`n` distinct sentences from the other public sets, recombined halves when they run out."""
    seen = set(exclude)
    texts: list[str] = []

    def add(text: object) -> None:
        if isinstance(text, str) and len(text) > 20 and text not in seen:
            seen.add(text)
            texts.append(text)

    for name in ("vitaminc/vitaminc_real_dev.jsonl", "vitaminc/vitaminc_synthetic_test.jsonl",
                 "fever-symmetric/fever_symmetric_dev.jsonl", "fm2/dev.jsonl"):
        path = EVALDATA / name
        if not path.is_file():
            continue
        for line in path.open(encoding="utf-8"):
            record = json.loads(line)
            add(record.get("evidence"))
            add(record.get("claim"))
            for item in record.get("gold_evidence", []) + record.get("retrieved_evidence", []):
                add(item.get("text"))
    rng = random.Random(seed)
    base = list(texts)
    while len(texts) < n and base:
        first, second = rng.choice(base).split(), rng.choice(base).split()
        add(" ".join(first[: len(first) // 2] + second[len(second) // 2:]))
    return texts[:n]


class FillerEmbedder:
    """The store's embedder, with filler passage vectors computed once and cached on disk.

    The first `real_limit` filler texts are embedded by the model. Beyond that (the 100k run on a small
    shared machine), a filler vector is a real filler vector plus Gaussian noise, renormalised: the store
    and the HNSW index see a realistic, clustered vector distribution, and the keyword index sees real
    text; only the filler's semantic content is not exact. Queries are always embedded by the model.
    """

    def __init__(self, base: Embedder, filler: Sequence[str], real_limit: int, seed: int = 11) -> None:
        self.base, self.name, self.dim = base, base.name, base.dim
        real = list(filler[:real_limit])
        key = hashlib.sha256("\n".join(real).encode()).hexdigest()[:16]
        path = CACHE / f"filler-{base.name}-{len(real)}-{key}.npy"
        if path.is_file():
            vectors = np.load(path)
        else:
            started = time.perf_counter()
            vectors = base.embed(real)
            print(f"  embedded {len(real)} filler passages in {time.perf_counter() - started:.0f} s", flush=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, vectors)
        extra = len(filler) - len(real)
        if extra > 0:
            rng = np.random.default_rng(seed)
            noisy = vectors[rng.integers(0, len(real), extra)] + rng.normal(0, 0.35 / np.sqrt(self.dim), (extra, self.dim))
            vectors = np.vstack([vectors, noisy / np.linalg.norm(noisy, axis=1, keepdims=True)]).astype(np.float32)
        self.cache = dict(zip(filler, vectors))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.base.embed(missing)))
        return np.stack([self.cache[t] for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.base.embed_queries(texts)


def evaluate(searcher: Searcher, queries: list[tuple[str, set[str]]], mode: str, depth: int = 10) -> dict:
    hits, reciprocal, latencies = 0, 0.0, []
    base = getattr(searcher.store.embedder, "base", searcher.store.embedder)
    for claim, gold in queries:
        getattr(base, "_query_cache", {}).clear()  # every query embedded anew: modes run the same queries
        started = time.perf_counter()
        found = searcher.search(claim, k=depth, mode=mode)
        latencies.append(time.perf_counter() - started)
        sources = [p.source for p in found]
        ranks = [i for i, source in enumerate(sources, 1) if source in gold]
        hits += bool(ranks and ranks[0] <= 5)
        reciprocal += 1.0 / ranks[0] if ranks else 0.0
    n = len(queries)
    return {"recall@5": round(hits / n, 4), "mrr@10": round(reciprocal / n, 4), "queries": n,
            **latency_summary(latencies)}


def latency_summary(latencies: list[float]) -> dict:
    ms = np.asarray(latencies) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2)}


def compare_embedders(names: list[str], documents: list[Document], queries: list[tuple[str, set[str]]]) -> dict:
    """Dense recall@5 of each embedder by brute-force cosine (no store, title + text as the store embeds them)."""
    results = {}
    sources = np.asarray([d.source for d in documents])
    for name in names:
        try:
            embedder = get_embedder(name)
        except EmbedderUnavailable as error:
            results[name] = {"error": str(error)}
            print(f"  {name}: unavailable ({error})")
            continue
        embedder.embed(["warm up the model"])  # a first call may build or load the model
        started, cpu_started = time.perf_counter(), time.process_time()
        passages = embedder.embed([index_text(d.text, d.title) for d in documents])
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        query_vectors = embedder.embed_queries([q for q, _ in queries])
        top = np.argsort(-(query_vectors @ passages.T), axis=1)[:, :5]
        recall = float(np.mean([bool(set(sources[row]) & gold) for row, (_, gold) in zip(top, queries)]))
        results[name] = {"recall@5": round(recall, 4), "passages_per_s": round(len(documents) / seconds, 1),
                         "passages_per_cpu_s": round(len(documents) / cpu_seconds, 1)}
        print(f"  {name:14s} dense recall@5 {recall:.3f}   {len(documents) / seconds:6.0f} passages/s   "
              f"{len(documents) / cpu_seconds:6.0f} per CPU-second", flush=True)
    return results


def latency_at(size: int, base_docs: list[Document], queries: list[tuple[str, set[str]]], embedder: Embedder,
               n_queries: int, real_filler: int) -> dict:
    """Query latency of each mode on a store of `size` passages (Climate-FEVER plus filler)."""
    texts = filler_texts(size - len(base_docs), {d.text for d in base_docs})
    filler = [Document(source=f"filler:{i}", text=t) for i, t in enumerate(texts)]
    cached = FillerEmbedder(embedder, texts, real_limit=real_filler)
    directory = Path(tempfile.mkdtemp(prefix="copydesk-bench-"))
    try:
        store = open_store(directory, embedder=cached)
        started = time.perf_counter()
        store.ingest([*base_docs, *filler], batch_size=1000)
        write_seconds = time.perf_counter() - started
        searcher = Searcher(store)
        started = time.perf_counter()
        searcher.search("warm up the keyword index", mode="keyword")
        build_seconds = time.perf_counter() - started
        sample = queries[:n_queries]
        out = {"passages": store.count(), "model_embedded_filler": min(real_filler, len(texts)),
               "store_write_s": round(write_seconds, 1),
               "keyword_index_build_s": round(build_seconds, 2)}
        for mode in ("dense", "keyword", "hybrid"):
            out[mode] = evaluate(searcher, sample, mode)
        return out
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100k-passage latency run")
    parser.add_argument("--no-latency", action="store_true", help="skip both latency runs (10k and 100k passages)")
    parser.add_argument("--embedder", default=None, help="embedder for the store (default: the project default)")
    parser.add_argument("--embedders", default="minilm-q8,minilm-fp32,minilm-int8,e5-small-q4,bge-small",
                        help="comma-separated embedders to compare (empty to skip)")
    parser.add_argument("--latency-queries", type=int, default=300)
    parser.add_argument("--nli-rerank", type=int, default=0, metavar="DEPTH",
                        help="also score hybrid re-ranked by the NLI cross-encoder over the top DEPTH (0: skip)")
    parser.add_argument("--compare-claims", type=int, default=300,
                        help="compare embedders on the evidence of the first N claims (0: all)")
    parser.add_argument("--real-filler", type=int, default=5000,
                        help="filler passages embedded by the model; the rest get perturbed copies of their vectors")
    args = parser.parse_args(argv)
    if not CLIMATE_FEVER.is_file():
        print(f"Climate-FEVER not found at {CLIMATE_FEVER}", file=sys.stderr)
        return 2
    documents, queries, entries = load_climate_fever()
    print(f"Climate-FEVER: {entries} evidence entries, {len(documents)} distinct sentences, "
          f"{len(queries)} claims with SUPPORTS/REFUTES evidence")
    results: dict = {"dataset": {"evidence_entries": entries, "passages": len(documents), "queries": len(queries)}}

    if args.embedders:
        pool_docs, pool_queries = documents, queries
        if args.compare_claims:
            pool_docs, pool_queries, _ = load_climate_fever(limit=args.compare_claims)
        print(f"embedder comparison on {len(pool_docs)} passages, {len(pool_queries)} claims (brute-force cosine):")
        results["embedders"] = {"passages": len(pool_docs), "queries": len(pool_queries),
                                **compare_embedders([n for n in args.embedders.split(",") if n], pool_docs, pool_queries)}

    embedder = get_embedder(args.embedder)
    results["embedder"] = embedder.name
    embedder.embed(["warm up the model"])  # a first call may build or load the model: not ingest time
    texts = [index_text(p.text, p.title) for d in documents for p in chunk_document(d)]  # what ingest embeds
    started = time.perf_counter()
    for begin in range(0, len(texts), 256):  # in the store's batches, as ingest calls it
        embedder.embed(texts[begin:begin + 256])
    alone_seconds = time.perf_counter() - started
    results["embedder_alone"] = {"passages": len(texts), "passages_per_s": round(len(texts) / alone_seconds, 1),
                                 "load_average": os.getloadavg()}
    print(f"embedder alone: {len(texts)} passages in {alone_seconds:.1f} s = {len(texts) / alone_seconds:.0f} "
          f"passages/s (load average {os.getloadavg()[0]:.1f})")
    directory = Path(tempfile.mkdtemp(prefix="copydesk-bench-"))
    try:
        store = open_store(directory, embedder=embedder)
        started = time.perf_counter()
        cpu_started = time.process_time()
        stats = store.ingest(documents)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        results["ingest"] = {"passages": stats.passages, "seconds": round(seconds, 1),
                             "passages_per_s": round(stats.passages / seconds, 1),
                             "passages_per_cpu_s": round(stats.passages / cpu_seconds, 1),
                             "load_average": os.getloadavg()}
        ratio = (len(texts) / alone_seconds) / (stats.passages / seconds)
        results["ingest"]["embedder_alone_over_ingest"] = round(ratio, 3)
        print(f"ingest: {stats.passages} passages in {seconds:.1f} s = {stats.passages / seconds:.0f} passages/s "
              f"({stats.passages / cpu_seconds:.0f} per CPU-second; load average {os.getloadavg()[0]:.1f}); "
              f"embedder alone / ingest = {ratio:.2f}x (target <= 1.3x)")
        searcher = Searcher(store)
        results["quality"] = {mode: evaluate(searcher, queries, mode) for mode in ("dense", "keyword", "hybrid")}
        if args.nli_rerank:
            reranking = Searcher(store, settings=HybridSettings(nli_rerank=True, nli_depth=args.nli_rerank))
            results["quality"][f"hybrid+nli@{args.nli_rerank}"] = evaluate(reranking, queries, "hybrid")
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print(f"\n{'mode':8s} {'recall@5':>9s} {'MRR@10':>7s} {'p50 ms':>7s} {'p95 ms':>7s}   ({len(documents)} passages)")
    for mode, row in results["quality"].items():
        print(f"{mode:8s} {row['recall@5']:9.3f} {row['mrr@10']:7.3f} {row['p50_ms']:7.1f} {row['p95_ms']:7.1f}")

    sizes = [] if args.no_latency else [10_000] if args.quick else [10_000, 100_000]
    results["latency"] = {}
    for size in sizes:
        print(f"\nlatency at {size} passages ...", flush=True)
        row = latency_at(size, documents, queries, embedder, args.latency_queries, args.real_filler)
        results["latency"][str(size)] = row
        print(f"  store write {row['store_write_s']} s, keyword index build {row['keyword_index_build_s']} s")
        for mode in ("dense", "keyword", "hybrid"):
            print(f"  {mode:8s} p50 {row[mode]['p50_ms']:6.1f} ms   p95 {row[mode]['p95_ms']:6.1f} ms   "
                  f"recall@5 {row[mode]['recall@5']:.3f}")
    results["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(f"\npeak memory (max RSS): {results['peak_rss_mb']} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
