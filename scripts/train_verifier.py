"""Train the offline judge's small verifier and its calibration; write claims/data/verifier.json.

Training data (read from ../shared/evaldata, never copied into the repository; none of it is scored):
- VitaminC synthetic test (SUPPORTS / REFUTES), plus NOT ENOUGH INFO pairs built by pairing each claim
  with the evidence of another case of the same Wikipedia page (topical but not about the claim);
- Fool Me Twice dev: gold evidence (SUPPORTS / REFUTES), NOT ENOUGH INFO from its retrieved non-gold sentences;
- FEVER-Symmetric dev (SUPPORTS / REFUTES).
Items are split by case/page into train (70%), calibration dev (15%) and held-out test (15%).

    .venv/bin/python scripts/train_verifier.py [--evaldata ../shared/evaldata] [--hidden 16]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from claims.compare import content_words, overlap  # noqa: E402
from claims.calibration import VERIFIER_PATH, expected_calibration_error, fit_platt, reliability  # noqa: E402
from claims.judge import (  # noqa: E402
    CLASSES, EMBEDDER_NAME, FEATURE_NAMES, BoostedTrees, Interaction, Tree, Verifier, label_margin, pair_features,
)
from claims.models import Label  # noqa: E402
from evals.converters import clean_fever_text  # noqa: E402

AS_OF = date(2026, 11, 24)
SEED = 13
NEAR_COPY_OVERLAP = 0.75  # an other case's evidence sharing this much of the claim may be a revision of it
NUMERIC_WEIGHT = 2.0  # the measured use is claims with a number: they weigh this much more in training
CLOSE_NEI_WEIGHT = 1.0  # NEI pairs about a neighbouring fact (the hard kind, as in real use) weigh this much more
CLOSE_NEI_SOURCES = ("vitaminc_synthetic+nei_close", "fm2+nei_close", "fm2+nei_settled")
INTERACTION_DIMS = 0  # principal components kept of each embedding interaction (u*v, |u-v|); 0: none


detokenize = clean_fever_text  # one FEVER detokeniser for training, measuring and the eval converters


def split_of(key: str) -> str:
    """Deterministic split by group key: 70% train, 15% dev (calibration), 15% test (held out)."""
    bucket = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else ("dev" if bucket < 85 else "test")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def vitaminc_synthetic(evaldata: Path, rng: random.Random) -> list[dict]:
    """VitaminC synthetic pairs, plus two kinds of NOT ENOUGH INFO pair built from other cases of the same page:
    - "nei": a random other case's evidence (on the topic, written for another claim);
    - "nei_close": the other case's evidence sharing most of the claim's words, short of a near copy
      (VitaminC real's NEI pairs are sentences of the same page about a neighbouring fact);
    - "nei_unrelated" (fewer): a sentence of another page.
    Other cases are often revisions of the same sentence ("born 1977" against a claim "born 1950"): evidence
    whose figures the comparators can hold against the claim's is skipped, as it would settle the claim."""
    rows = read_jsonl(evaldata / "vitaminc" / "vitaminc_synthetic_test.jsonl")
    out = [{"claim": r["claim"], "evidence": r["evidence"], "label": Label.parse(r["label"]),
            "group": r["page"], "source": "vitaminc_synthetic"} for r in rows]
    by_page: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_page[r["page"]].append(r)
    nei = []
    for k, r in enumerate(rows):
        if k % 3 == 2:  # NEI for two claims in three keeps the classes near balance
            if k % 6 == 5:  # and one in six meets a sentence of another page: retrieval can bring those
                other = rng.choice(rows)
                if other["page"] != r["page"]:
                    nei.append({"claim": r["claim"], "evidence": other["evidence"], "group": r["page"],
                                "label": Label.not_enough_evidence, "source": "vitaminc_synthetic+nei_unrelated"})
            continue
        others = sorted({o["evidence"] for o in by_page[r["page"]]
                         if o["case_id"] != r["case_id"] and o["evidence"] != r["evidence"]})
        if k % 3 == 0:
            rng.shuffle(others)
            kind = "nei"
        else:
            claim_words = content_words(r["claim"])
            scored = [(overlap(claim_words, content_words(o)), o) for o in others]
            others = [o for score, o in sorted(scored, reverse=True) if score < NEAR_COPY_OVERLAP]
            kind = "nei_close"
        evidence = next((o for o in others if not settles(r["claim"], o)), None)
        if evidence is not None:
            nei.append({"claim": r["claim"], "evidence": evidence, "label": Label.not_enough_evidence,
                        "group": r["page"], "source": f"vitaminc_synthetic+{kind}"})
    return out + nei


def settles(claim: str, evidence: str) -> bool:
    """Whether the comparators decide the claim's figures from this evidence (then it is no NEI pair)."""
    return comparator_label(claim, evidence) is not None


def comparator_label(claim: str, evidence: str) -> Label | None:
    """The comparators' verdict on a (FEVER-tokenised) claim against one evidence sentence, if they decide."""
    from claims.verify import comparator_verdict
    from retrieval.types import Passage

    if not re.search(r"\d", claim):
        return None
    text = detokenize(evidence)
    passage = Passage(id="nei", source="nei", text=text, start=0, end=len(text))
    verdict = comparator_verdict(detokenize(claim), [passage], AS_OF)
    return verdict.label if verdict else None


def fool_me_twice(evaldata: Path, rng: random.Random, neighbours: bool = False) -> list[dict]:
    """Fool Me Twice gold pairs, plus NOT ENOUGH INFO pairs from the sentences its retrieval found that are
    not gold evidence: a random one ("nei"); with `neighbours`, also the one sharing most of the claim's
    words ("nei_close", a neighbouring fact of the same page) short of a near copy, and every such sentence
    whose figures the comparators hold to contradict the claim's ("nei_settled": a neighbouring fact with
    a figure of the same kind, the comparators' usual false contradiction; unlike VitaminC's other cases
    these sentences are not revisions of the claim's sentence, so they do not refute it)."""
    out = []
    for r in read_jsonl(evaldata / "fm2" / "dev.jsonl"):
        gold = [e["text"] for e in r["gold_evidence"]]
        group = r["wikipedia_page"]
        for text in gold[:1]:
            out.append({"claim": r["text"], "evidence": text, "label": Label.parse(r["label"]), "group": group,
                        "source": "fm2"})
        negatives = [e["text"] for e in r["retrieved_evidence"] if e["text"] not in gold]
        if not negatives:
            continue
        chosen = rng.choice(negatives)
        out.append({"claim": r["text"], "evidence": chosen, "label": Label.not_enough_evidence, "group": group,
                    "source": "fm2+nei"})
        if neighbours:
            out += fm2_neighbours(r["text"], sorted(set(negatives) - {chosen}), group)
    return out


def fm2_neighbours(claim: str, negatives: list[str], group: str) -> list[dict]:
    """The "nei_close" and "nei_settled" pairs of one Fool Me Twice claim (see fool_me_twice)."""
    claim_words = content_words(claim)
    out = []
    close = [e for e in negatives if overlap(claim_words, content_words(e)) < NEAR_COPY_OVERLAP]
    if close:
        closest = max(close, key=lambda e: (overlap(claim_words, content_words(e)), e))
        out.append({"claim": claim, "evidence": closest, "label": Label.not_enough_evidence, "group": group,
                    "source": "fm2+nei_close"})
    out += [{"claim": claim, "evidence": text, "label": Label.not_enough_evidence, "group": group,
             "source": "fm2+nei_settled"}
            for text in negatives
            if text not in {o["evidence"] for o in out} and comparator_label(claim, text) is Label.contradicted]
    return out


def fever_symmetric(evaldata: Path) -> list[dict]:
    return [{"claim": r["claim"], "evidence": r["evidence"], "label": Label.parse(r["label"]),
             "group": "fs:" + r["id"], "source": "fever_symmetric"}
            for r in read_jsonl(evaldata / "fever-symmetric" / "fever_symmetric_dev.jsonl")]


CACHE_DIR = Path.home() / ".cache" / "copydesk" / "verifier"


def _text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def embed_cached(texts: list[str], embedder: str = EMBEDDER_NAME) -> dict[str, np.ndarray]:
    """Embedding of each distinct text, kept on disk (~/.cache/copydesk/verifier/<embedder>.npz) between runs."""
    from retrieval.embeddings import get_embedder

    path = CACHE_DIR / f"{embedder}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as stored:
            cache = dict(zip(stored["keys"].tolist(), stored["vectors"]))
    wanted = {_text_key(t): t for t in texts}
    missing = [k for k in wanted if k not in cache]
    if missing:
        vectors = get_embedder(embedder).embed([wanted[k] for k in missing])
        cache.update(zip(missing, vectors))
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(cache)
        np.savez(path, keys=np.array(keys), vectors=np.stack([cache[k] for k in keys]).astype(np.float32))
    return {t: cache[k] for k, t in wanted.items()}


def pair_embeddings(pairs: list[tuple[str, str]], embedder: str = EMBEDDER_NAME) -> tuple[np.ndarray, np.ndarray]:
    """Claim and evidence embeddings of each pair (rows), embedding every distinct text once (cached on disk)."""
    vectors = embed_cached(sorted({t for pair in pairs for t in pair}), embedder)
    return (np.stack([vectors[c] for c, _ in pairs]).astype(float),
            np.stack([vectors[e] for _, e in pairs]).astype(float))


def fit_interaction(claims: np.ndarray, evidences: np.ndarray, dims: int) -> Interaction:
    """Principal components of u*v and |u-v| over the training pairs."""
    from sklearn.decomposition import PCA

    parts = []
    for values in (claims * evidences, np.abs(claims - evidences)):
        pca = PCA(dims, random_state=SEED).fit(values)
        parts += [pca.mean_, pca.components_]
    return Interaction(*parts)


BIAS_GRID = np.round(np.arange(-1.5, 1.51, 0.1), 2)


def tune_biases(gold: np.ndarray, probs: np.ndarray, comparator: np.ndarray, weight: np.ndarray) -> list[float]:
    """Per-class log-probability biases (supported fixed at 0) that maximise the class-weighted macro-F1
    of the whole pipeline on the dev split: comparators decide where they can, the judge elsewhere."""
    logp = np.log(np.clip(probs, 1e-12, 1.0))
    best, best_f1 = [0.0, 0.0, 0.0], -1.0
    for b_con in BIAS_GRID:
        for b_nei in BIAS_GRID:
            biases = np.array([0.0, b_con, b_nei])
            pred = np.where(comparator >= 0, comparator, np.argmax(logp + biases, axis=1))
            f1 = macro_f1(gold.tolist(), pred.tolist(), weight)
            if f1 > best_f1 + 1e-4:
                best, best_f1 = [0.0, float(b_con), float(b_nei)], f1
    return best


def comparator_decisions(items: list[dict]) -> list[tuple[int, str | None]]:
    """The comparators' decision on each pair as verify_statement makes it: (class index or -1, method)."""
    from claims.verify import comparator_verdict
    from retrieval.types import Passage

    out: list[tuple[int, str | None]] = []
    for item in items:
        if not re.search(r"\d", item["claim"]):
            out.append((-1, None))
            continue
        evidence = detokenize(item["evidence"])
        passage = Passage(id="dev", source="dev", text=evidence, start=0, end=len(evidence))
        verdict = comparator_verdict(detokenize(item["claim"]), [passage], AS_OF)
        out.append((-1, None) if verdict is None else
                   (CLASSES.index(verdict.label), f"{verdict.method}:{verdict.label.value}"))
    return out


def balanced_weights(labels: np.ndarray) -> np.ndarray:
    """Sample weights giving every class the same total weight (the scored set has 100 pairs per label)."""
    counts = np.bincount(labels, minlength=len(CLASSES)).astype(float)
    return (len(labels) / (len(CLASSES) * np.maximum(counts, 1.0)))[labels]


def macro_f1(gold: list[int], pred: list[int], weight: np.ndarray | None = None) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, average="macro", labels=[0, 1, 2], sample_weight=weight))


