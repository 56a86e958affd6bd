"""The verifier's model kinds as shipped numbers: boosted trees, MLP ensembles, embedding interactions;
the COPYDESK_VERIFIER override; Fool Me Twice's neighbouring-fact NEI pairs."""
from __future__ import annotations

import json

import numpy as np
import pytest

import claims.calibration as calibration
import claims.judge as judge
from claims.judge import CLASSES, FEATURE_NAMES, Interaction, Verifier, VerifierUnavailable
from claims.models import Label

N_FEATURES = len(FEATURE_NAMES)


def toy_data(rows: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three classes that depend on two of the features, so a tree model has something to learn."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, N_FEATURES))
    y = np.where(x[:, 0] > 0.5, 0, np.where(x[:, 1] > 0.0, 1, 2))
    return x, y


def weights_json(**extra) -> dict:
    return {"features": list(FEATURE_NAMES), "mean": [0.0] * N_FEATURES, "scale": [1.0] * N_FEATURES,
            "biases": [0.0, 0.0, 0.0], "threshold": 0.0, **extra}


def random_layers(seed: int, hidden: int = 4) -> list:
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=(N_FEATURES, hidden)).tolist(), rng.normal(size=hidden).tolist()],
            [rng.normal(size=(hidden, 3)).tolist(), rng.normal(size=3).tolist()]]


def test_exported_trees_reproduce_the_fitted_model_through_json():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from scripts.train_verifier import export_trees

    x, y = toy_data()
    model = HistGradientBoostingClassifier(max_iter=15, random_state=0).fit(x, y)
    trees = export_trees(model)
    verifier = Verifier.from_json(json.loads(json.dumps(weights_json(trees=trees.to_json()))))
    assert np.abs(verifier.probabilities(x) - model.predict_proba(x)).max() < 1e-4
    assert (verifier.decide(verifier.probabilities(x)) == model.predict(x)).mean() > 0.99


def test_malformed_trees_are_refused():
    tree = {"class": 0, "feature": [0, -1, -1], "threshold": [0.0, 0.0], "left": [1, 0, 0],
            "right": [2, 0, 0], "value": [0.0, 1.0, -1.0]}
    with pytest.raises(VerifierUnavailable, match="malformed"):
        Verifier.from_json(weights_json(trees={"baseline": [0.0, 0.0, 0.0], "trees": [tree]}))
    with pytest.raises(VerifierUnavailable, match="malformed"):
        Verifier.from_json(weights_json())  # neither trees nor layers


def test_an_ensemble_averages_its_members():
    x, _ = toy_data(rows=20)
    first, second = random_layers(1), random_layers(2)
    alone = [Verifier.from_json(weights_json(layers=layers)).probabilities(x) for layers in (first, second)]
    both = Verifier.from_json(weights_json(layers=first, ensemble=[second])).probabilities(x)
    assert np.allclose(both, (alone[0] + alone[1]) / 2)
    assert not np.allclose(alone[0], alone[1])


def test_interaction_features_are_named_and_checked():
    rng = np.random.default_rng(3)
    dim, k = 8, 2
    interaction = Interaction(np.zeros(dim), rng.normal(size=(k, dim)), np.zeros(dim), rng.normal(size=(k, dim)))
    assert interaction.names == ("embedding_product_0", "embedding_product_1",
                                 "embedding_difference_0", "embedding_difference_1")
    u = rng.normal(size=dim)
    same, other = interaction.features(u, np.stack([u, -u]))
    assert np.allclose(same[k:], 0.0)  # |u - u| = 0 projects to zero with a zero mean
    assert not np.allclose(other[k:], 0.0)
    data = weights_json(layers=[[np.zeros((N_FEATURES + 2 * k, 3)).tolist(), [0.0, 0.0, 0.0]]],
                        interaction=interaction.to_json())
    data["features"] = list(FEATURE_NAMES) + list(interaction.names)
    verifier = Verifier.from_json(data)
    full = verifier.full_features([[0.0] * N_FEATURES] * 2, u, np.stack([u, -u]))
    assert full.shape == (2, N_FEATURES + 2 * k)
    data["features"] = list(FEATURE_NAMES)  # weights whose feature list omits the interaction features
    with pytest.raises(VerifierUnavailable, match="retrain"):
        Verifier.from_json(data)


@pytest.fixture
def fresh_caches():
    judge.load_verifier.cache_clear()
    calibration.load_calibration.cache_clear()
    yield
    judge.load_verifier.cache_clear()
    calibration.load_calibration.cache_clear()


def test_copydesk_verifier_selects_other_weights(tmp_path, monkeypatch, fresh_caches):
    shipped = json.loads(calibration.VERIFIER_PATH.read_text())
    other = {**shipped, "biases": [0.0, 0.0, 0.7],
             "calibration": {**shipped["calibration"], "platt": {"a": 1.0, "b": 0.0}}}
    path = tmp_path / "verifier.json"
    path.write_text(json.dumps(other))
    from claims.settings import Settings

    Settings.load(env={"COPYDESK_VERIFIER": str(path)}).apply()  # the edge hands the setting over
    assert calibration.verifier_path() == path
    assert judge.load_verifier().biases.tolist() == [0.0, 0.0, 0.7]
    assert calibrate_margin_zero() == pytest.approx(0.5)
    calibration.set_verifier_path(None)
    assert judge.load_verifier().biases.tolist() == shipped["biases"]


def calibrate_margin_zero() -> float:
    return calibration.calibrate("judge:offline", 0.0)


