"""Train the learned re-ranker of hybrid search (retrieval/rerank.py) and write retrieval/data/reranker.json.

Run: OMP_NUM_THREADS=1 .venv/bin/python scripts/train_reranker.py [--objective pairwise|pointwise] [--c C]
     [--interactions] [--vitaminc-pairs N] [--leave-one-out] [--dry-run]

Data (all from ../shared/evaldata, read in place, nothing copied into the repository):
- Fool Me Twice dev, four fifths of its claims (bench/retrieval_dev.py `fm2_heldout` keeps the other fifth out,
  for checking the model): each claim's gold evidence sentences against the non-gold sentences a retriever
  picked from the same Wikipedia page: the "decides vs neighbour" contrast the re-ranker must learn.
- FEVER-Symmetric dev: claim and evidence sentence pairs, all evidence pooled.
- VitaminC synthetic (the first `--vitaminc-pairs` pairs): claims against evidence of the same page.
Never used here (they are scored): Climate-FEVER, VitaminC real dev, SummEdits, Factcheck-Bench.

For every training claim the current default hybrid search (HybridSettings()) is run over its set's pooled
passages, exactly as bench/retrieval_dev.py runs it; its top `rerank_depth` candidates become examples (gold
sentence or not). Claims with no gold sentence among them teach nothing and are skipped. A logistic regression
(scikit-learn) is fitted on standardised features, pairwise (differences of a gold and a non-gold candidate of
one claim; the default) or pointwise (gold vs not). The script prints recall@5 / MRR@10 of the held-out FM2
fifth with and without the model, then saves it (unless --dry-run).

The defaults (pairwise, C 0.05, no vector interactions) were chosen by `--leave-one-out`, which trains on two
of the three sets and scores the third: the model must carry to data it has not seen, as it must to a user's
corpus. With the 768 u*v and |u-v| features a model trained without FM2 lost recall on it (0.734 -> 0.730);
without them it gained (-> 0.760 pointwise, -> 0.781 pairwise).
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import retrieval_dev  # noqa: E402
from retrieval.embeddings import get_embedder  # noqa: E402
from retrieval.rerank import LEXICAL_FEATURES, WEIGHTS_FILE, Reranker, candidates_from, features  # noqa: E402
from retrieval.search import HybridSettings, fused_ranking, hybrid_ranking  # noqa: E402


def examples(prepared: tuple, settings: HybridSettings) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per claim with a gold sentence among its candidates: (features, 0/1 labels)."""
    data, query_vectors, dense, index = prepared
    texts = retrieval_dev.passage_texts_of(data)
    xs, ys = [], []
    for vector, (claim, gold) in zip(query_vectors, data.queries):
        fused, keyword_hits = fused_ranking(vector, claim, dense, index, settings.rerank_depth, settings, None)
        top = fused[: settings.rerank_depth]
        labels = np.asarray([pid in gold for pid, _ in top], dtype=np.int8)
        if not labels.any() or labels.all():
            continue
        ids = [pid for pid, _ in top]
        pairs = texts(ids)
        candidates = candidates_from(ids, [t for t, _ in pairs], [title for _, title in pairs], dense.vectors(ids),
                                     dict(keyword_hits), [score for _, score in top])
        xs.append(features(claim, vector, candidates))
        ys.append(labels)
    return xs, ys