def export_trees(model) -> BoostedTrees:
    """A fitted HistGradientBoostingClassifier as numbers the judge evaluates in numpy."""
    trees = []
    for round_predictors in model._predictors:
        for target, predictor in enumerate(round_predictors):
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits cannot be exported")
            leaf = nodes["is_leaf"].astype(bool)
            trees.append(Tree(target, np.where(leaf, -1, nodes["feature_idx"]).astype(int),
                              np.where(leaf, 0.0, nodes["num_threshold"]), nodes["left"].astype(int),
                              nodes["right"].astype(int), np.where(leaf, nodes["value"], 0.0)))
    return BoostedTrees(np.asarray(model._baseline_prediction, dtype=float).ravel(), trees)


def export_layers(model) -> list[list]:
    return [[w.round(5).tolist(), b.round(5).tolist()] for w, b in zip(model.coefs_, model.intercepts_)]


def features_cached(items: list[dict], pairs: list[tuple[str, str]], sims: list[float]
                    ) -> tuple[np.ndarray, np.ndarray, list[str | None]]:
    """Features and comparator decisions of every pair, cached on disk by the code and data that make them."""
    import inspect

    import claims.judge as judge

    digest = hashlib.sha1()
    for module in ("claims/compare.py", "claims/quantities.py", "claims/dates.py"):
        digest.update((REPO / module).read_bytes())
    for part in (judge.pair_features, judge._edit_features, judge._alignment, judge._comparator_outcomes,
                 judge._quantity_agreement, judge._shares, judge._date_agreement, judge._holds,
                 judge._comparative_before, judge._tokens, judge._numbers):
        digest.update(inspect.getsource(part).encode("utf-8"))
    digest.update(repr((judge.FEATURE_NAMES, judge.NEGATIONS, judge.COMPARATIVES, judge._TOKEN.pattern,
                        judge._ENTITY.pattern)).encode("utf-8"))
    for (c, e), sim in zip(pairs, sims):
        digest.update(f"{c}\t{e}\t{sim:.6f}\n".encode("utf-8"))
    path = CACHE_DIR / f"features-{digest.hexdigest()[:16]}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as stored:
            methods = [m or None for m in stored["methods"].tolist()]
            return stored["features"], stored["comparator"], methods
    feats = np.array([pair_features(c, e, AS_OF, sim) for (c, e), sim in zip(pairs, sims)])
    decisions = comparator_decisions(items)
    comparator = np.array([d for d, _ in decisions])
    methods = [m for _, m in decisions]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, features=feats, comparator=comparator, methods=np.array([m or "" for m in methods]))
    return feats, comparator, methods