def test_fool_me_twice_neighbours_are_close_sentences_and_false_contradictions():
    from scripts.train_verifier import fm2_neighbours

    claim = "The Eiffel Tower is 300 metres tall."
    negatives = ["The Eiffel Tower was the tallest structure in Paris for decades.",
                 "Before its antenna was added, the Eiffel Tower was 250 metres tall.",
                 "Gardens surround the monument."]
    pairs = fm2_neighbours(claim, negatives, "Eiffel Tower")
    assert all(p["label"] is Label.not_enough_evidence and p["group"] == "Eiffel Tower" for p in pairs)
    kinds = {p["source"]: p["evidence"] for p in pairs}
    assert kinds["fm2+nei_close"] == negatives[0]  # shares the most of the claim's words
    # 250 m (another time) held against 300 m: a non-gold sentence the comparators contradict
    assert kinds.get("fm2+nei_settled") == negatives[1]
    assert len(pairs) == 2 and len(CLASSES) == 3


class FakeEmbedder:
    """Stands in for a MiniLM model: unit vectors, and its name."""

    def __init__(self, name: str) -> None:
        self.name = name

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.eye(len(texts), 8)


@pytest.fixture
def embedders(monkeypatch):
    """get_embedder replaced: one cached instance per name asked, None giving the default (minilm-q8) or the
    fallback where the names in `unavailable` cannot run."""
    import retrieval.embeddings as embeddings

    made: dict = {}
    unavailable: set[str] = set()

    def get_embedder(name=None):
        resolved = name or next((n for n in ("minilm-q8", "minilm-int8") if n not in unavailable), None)
        if resolved is None or resolved in unavailable:
            raise embeddings.EmbedderUnavailable(f"{resolved or 'no default'} cannot run here")
        return made.setdefault(name, FakeEmbedder(resolved))

    monkeypatch.setattr(embeddings, "get_embedder", get_embedder)
    return made, unavailable


def test_the_judge_embeds_with_the_embedder_its_weights_were_trained_on(embedders):
    layers = random_layers(4)
    for pinned, expected in (({"embedder": "minilm-int8"}, "minilm-int8"), ({}, judge.EMBEDDER_NAME)):
        verifier = Verifier.from_json(weights_json(layers=layers, **pinned))
        assert verifier.embedder == expected
        judge.OfflineJudge(verifier).sentence_probabilities("The bridge is 1,200 metres long.",
                                                            ["The bridge is 2,400 metres long."])
        assert judge.judge_embedder(verifier.embedder).name == expected


def test_the_judge_shares_the_stores_default_embedder_instance(embedders):
    made, _ = embedders
    assert judge.judge_embedder("minilm-q8") is made[None]  # the instance open_store() got: one model loaded
    assert "minilm-q8" not in made


def test_the_judge_falls_back_to_minilm_int8_and_says_so_when_nothing_runs(embedders):
    made, unavailable = embedders
    unavailable.add("minilm-q8")
    fallback = judge.judge_embedder("minilm-q8")
    assert fallback.name == "minilm-int8" and fallback is made[None]  # the store's fallback, shared
    made.clear()
    unavailable.add("minilm-int8")
    with pytest.raises(VerifierUnavailable, match="needs the minilm-q8 embedder: minilm-q8 cannot run"):
        judge.judge_embedder("minilm-q8")


def test_the_shipped_weights_use_the_stores_default_embedder():
    """`copydesk check` then loads one MiniLM model for the store and the judge, not two."""
    from retrieval.embeddings import DEFAULT_EMBEDDER

    shipped = json.loads(calibration.VERIFIER_PATH.read_text())
    assert shipped["embedder"] == judge.EMBEDDER_NAME == DEFAULT_EMBEDDER
    assert Verifier.from_json(shipped).embedder == DEFAULT_EMBEDDER


def test_keep_model_rescores_a_classifier_on_another_embedder_without_retraining(tmp_path):
    """`train_verifier.py --keep-model`: same classifier, biases and Platt scaling; the named embedder;
    comparator reliabilities measured again on the dev split (here 3 of 4 comparator contradictions right)."""
    import argparse

    from scripts.train_verifier import rescore_kept_model

    kept = weights_json(layers=random_layers(5), embedder="minilm-int8", biases=[0.0, -0.2, -0.1],
                        calibration={"platt": {"a": 2.0, "b": 0.1}, "reliability": {"comparator:quantity:contradicted": 0.5}})
    kept_path = tmp_path / "kept.json"
    kept_path.write_text(json.dumps(kept))
    x, labels = toy_data(rows=60, seed=1)
    splits = np.array(["train", "dev", "test"] * 20)
    comparator = np.full(60, -1)
    methods: list = [None] * 60
    for row, gold in zip((1, 4, 7, 10), (1, 1, 1, 0)):  # dev rows the comparators call contradicted
        labels[row], comparator[row], methods[row] = gold, 1, "comparator:quantity:contradicted"
    items = [{"source": "vitaminc_synthetic"}] * 60
    out = tmp_path / "out.json"
    args = argparse.Namespace(keep_model=kept_path, embedder="minilm-q8", retune_biases=False, out=out)
    vectors = np.zeros((60, 8))
    assert rescore_kept_model(args, kept, items, labels, splits, np.ones(60, bool), np.zeros(60, bool),
                              comparator, methods, x, vectors, vectors, 0.0) == 0
    written = json.loads(out.read_text())
    assert written["embedder"] == "minilm-q8" and written["layers"] == kept["layers"]
    assert written["biases"] == kept["biases"] and written["calibration"]["platt"] == kept["calibration"]["platt"]
    assert written["calibration"]["reliability"] == {"comparator:quantity:contradicted": round((3 + 0.8) / 5, 4)}
    assert written["held_out"]["test_size"] == 20
    assert Verifier.from_json(written).embedder == "minilm-q8"
