"""Embedders: the torch-free MiniLM graph built from safetensors, its quantized form, and batching."""
from __future__ import annotations

import json
import struct
from math import erf
from pathlib import Path

import numpy as np
import pytest

from retrieval.minilm_onnx import ModelBuildError, build_graph, read_safetensors

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

TINY = {"model_type": "bert", "hidden_act": "gelu", "hidden_size": 8, "num_attention_heads": 2,
        "num_hidden_layers": 2, "intermediate_size": 12, "layer_norm_eps": 1e-12}


def tiny_bert_weights(seed: int = 3, vocab: int = 20, positions: int = 16) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    h, inner = TINY["hidden_size"], TINY["intermediate_size"]

    def r(*shape: int) -> np.ndarray:
        return rng.normal(0, 0.5, shape).astype(np.float32)

    weights = {"embeddings.word_embeddings.weight": r(vocab, h), "embeddings.position_embeddings.weight": r(positions, h),
               "embeddings.token_type_embeddings.weight": r(2, h), "embeddings.LayerNorm.weight": 1 + r(h),
               "embeddings.LayerNorm.bias": r(h)}
    for i in range(TINY["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            weights[p + f"attention.self.{name}.weight"], weights[p + f"attention.self.{name}.bias"] = r(h, h), r(h)
        weights[p + "attention.output.dense.weight"], weights[p + "attention.output.dense.bias"] = r(h, h), r(h)
        weights[p + "attention.output.LayerNorm.weight"], weights[p + "attention.output.LayerNorm.bias"] = 1 + r(h), r(h)
        weights[p + "intermediate.dense.weight"], weights[p + "intermediate.dense.bias"] = r(inner, h), r(inner)
        weights[p + "output.dense.weight"], weights[p + "output.dense.bias"] = r(h, inner), r(h)
        weights[p + "output.LayerNorm.weight"], weights[p + "output.LayerNorm.bias"] = 1 + r(h), r(h)
    return weights


def reference_bert(weights: dict[str, np.ndarray], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """BERT plus mean pooling written out in numpy, the way the PyTorch model computes it."""
    def norm(x: np.ndarray, prefix: str) -> np.ndarray:
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * weights[prefix + ".weight"] + weights[prefix + ".bias"]

    def dense(x: np.ndarray, prefix: str) -> np.ndarray:
        return x @ weights[prefix + ".weight"].T + weights[prefix + ".bias"]

    batch, seq = ids.shape
    heads, size = TINY["num_attention_heads"], TINY["hidden_size"] // TINY["num_attention_heads"]
    x = (weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][:seq]
         + weights["embeddings.token_type_embeddings.weight"][0])
    x = norm(x, "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :]) * -1e9
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / np.sqrt(2))))
    for i in range(TINY["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (dense(x, p + f"attention.self.{n}").reshape(batch, seq, heads, size).transpose(0, 2, 1, 3)
                   for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + bias
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(batch, seq, heads * size)
        x = norm(dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        x = norm(dense(gelu(dense(x, p + "intermediate.dense")), p + "output.dense") + x, p + "output.LayerNorm")
    weights_mask = mask[:, :, None]
    return (x * weights_mask).sum(1) / weights_mask.sum(1)


def run_graph(model, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"input_ids": ids, "attention_mask": mask})[0]


def test_built_graph_matches_a_reference_bert_with_padding():
    weights = tiny_bert_weights()
    ids = np.array([[2, 5, 7, 9, 3], [2, 11, 3, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    got = run_graph(build_graph(weights, TINY), ids, mask)
    assert got.shape == (2, TINY["hidden_size"])
    np.testing.assert_allclose(got, reference_bert(weights, ids, mask.astype(np.float64)), atol=2e-4)
    # padding changes nothing: the short row alone gives the same vector
    alone = run_graph(build_graph(weights, TINY), ids[1:, :3], mask[1:, :3])
    np.testing.assert_allclose(alone[0], got[1], atol=2e-5)


def test_build_rejects_missing_tensors_and_other_architectures():
    weights = tiny_bert_weights()
    del weights["encoder.layer.1.output.dense.weight"]
    with pytest.raises(ModelBuildError, match="encoder.layer.1.output.dense.weight"):
        build_graph(weights, TINY)
    with pytest.raises(ModelBuildError, match="BERT"):
        build_graph(tiny_bert_weights(), {**TINY, "hidden_act": "relu"})


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, array in tensors.items():
        data = array.tobytes()
        header[name] = {"dtype": {np.float32: "F32", np.float16: "F16"}[array.dtype.type], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + b"".join(blobs))


def test_safetensors_reader_round_trips_and_rejects_garbage(tmp_path):
    tensors = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array([1.5, -2], dtype=np.float16)}
    write_safetensors(tmp_path / "m.safetensors", tensors)
    read = read_safetensors(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(read["a"], tensors["a"])
    assert read["b"].dtype == np.float32 and list(read["b"]) == [1.5, -2.0]
    (tmp_path / "bad.safetensors").write_bytes(struct.pack("<Q", 5) + b"{nope")
    with pytest.raises(ModelBuildError, match="bad header"):
        read_safetensors(tmp_path / "bad.safetensors")


# ----- the packaged MiniLM (skips where its packages are missing) ---------------------------------------
SENTENCES = ["Global sea level rose about 20 centimetres during the twentieth century.",
             "Sea levels went up by roughly 0.2 metres over the 1900s.",
             "The central bank kept its interest rate at 4.5 percent.",
             "Arctic sea ice extent in September has declined by about 13 percent per decade since 1979, "
             "according to satellite records kept by several agencies, a trend that models attribute largely "
             "to greenhouse warming.",
             "Coral reefs."]


@pytest.fixture(scope="module")
def minilm():
    from retrieval.embeddings import EmbedderUnavailable, get_embedder

    try:
        return {name: get_embedder(name) for name in ("minilm-fp32", "minilm-q8", "minilm-int8")}
    except EmbedderUnavailable as error:
        pytest.skip(str(error))


def test_minilm_variants_agree_with_fp32(minilm):
    reference = minilm["minilm-fp32"].embed(SENTENCES)
    for name in ("minilm-q8", "minilm-int8"):
        vectors = minilm[name].embed(SENTENCES)
        assert vectors.shape == (len(SENTENCES), 384) and vectors.dtype == np.float32
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
        assert (vectors * reference).sum(axis=1).min() > 0.98, name


def test_minilm_q8_ranks_a_paraphrase_above_an_unrelated_sentence(minilm):
    vectors = minilm["minilm-q8"].embed(SENTENCES[:3])
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3


def test_batching_and_order_do_not_change_a_vector(minilm):
    fp32, q8 = minilm["minilm-fp32"], minilm["minilm-q8"]
    together = fp32.embed(SENTENCES)
    np.testing.assert_allclose(together, np.vstack([fp32.embed([s]) for s in SENTENCES]), atol=2e-5)  # padding is masked
    np.testing.assert_allclose(together, fp32.embed(SENTENCES[::-1])[::-1], atol=1e-6)
    # q8 quantizes activations with one scale per batch, so a batch's company moves a vector a little
    quantized = q8.embed(SENTENCES)
    alone = np.vstack([q8.embed([s]) for s in SENTENCES])
    assert (quantized * alone).sum(axis=1).min() > 0.99
    assert fp32.embed([]).shape == (0, 384)


def test_default_embedder_is_minilm_q8(monkeypatch):
    from retrieval import embeddings

    assert embeddings.DEFAULT_EMBEDDER == "minilm-q8"
    with pytest.raises(embeddings.EmbedderUnavailable, match="unknown embedder 'nope'"):
        embeddings.get_embedder("nope")


@pytest.fixture
def fresh_embedders(monkeypatch):
    from retrieval import embeddings

    embeddings.get_embedder.cache_clear()
    yield embeddings
    embeddings.get_embedder.cache_clear()


def unavailable(name: str) -> type:
    from retrieval.embeddings import EmbedderUnavailable

    class Unavailable:
        def __init__(self) -> None:
            raise EmbedderUnavailable(f"{name} cannot run here")
    return Unavailable


def test_default_falls_back_to_minilm_int8_where_q8_cannot_be_built(fresh_embedders, monkeypatch):
    class Int8StandIn:
        name = "minilm-int8"

    monkeypatch.setitem(fresh_embedders.EMBEDDERS, "minilm-q8", unavailable("minilm-q8"))
    monkeypatch.setitem(fresh_embedders.EMBEDDERS, "minilm-int8", Int8StandIn)
    assert fresh_embedders.get_embedder().name == "minilm-int8"
    with pytest.raises(fresh_embedders.EmbedderUnavailable, match="minilm-q8 cannot run here"):
        fresh_embedders.get_embedder("minilm-q8")  # a named embedder never falls back


def test_no_default_embedder_gives_every_reason(fresh_embedders, monkeypatch):
    for name in fresh_embedders.DEFAULT_CHAIN:
        monkeypatch.setitem(fresh_embedders.EMBEDDERS, name, unavailable(name))
    with pytest.raises(fresh_embedders.EmbedderUnavailable, match="minilm-q8 cannot run here; minilm-int8 cannot"):
        fresh_embedders.get_embedder()


def test_one_instance_per_model_whichever_way_it_is_asked_for(fresh_embedders):
    default = fresh_embedders.get_embedder()
    assert fresh_embedders.get_embedder(default.name) is default