def pairwise(xs: list[np.ndarray], ys: list[np.ndarray], rng: np.random.Generator,
             per_gold: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Differences gold - non-gold (label 1) and their negations (label 0), `per_gold` non-gold per gold."""
    rows = []
    for x, y in zip(xs, ys):
        negatives = np.flatnonzero(y == 0)
        for positive in np.flatnonzero(y == 1):
            chosen = rng.choice(negatives, size=min(per_gold, len(negatives)), replace=False)
            rows.append(x[positive] - x[chosen])
    differences = np.vstack(rows)
    return np.vstack([differences, -differences]), np.r_[np.ones(len(differences)), np.zeros(len(differences))]


def fit(xs: list[np.ndarray], ys: list[np.ndarray], objective: str, c: float, metadata: dict,
        interactions: bool = True) -> Reranker:
    """A logistic regression; without `interactions` the u*v and |u-v| columns get weight 0 (not fitted)."""
    from sklearn.linear_model import LogisticRegression

    used = slice(None) if interactions else slice(0, len(LEXICAL_FEATURES))
    width = xs[0].shape[1]
    xs = [x[:, used] for x in xs]
    x_all = np.vstack(xs)
    mean, scale = x_all.mean(axis=0), x_all.std(axis=0)
    scale[scale < 1e-9] = 1.0
    standard = [(x - mean) / scale for x in xs]
    if objective == "pairwise":
        x_fit, y_fit = pairwise(standard, ys, np.random.default_rng(7))
        model = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    else:
        x_fit, y_fit = np.vstack(standard), np.concatenate(ys)
        model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit(x_fit, y_fit)
    bias = float(model.intercept_[0]) if model.fit_intercept else 0.0
    full_mean, full_scale, weights = np.zeros(width), np.ones(width), np.zeros(width)
    full_mean[used], full_scale[used], weights[used] = mean, scale, model.coef_[0]
    return Reranker(full_mean, full_scale, weights, bias, metadata)


def score(prepared: tuple, settings: HybridSettings, reranker: Reranker | None) -> dict[str, float]:
    data, query_vectors, dense, index = prepared
    texts = retrieval_dev.passage_texts_of(data)
    chosen = replace(settings, rerank=reranker is not None)
    return retrieval_dev.evaluate(
        lambda i: [pid for pid, _ in hybrid_ranking(query_vectors[i], data.queries[i][0], dense, index, 10, chosen,
                                                    passage_texts=texts, reranker=reranker)], data.queries)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objective", choices=["pointwise", "pairwise"], default="pairwise")
    parser.add_argument("--c", type=float, default=0.05, help="inverse L2 strength of the logistic regression")
    parser.add_argument("--vitaminc-pairs", type=int, default=4000)
    parser.add_argument("--interactions", action="store_true",
                        help="also fit the u*v and |u-v| vector features (they transfer worse across sets)")
    parser.add_argument("--leave-one-out", action="store_true",
                        help="only check transfer: per training set, train on the others and score it (FM2: its "
                             "held-out fifth); nothing is written")
    parser.add_argument("--dry-run", action="store_true", help="train and score, do not write the weights")
    args = parser.parse_args(argv)
    started, cpu = time.perf_counter(), time.process_time()
    retrieval_dev.SETS["vitaminc-synthetic"] = lambda: retrieval_dev.load_vitaminc_synthetic(pairs=args.vitaminc_pairs)
    embedder = get_embedder(None)
    settings = HybridSettings()
    prepared = {name: retrieval_dev.prepare(name, embedder, {}) for name in retrieval_dev.TRAINING_SETS}
    per_set = {name: examples(one, settings) for name, one in prepared.items()}
    heldout = retrieval_dev.prepare("fm2-heldout", embedder, {})
    if args.leave_one_out:
        for left_out in per_set:
            kept = [name for name in per_set if name != left_out]
            model = fit([x for name in kept for x in per_set[name][0]], [y for name in kept for y in per_set[name][1]],
                        args.objective, args.c, {}, args.interactions)
            target = heldout if left_out == "fm2-train" else prepared[left_out]
            before, after = score(target, settings, None), score(target, settings, model)
            print(f"without {left_out}: {target[0].name} recall@5 {before['recall@5']:.3f} -> {after['recall@5']:.3f}"
                  f", MRR@10 {before['mrr@10']:.3f} -> {after['mrr@10']:.3f}", flush=True)
        return 0
    xs = [x for set_xs, _ in per_set.values() for x in set_xs]
    ys = [y for _, set_ys in per_set.values() for y in set_ys]
    claims = {name: len(set_xs) for name, (set_xs, _) in per_set.items()}
    print(f"training on {sum(claims.values())} claims, {sum(len(y) for y in ys)} candidates: {claims}", flush=True)
    metadata = {"embedder": embedder.name, "objective": args.objective, "c": args.c, "training_claims": claims,
                "interactions": args.interactions, "rerank_depth": settings.rerank_depth,
                "trained_by": "scripts/train_reranker.py"}
    reranker = fit(xs, ys, args.objective, args.c, metadata, args.interactions)
    before, after = score(heldout, settings, None), score(heldout, settings, reranker)
    print(f"fm2-heldout recall@5 {before['recall@5']:.3f} -> {after['recall@5']:.3f}, "
          f"MRR@10 {before['mrr@10']:.3f} -> {after['mrr@10']:.3f}")
    reranker.metadata["fm2_heldout"] = {"before": {k: round(v, 4) for k, v in before.items() if k != "p95_ms"},
                                        "after": {k: round(v, 4) for k, v in after.items() if k != "p95_ms"}}
    if not args.dry_run:
        reranker.save(WEIGHTS_FILE)
        print(f"wrote {WEIGHTS_FILE.relative_to(REPO)} ({WEIGHTS_FILE.stat().st_size // 1024} KiB)")
    print(f"({time.perf_counter() - started:.0f} s wall, {time.process_time() - cpu:.0f} CPU-s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