def held_out_scores(items: list[dict], labels: np.ndarray, splits: np.ndarray, numeric: np.ndarray,
                    close_nei: np.ndarray, comparator: np.ndarray, probs: np.ndarray, verifier: Verifier,
                    platt: dict) -> dict:
    """Scores of a verifier's probabilities and decision rule on the dev and (held-out) test splits."""
    from claims.calibration import sigmoid

    dev, test = splits == "dev", splits == "test"
    dev_num, test_num = dev & numeric, test & numeric
    sources = np.array([i["source"] for i in items])
    argmax = probs.argmax(axis=1)
    pred = verifier.decide(probs)
    margin = np.array([label_margin(p, k) for p, k in zip(probs, pred)])
    confidence = np.array([sigmoid(platt["a"] * m + platt["b"]) for m in margin])
    pipeline = np.where(comparator >= 0, comparator, pred)
    tuning = dev_num & ((labels != CLASSES.index(Label.not_enough_evidence)) | close_nei)
    correct = (pred[test] == labels[test]).tolist()
    scores = {
        "test_size": int(test.sum()),
        "test_macro_f1_argmax": round(macro_f1(labels[test].tolist(), argmax[test].tolist()), 4),
        "test_macro_f1": round(macro_f1(labels[test].tolist(), pred[test].tolist()), 4),
        "test_accuracy": round(float(np.mean(pred[test] == labels[test])), 4),
        "test_ece": round(expected_calibration_error(confidence[test].tolist(), correct), 4),
        "dev_numeric_pipeline_macro_f1_balanced": round(macro_f1(
            labels[dev_num].tolist(), pipeline[dev_num].tolist(), balanced_weights(labels[dev_num])), 4),
        "dev_numeric_judge_macro_f1_balanced": round(macro_f1(
            labels[dev_num].tolist(), pred[dev_num].tolist(), balanced_weights(labels[dev_num])), 4),
        "test_numeric_size": int(test_num.sum()),
        "test_numeric_pipeline_macro_f1_balanced": round(macro_f1(
            labels[test_num].tolist(), pipeline[test_num].tolist(), balanced_weights(labels[test_num])), 4),
        "test_numeric_judge_macro_f1_balanced": round(macro_f1(
            labels[test_num].tolist(), pred[test_num].tolist(), balanced_weights(labels[test_num])), 4),
    }
    scores["dev_numeric_close_nei_pipeline_macro_f1_balanced"] = round(macro_f1(
        labels[tuning].tolist(), pipeline[tuning].tolist(), balanced_weights(labels[tuning])), 4)
    test_tuning = test_num & ((labels != CLASSES.index(Label.not_enough_evidence)) | close_nei)
    from sklearn.metrics import f1_score

    per_class = f1_score(labels[test_num], pipeline[test_num], average=None, labels=[0, 1, 2],
                         sample_weight=balanced_weights(labels[test_num]))
    scores["test_numeric_pipeline_f1_per_class"] = {c.value: round(float(f), 4) for c, f in zip(CLASSES, per_class)}
    scores["test_numeric_close_nei_pipeline_macro_f1_balanced"] = round(macro_f1(
        labels[test_tuning].tolist(), pipeline[test_tuning].tolist(), balanced_weights(labels[test_tuning])), 4)
    for source in sorted(s for s in set(sources) if "+" in s):
        mask = test & (sources == source)
        scores[f"test_nei_recall:{source}"] = round(float(np.mean(pred[mask] == labels[mask])), 4)
    for source in sorted({i["source"].split("+")[0] for i in items}):
        mask = test & np.array([i["source"].split("+")[0] == source for i in items])
        if mask.any():
            scores[f"test_macro_f1:{source}"] = round(macro_f1(labels[mask].tolist(), pred[mask].tolist()), 4)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaldata", type=Path, default=REPO.parent / "shared" / "evaldata")
    parser.add_argument("--model", choices=("mlp", "trees"), default="mlp",
                        help="a small MLP (default) or gradient-boosted trees")
    parser.add_argument("--hidden", type=int, default=16, help="MLP hidden units (0: logistic regression)")
    parser.add_argument("--ensemble", type=int, default=1, help="MLPs trained with different seeds and averaged")
    parser.add_argument("--numeric-weight", type=float, default=NUMERIC_WEIGHT,
                        help="training weight of claims with a number, relative to others")
    parser.add_argument("--close-nei-weight", type=float, default=CLOSE_NEI_WEIGHT,
                        help="training weight of NEI pairs about a neighbouring fact, relative to other NEI pairs")
    parser.add_argument("--interactions", type=int, default=INTERACTION_DIMS,
                        help="principal components of each embedding interaction (0: no interaction features)")
    parser.add_argument("--tune-on", choices=("all", "close"), default="all",
                        help="NEI pairs the decision biases are tuned on: neighbouring-fact ones, or all")
    parser.add_argument("--fm2-neighbours", action="store_true",
                        help="add Fool Me Twice's neighbouring-fact NEI pairs (nei_close, nei_settled)")
    parser.add_argument("--skip-source", nargs="*", default=[], help="sources left out of training (ablation)")
    parser.add_argument("--embedder", default=EMBEDDER_NAME,
                        help="embedder of the cosine feature (pinned in the weights; the judge embeds with it)")
    parser.add_argument("--keep-model", type=Path, default=None,
                        help="no training: keep this weights file's classifier (and, unless --retune-biases, its "
                             "biases and Platt scaling); embed with --embedder, re-measure the comparators' "
                             "reliabilities and the held-out scores on today's data")
    parser.add_argument("--retune-biases", action="store_true",
                        help="with --keep-model: tune the decision biases and Platt scaling again on the dev split")
    parser.add_argument("--out", type=Path, default=VERIFIER_PATH)
    args = parser.parse_args()
    if not args.evaldata.is_dir():
        print(f"error: eval data not found at {args.evaldata}", file=sys.stderr)
        return 2
    rng = random.Random(SEED)
    started = time.time()
    items = vitaminc_synthetic(args.evaldata, rng) + fool_me_twice(args.evaldata, rng, args.fm2_neighbours) + fever_symmetric(args.evaldata)
    print(f"{len(items)} pairs: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(i["source"] for i in items).items())))
    pairs = [(detokenize(i["claim"]), detokenize(i["evidence"])) for i in items]
    kept = json.loads(args.keep_model.read_text(encoding="utf-8")) if args.keep_model else None
    embedder = args.embedder
    claim_vectors, evidence_vectors = pair_embeddings(pairs, embedder)
    sims = np.sum(claim_vectors * evidence_vectors, axis=1).tolist()
    print(f"embeddings in {time.time() - started:.0f}s")
    labels = np.array([CLASSES.index(i["label"]) for i in items])
    splits = np.array([split_of(i["group"]) for i in items])
    feats, comparator, methods = features_cached(items, pairs, sims)
    print(f"features in {time.time() - started:.0f}s; split sizes {dict(Counter(splits))}")

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.linear_model import LogisticRegression

    train, dev = (splits == "train"), (splits == "dev")
    numeric = np.array([bool(re.search(r"\d", c)) for c, _ in pairs])
    sources = np.array([i["source"] for i in items])
    close_nei = np.isin(sources, CLOSE_NEI_SOURCES)
    if kept is not None:
        return rescore_kept_model(args, kept, items, labels, splits, numeric, close_nei, comparator, methods,
                                  feats, claim_vectors, evidence_vectors, started)
    interaction = None
    names = list(FEATURE_NAMES)
    if args.interactions > 0:
        interaction = fit_interaction(claim_vectors[train], evidence_vectors[train], args.interactions)
        feats = np.hstack([feats, interaction.features(claim_vectors, evidence_vectors)])
        names += interaction.names
    mean, scale = feats[train].mean(axis=0), feats[train].std(axis=0) + 1e-6
    x = (feats - mean) / scale
    # classes weigh the same (NOT ENOUGH INFO is the smallest); claims with a number count NUMERIC_WEIGHT times
    # and NEI pairs about a neighbouring fact count CLOSE_NEI_WEIGHT times
    weight = (balanced_weights(labels) * np.where(numeric, args.numeric_weight, 1.0)
              * np.where(close_nei, args.close_nei_weight, 1.0))
    fit_idx = np.where(train & np.array([i["source"] not in args.skip_source for i in items]))[0]
    trees = None
    layers: list = []
    ensemble: list = []
    if args.model == "trees":
        model = HistGradientBoostingClassifier(learning_rate=0.1, max_iter=300, max_leaf_nodes=31,
                                               l2_regularization=1.0, early_stopping=True, random_state=SEED)
        model.fit(x[fit_idx], labels[fit_idx], sample_weight=weight[fit_idx])
        trees = export_trees(model)
    elif args.hidden > 0:
        members = []
        for seed in range(SEED, SEED + max(args.ensemble, 1)):
            model = MLPClassifier(hidden_layer_sizes=(args.hidden,), alpha=1e-3, max_iter=400, random_state=seed,
                                  early_stopping=True)
            model.fit(x[fit_idx], labels[fit_idx], sample_weight=weight[fit_idx])
            members.append(model)
        layers, ensemble = export_layers(members[0]), [export_layers(m) for m in members[1:]]
    else:
        model = LogisticRegression(C=1.0, max_iter=2000)
        model.fit(x[fit_idx], labels[fit_idx], sample_weight=weight[fit_idx])
        layers = [[model.coef_.T.round(5).tolist(), model.intercept_.round(5).tolist()]]
    probs = (np.mean([m.predict_proba(x) for m in members], axis=0) if args.model == "mlp" and args.hidden > 0
             else model.predict_proba(x))
    if trees is not None:  # the exported trees must reproduce the model
        exported = Verifier(np.zeros(x.shape[1]), np.ones(x.shape[1]), [], 0.0, trees=trees).probabilities(x)
        assert np.abs(exported - probs).max() < 1e-3, "exported trees disagree with the fitted model"
    # the decision rule is tuned on the dev split's numeric claims, each class weighing the same, with the
    # NEI pairs about a neighbouring fact (random and unrelated sentences are the easy NEI cases)
    dev_num = dev & numeric
    tuning = dev_num & ((labels != CLASSES.index(Label.not_enough_evidence)) | close_nei | (args.tune_on == "all"))
    biases = tune_biases(labels[tuning], probs[tuning], comparator[tuning], balanced_weights(labels[tuning]))
    verifier = Verifier(np.zeros(1), np.ones(1), [], 0.0, np.array(biases))  # only its decision rule is used here
    pred = verifier.decide(probs)
    margin = np.array([label_margin(p, k) for p, k in zip(probs, pred)])
    platt = fit_platt(margin[dev].tolist(), (pred[dev] == labels[dev]).tolist())
    reliabilities = comparator_reliabilities(methods, comparator, labels, dev)
    print(f"biases {biases}; comparator reliabilities {reliabilities}")
    data = {
        "features": names, "interaction": interaction.to_json() if interaction else None, "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
        "layers": layers, "ensemble": ensemble, "trees": trees.to_json() if trees else None, "embedder": embedder, "classes": [c.value for c in CLASSES],
        "threshold": 0.0, "biases": biases, "calibration": {"platt": platt, "reliability": reliabilities},
        "trained_on": "vitaminc_synthetic_test (+NEI pairs), fm2 dev (+NEI from retrieved), fever_symmetric dev",
        "training": {"model": args.model, "hidden": args.hidden, "ensemble": args.ensemble, "numeric_weight": args.numeric_weight,
                     "close_nei_weight": args.close_nei_weight, "interactions": args.interactions, "tune_on": args.tune_on,
                     "fm2_neighbours": args.fm2_neighbours},
    }
    data["held_out"] = held_out_scores(items, labels, splits, numeric, close_nei, comparator, probs, verifier, platt)
    return write_weights(args.out, data, started)


def comparator_reliabilities(methods: list[str | None], comparator: np.ndarray, labels: np.ndarray,
                             dev: np.ndarray) -> dict[str, float]:
    """Precision of each comparator decision on the dev split (smoothed; `claims.calibration.reliability`)."""
    return reliability([(m, int(c) == int(g)) for m, c, g, d in zip(methods, comparator, labels, dev)
                        if d and m is not None])


def rescore_kept_model(args: argparse.Namespace, kept: dict, items: list[dict], labels: np.ndarray,
                       splits: np.ndarray, numeric: np.ndarray, close_nei: np.ndarray, comparator: np.ndarray,
                       methods: list[str | None], feats: np.ndarray, claim_vectors: np.ndarray,
                       evidence_vectors: np.ndarray, started: float) -> int:
    """`--keep-model`: an existing classifier on today's embedder, comparators and splits, written to --out."""
    verifier = Verifier.from_json(kept)
    probs = verifier.probabilities(verifier.full_features(feats, claim_vectors, evidence_vectors))
    dev = splits == "dev"
    platt = kept["calibration"]["platt"]
    if args.retune_biases:
        tuning = dev & numeric
        biases = tune_biases(labels[tuning], probs[tuning], comparator[tuning], balanced_weights(labels[tuning]))
        verifier = replace(verifier, biases=np.array(biases))
        pred = verifier.decide(probs)
        margin = np.array([label_margin(p, k) for p, k in zip(probs, pred)])
        platt = fit_platt(margin[dev].tolist(), (pred[dev] == labels[dev]).tolist())
    reliabilities = comparator_reliabilities(methods, comparator, labels, dev)
    print(f"kept {args.keep_model}; embedder {args.embedder}; biases {verifier.biases.tolist()}; "
          f"comparator reliabilities {reliabilities}")
    data = {**kept, "embedder": args.embedder, "biases": verifier.biases.tolist(),
            "calibration": {"platt": platt, "reliability": reliabilities},
            "training": {**kept.get("training", {}), "kept_from": args.keep_model.name,
                         "retuned_biases": args.retune_biases}}
    data["held_out"] = held_out_scores(items, labels, splits, numeric, close_nei, comparator, probs, verifier, platt)
    return write_weights(args.out, data, started)


def write_weights(out: Path, data: dict, started: float) -> int:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=None, separators=(",", ":")) + "\n", encoding="utf-8")
    print(json.dumps(data["held_out"], indent=2))
    print(f"wrote {out} ({out.stat().st_size} bytes) in {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
