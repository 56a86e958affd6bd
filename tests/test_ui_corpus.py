"""Corpus page (AppTest) over a real temporary store: ingest a folder, list, remove; upload checks."""
from __future__ import annotations

import pytest

from app import ui_backend
from e2e.apptest import env, new_app, shown

DEMO_CORPUS = ui_backend.REPO / "app" / "demo" / "corpus"


def test_ingest_folder_list_and_remove(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    at = new_app("Corpus").run()
    assert not at.exception
    assert any("No documents yet" in shown(i.value) for i in at.info)
    at.text_input(key="corpus_folder").set_value(str(DEMO_CORPUS)).run()
    next(b for b in at.button if b.label == "Ingest folder").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("7 added" in s.value for s in at.success)
    table = at.dataframe[0].value
    assert len(table) == 7 and "usfk-cost-sharing.md" in set(table["source"])
    assert (table["passages"] > 0).all()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "7"
    at.selectbox(key="remove_source").set_value("usfk-cost-sharing.md").run()
    next(b for b in at.button if b.label == "Remove").click().run()
    assert "usfk-cost-sharing.md" not in set(at.dataframe[0].value["source"]) and len(at.dataframe[0].value) == 6


def test_bad_folder_and_bad_upload_give_one_line_errors(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    at = new_app("Corpus").run()
    at.text_input(key="corpus_folder").set_value(str(tmp_path / "nowhere")).run()
    next(b for b in at.button if b.label == "Ingest folder").click().run()
    assert [shown(e.value) for e in at.error] == [f"no such file or folder on the server: {tmp_path / 'nowhere'}"]
    from retrieval.loaders import LoadError

    with pytest.raises(LoadError, match="unsupported file type"):
        ui_backend.ingest_uploads([("notes.exe", b"MZ")])
    with pytest.raises(LoadError, match="limited to 20 MB"):
        ui_backend.ingest_uploads([("big.txt", b"x" * (ui_backend.MAX_CORPUS_UPLOAD_BYTES + 1))])


def test_draft_upload_limits():
    from claims.errors import DraftError

    assert ui_backend.decode_draft_upload("Caf\u00e9 draft".encode(), "d.txt") == "Caf\u00e9 draft"
    with pytest.raises(DraftError, match="limited to 2 MB"):
        ui_backend.decode_draft_upload(b"x" * (ui_backend.MAX_DRAFT_UPLOAD_BYTES + 1), "big.txt")
    with pytest.raises(DraftError, match="binary"):
        ui_backend.decode_draft_upload(b"\x00\x01PNG", "image.md")


def test_search_scores_no_good_match_and_open_a_document(monkeypatch, tmp_path):
    pytest.importorskip("retrieval.store")
    env(monkeypatch, tmp_path)
    at = new_app("Corpus").run()
    at.text_input(key="corpus_folder").set_value(str(DEMO_CORPUS)).run()
    next(b for b in at.button if b.label == "Ingest folder").click().run()
    at.text_input(key="corpus_query").set_value("US troops stationed in South Korea cost sharing").run()
    assert not at.exception and not at.warning
    first = at.html[0].value if at.html else ""
    page = "\n".join(h.value for h in at.html)
    assert "score " in page and "similarity " in page and "usfk" in page.lower(), first[:200]
    next(b for b in at.button if b.label == "Open the document").click().run()
    assert not at.exception
    at.text_input(key="corpus_query").set_value("zxqv wplk").run()
    assert any("No good match" in w.value for w in at.warning)


def test_uploads_ingest_the_good_files_and_name_the_bad_ones(monkeypatch, tmp_path):
    pytest.importorskip("retrieval.store")
    env(monkeypatch, tmp_path)
    good = (DEMO_CORPUS / "usfk-cost-sharing.md").read_bytes()
    stats, bad = ui_backend.ingest_each([("usfk.md", good), ("notes.exe", b"MZ"), ("broken.pdf", b"not a pdf"),
                                         ("empty.jsonl", b"{not json\n")])
    assert stats is not None and "1 added" in str(stats)
    assert [line.split(":")[0].split(" ")[0].rstrip(",") for line in bad] == ["notes.exe", "broken.pdf", "empty.jsonl"]
    assert not any("copydesk-upload-" in line or "/tmp" in line for line in bad)  # own names, not temporary paths
