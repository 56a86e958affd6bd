"""`copydesk` never answers bad input or a failing backend with a traceback: one line, exit 2 (real processes)."""
from __future__ import annotations

import shutil
import socket
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_reliability_store import CLI, copydesk, env

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "store"
    result = copydesk("ingest", "--quiet", "--store", str(path), str(REPO / "app" / "demo" / "corpus"))
    assert result.returncode == 0, result.stderr
    return path


def one_line_error(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.mark.parametrize("args, expected", [(("--k", "0", "dam"), "k must be at least 1"),
                                            (("--k", "-1", "dam"), "k must be at least 1"),
                                            (("",), "empty search query"), (("   ",), "empty search query")])
def test_bad_search_requests_are_one_line(store, args, expected):
    assert expected in one_line_error(copydesk("search", "--store", str(store), *args))


def test_output_into_a_closed_pipe_ends_quietly(store):
    process = subprocess.Popen([sys.executable, "-c", CLI, "search", "--store", str(store), "--k", "20",
                                "--format", "json", "Takaichi cabinet approval"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, cwd=REPO, env=env())
    process.stdout.close()  # `| head -0`: the reader is gone before anything was written
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0 and "Traceback" not in err and "BrokenPipe" not in err, err


def test_output_piped_into_head(store):
    shell = subprocess.run(["bash", "-c", f'"{sys.executable}" -c "$CLI" search --store "{store}" --k 20 Lee | head -1'],
                           capture_output=True, text=True, cwd=REPO, env=env(CLI=CLI), timeout=120)
    assert shell.returncode == 0 and "Traceback" not in shell.stderr and len(shell.stdout.splitlines()) == 1


def test_a_closed_standard_input_is_one_line():
    result = subprocess.run(["bash", "-c", f'"{sys.executable}" -c "$CLI" check - <&-'], capture_output=True,
                            text=True, cwd=REPO, env=env(CLI=CLI), timeout=120)
    assert "standard input is closed" in one_line_error(result)


def test_search_and_check_open_a_store_whose_folder_holds_other_files_or_nothing(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no store at" in one_line_error(copydesk("search", "--store", str(empty), "dam"))
    assert list(empty.iterdir()) == []


def test_a_corrupt_store_is_one_line(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "chroma.sqlite3").write_bytes(b"not a database at all" * 100)
    assert "corrupt" in one_line_error(copydesk("search", "--store", str(broken), "dam"))


def test_explicit_store_wins_over_the_server_setting_and_messages_name_it(store, tmp_path):
    note = tmp_path / "n.txt"
    note.write_text("The tunnel is 57 kilometres long.", encoding="utf-8")
    result = copydesk("ingest", "--quiet", "--store", str(tmp_path / "other"), str(note),
                      COPYDESK_CHROMA_URL="http://127.0.0.1:9")
    assert result.returncode == 0 and f"ingested into {tmp_path / 'other'}:" in result.stdout, result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_chroma_server_killed_mid_ingest_is_one_line(tmp_path):
    binary = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if binary is None:
        pytest.skip("the chroma CLI is not installed")
    port = _free_port()
    server = subprocess.Popen([binary, "run", "--path", str(tmp_path / "data"), "--host", "127.0.0.1", "--port",
                               str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "chroma server did not start"
                time.sleep(0.2)
        corpus = tmp_path / "c.jsonl"
        corpus.write_text("".join(f'{{"source": "d{i}", "text": "Item {i} weighs {i} kilograms."}}\n'
                                  for i in range(3000)), encoding="utf-8")
        ingest = subprocess.Popen([sys.executable, "-c", CLI, "ingest", "--quiet", str(corpus)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                                  env=env(COPYDESK_CHROMA_URL=f"http://127.0.0.1:{port}", EMBED_DELAY="1.5"))
        time.sleep(8)
    finally:
        server.kill()
        server.wait()
    out, err = ingest.communicate(timeout=300)
    lines = err.strip().splitlines()
    assert ingest.returncode == 2 and len(lines) == 1 and "Traceback" not in err, err[-3000:]
    assert f"127.0.0.1:{port}" in lines[0] or "Chroma" in lines[0], lines[0]  # names the server that failed


def test_search_says_when_nothing_is_a_good_match(store):
    off_topic = copydesk("search", "--store", str(store), "--k", "2", "recipe for banana bread with walnuts")
    assert off_topic.returncode == 0 and off_topic.stdout.startswith("no good match: ")
    on_topic = copydesk("search", "--store", str(store), "--k", "2", "Takaichi cabinet approval rating")
    assert on_topic.returncode == 0 and "no good match" not in on_topic.stdout and "yomiuri" in on_topic.stdout
    as_json = copydesk("search", "--store", str(store), "--k", "2", "--format", "json", "recipe for banana bread")
    assert json.loads(as_json.stdout) and "no good match" in as_json.stderr  # the JSON stays a list of passages


def test_a_read_only_store_is_searched_and_checked_and_refuses_writes(store, tmp_path):
    """A real read-only bind mount where this machine allows one (root); else the folder is made read-only."""
    mount_point = tmp_path / "ro"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(store.parent), str(mount_point)], capture_output=True).returncode == 0
    if mounted and subprocess.run(["mount", "-o", "remount,ro,bind", str(mount_point)], capture_output=True).returncode:
        subprocess.run(["umount", str(mount_point)])
        mounted = False
    if not mounted:
        import os

        if os.geteuid() == 0:
            pytest.skip("no read-only bind mount here, and root writes through file permissions")
        mount_point.rmdir()
        shutil.copytree(store.parent, mount_point)
        for path in sorted(mount_point.rglob("*"), reverse=True):
            path.chmod(0o555 if path.is_dir() else 0o444)
        mount_point.chmod(0o555)
    try:
        read_only = mount_point / store.name
        found = copydesk("search", "--store", str(read_only), "--k", "1", "Takaichi cabinet approval")
        assert found.returncode == 0 and "yomiuri" in found.stdout, found.stderr
        checked = subprocess.run([sys.executable, "-c", CLI, "check", "--store", str(read_only), "--as-of", "2025-11-25",
                                  "--format", "json", "-"], input="Takaichi's cabinet approval was 72% in November.",
                                 capture_output=True, text=True, cwd=REPO, env=env(), timeout=300)
        assert checked.returncode == 0, checked.stderr
        assert any(c["verdict"] == "supported" for c in json.loads(checked.stdout)["claims"])
        written = copydesk("ingest", "--store", str(read_only), str(REPO / "README.md"))
        assert written.returncode == 2 and "is read-only" in one_line_error(written)
    finally:
        if mounted:
            subprocess.run(["umount", str(mount_point)])
