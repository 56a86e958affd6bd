"""A real Streamlit server on 127.0.0.1 for browser tests, started and stopped by the test."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SERVE = Path(__file__).with_name("serve.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen) -> None:
    """End a server process started by a test: politely, then by force after 10 s."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def streamlit_server(env: dict[str, str], log: Path, timeout_s: float = 60) -> Iterator[str]:
    """Start the app; yield its URL once /_stcore/health answers; stop it (and only it) afterwards."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, str(SERVE), str(port)], env={**os.environ, **env},
                                stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}: {log.read_text()[-2000:]}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer within {timeout_s} s")
                time.sleep(0.3)
            yield url
        finally:
            stop(proc)
