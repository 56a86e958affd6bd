"""The NLI cross-encoder: the delta merges into the packaged base exactly, the graph that `make install` builds
reproduces the trained model's probabilities, and the runtime handles odd input."""
from __future__ import annotations

import numpy as np
import pytest

from retrieval import cross_encoder as ce


def test_lora_merge_adds_the_scaled_product_and_replaces_trained_tensors():
    rng = np.random.default_rng(0)
    base = {"encoder.layer.0.attention.self.query.weight": rng.normal(size=(4, 3)).astype(np.float32),
            "embeddings.LayerNorm.weight": np.ones(3, dtype=np.float32),
            "pooler.dense.weight": np.zeros((3, 3), np.float32), "pooler.dense.bias": np.zeros(3, np.float32)}
    a, b = rng.normal(size=(2, 3)).astype(np.float16), rng.normal(size=(4, 2)).astype(np.float16)
    delta = {"encoder.layer.0.attention.self.query.lora_a": a, "encoder.layer.0.attention.self.query.lora_b": b,
             "embeddings.LayerNorm.weight": np.full(3, 2.0, np.float16),
             "classifier.weight": np.ones((3, 3), np.float16), "classifier.bias": np.zeros(3, np.float16)}
    merged = ce.merged_weights(base, delta, {"lora_rank": 2, "lora_alpha": 8})
    want = base["encoder.layer.0.attention.self.query.weight"] + 4.0 * (b.astype(np.float32) @ a.astype(np.float32))
    assert np.allclose(merged["encoder.layer.0.attention.self.query.weight"], want, atol=1e-5)
    assert np.all(merged["embeddings.LayerNorm.weight"] == 2.0)
    assert "classifier.weight" in merged and not any(k.endswith((".lora_a", ".lora_b")) for k in merged)


def test_a_delta_for_a_missing_matrix_is_refused():
    delta = {"encoder.layer.9.attention.self.query.lora_a": np.zeros((1, 2), np.float32),
             "encoder.layer.9.attention.self.query.lora_b": np.zeros((2, 1), np.float32)}
    with pytest.raises(ce.ModelBuildError):
        ce.merged_weights({}, delta, {"lora_rank": 1, "lora_alpha": 1})


def _reference():
    card = ce.card()
    pairs = [(r["claim"], r["evidence"]) for r in card["reference"]]
    return card, pairs, np.array([r["probs"] for r in card["reference"]])


def _softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_fp32_graph_reproduces_the_trained_model(tmp_path):
    from retrieval.embeddings import ModelRuntime, model_runtime, set_model_runtime

    _, pairs, want = _reference()
    before = model_runtime()
    set_model_runtime(ModelRuntime(cache_dir=tmp_path))  # built here from the shipped delta, not taken from a cache
    try:
        model = ce.CrossEncoder(quantized=False)
        assert list(tmp_path.glob("models/nli-minilm-v1-*-fp32.onnx"))
    finally:
        set_model_runtime(before)
    assert np.abs(_softmax(model.logits(pairs)) - want).max() < 1e-4


def test_installed_int8_graph_stays_close_to_the_trained_model():
    _, pairs, want = _reference()
    model = ce.get_cross_encoder()
    assert model is not None, ce.unavailable_reason()
    got = _softmax(model.logits(pairs))
    assert np.abs(got - want).max() < 0.05
    assert (got.argmax(axis=1) == want.argmax(axis=1)).mean() >= 0.875


def test_card_carries_its_calibration_and_tiers():
    card = ce.card()
    assert card["classes"] == list(ce.CLASSES)
    assert 0.3 < card["temperature"] < 4
    assert len(card["biases"]) == 3
    assert set(card["finding_threshold"]) == {"supported", "contradicted"}


def test_predict_is_a_distribution_cached_and_handles_empty_and_huge_input():
    model = ce.get_cross_encoder()
    pairs = [("The bridge opened in 1998.", "The bridge opened in 1998."), ("", ""), ("x " * 5000, "y " * 5000)]
    first = model.predict(pairs)
    assert first.shape == (3, 3) and np.allclose(first.sum(axis=1), 1.0, atol=1e-5)
    assert np.array_equal(model.predict(pairs), first)
    assert model.predict([]).shape == (0, 3)
    relevance = model.relevance(pairs[0][0], [pairs[0][1]])
    assert relevance[0] == pytest.approx(1 - first[0, 2], abs=1e-6)
