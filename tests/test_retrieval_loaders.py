"""Loaders for each format, with metadata, and clear one-line errors on bad input."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from retrieval.loaders import LoadError, load_file, load_paths, parse_date


def text_pdf(path: Path, text: str) -> Path:
    """A minimal one-page PDF whose text layer holds `text` (ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def test_markdown_title_and_date_near_the_top(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Harbour report\n\nPublished 2026-01-15\n\nThe port handled 4.2 million containers.\n")
    [doc] = load_file(path, root=tmp_path)
    assert doc.source == "note.md" and doc.title == "Harbour report" and doc.date == date(2026, 1, 15)
    assert "4.2 million containers" in doc.text


def test_plain_text_with_a_written_date(tmp_path):
    path = tmp_path / "memo.txt"
    path.write_text("Budget memo\nMarch 3, 2025\n\nSpending rose by 3 percent.")
    [doc] = load_file(path)
    assert doc.date == date(2025, 3, 3) and doc.title == "Budget memo"


def test_html_keeps_visible_text_and_metadata(tmp_path):
    path = tmp_path / "page.html"
    path.write_text("""<html><head><title>Rail fares rise</title>
        <meta property="article:published_time" content="2026-02-01T08:00:00Z">
        <style>p { color: red }</style><script>var secret = "hidden";</script></head>
        <body><nav>Home | News</nav><h1>Rail fares</h1><p>Fares rise by 2.5% in April.</p>
        <p>Operators blame energy costs &amp; wages.</p></body></html>""")
    [doc] = load_file(path)
    assert doc.title == "Rail fares rise" and doc.date == date(2026, 2, 1)
    assert "Fares rise by 2.5% in April." in doc.text and "energy costs & wages" in doc.text
    assert "secret" not in doc.text and "color" not in doc.text and "Home | News" not in doc.text


def test_html_to_text_for_drafts():
    from retrieval.loaders import html_to_text

    text = html_to_text("<p>First &amp; foremost.</p><script>x()</script><p>Second.</p>")
    assert text == "First & foremost.\n\nSecond."


def test_pdf_text_layer_is_read(tmp_path):
    [doc] = load_file(text_pdf(tmp_path / "r.pdf", "The dam holds 38 billion cubic metres."))
    assert "38 billion cubic metres" in doc.text


def test_pdf_without_text_layer_is_a_clear_error(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    path = tmp_path / "scan.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    with pytest.raises(LoadError, match="no text layer"):
        load_file(path)


def test_broken_pdf_is_a_load_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf")
    with pytest.raises(LoadError) as caught:
        load_file(path)
    assert "\n" not in str(caught.value) and "broken.pdf" in str(caught.value)


def test_jsonl_one_document_per_line(tmp_path):
    path = tmp_path / "facts.jsonl"
    rows = [{"id": "f1", "text": "Tokyo has 14 million residents.", "title": "Tokyo", "date": "2025-10-01",
             "url": "https://example.org/tokyo"},
            {"source": "f2", "text": "Osaka has 2.7 million residents."},
            {"text": "An entry without a name."}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    docs = load_file(path)
    assert [d.source for d in docs] == ["f1", "f2", "facts.jsonl:3"]
    assert docs[0].date == date(2025, 10, 1) and docs[0].url == "https://example.org/tokyo" and docs[0].title == "Tokyo"


@pytest.mark.parametrize("line, message", [
    ("{not json", "line 2: invalid JSON"),
    ('{"title": "no text"}', 'line 2: missing a non-empty "text"'),
    ('["a", "list"]', "line 2: expected a JSON object"),
    ('{"text": "x", "date": "someday"}', "line 2: unreadable date"),
])
def test_malformed_jsonl_names_file_and_line(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n")
    with pytest.raises(LoadError, match=message) as caught:
        load_file(path)
    assert "bad.jsonl" in str(caught.value)


def test_binary_file_is_rejected(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(LoadError, match="binary file"):
        load_file(path)


def test_non_utf8_file_is_rejected(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Café prices rose.".encode("latin-1"))
    with pytest.raises(LoadError, match="not valid UTF-8"):
        load_file(path)


def test_oversize_file_is_rejected(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000)
    with pytest.raises(LoadError, match="over the"):
        load_file(path, max_bytes=1000)
    assert load_file(path, max_bytes=4000)


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "data.csv").write_text("a,b")
    with pytest.raises(LoadError, match="unsupported file type .csv"):
        load_file(tmp_path / "data.csv")
    with pytest.raises(LoadError, match="no such file"):
        list(load_paths([tmp_path / "missing"]))


def test_folder_is_walked_recursively_skipping_hidden_and_unsupported(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.txt").write_text("Alpha text.")
    (tmp_path / "sub" / "b.md").write_text("# Beta\n\nBeta text.")
    (tmp_path / ".git" / "c.txt").write_text("hidden")
    (tmp_path / ".hidden.txt").write_text("hidden")
    (tmp_path / "d.csv").write_text("a,b")
    assert sorted(d.source for d in load_paths([tmp_path])) == ["a.txt", "sub/b.md"]


def test_folder_with_a_bad_file_raises_or_skips_on_request(tmp_path):
    (tmp_path / "good.txt").write_text("Good text.")
    (tmp_path / "bad.txt").write_bytes(b"bad \xc3\x28 text")  # invalid UTF-8 (a UTF-16 BOM now decodes)
    with pytest.raises(LoadError, match="bad.txt"):
        list(load_paths([tmp_path]))
    errors: list[LoadError] = []
    docs = list(load_paths([tmp_path], skip_errors=True, errors=errors))
    assert [d.source for d in docs] == ["good.txt"] and len(errors) == 1


@pytest.mark.parametrize("value, expected", [
    ("2026-01-15", date(2026, 1, 15)), ("2026-01-15T09:30:00Z", date(2026, 1, 15)),
    ("January 15, 2026", date(2026, 1, 15)), ("15 Jan 2026", date(2026, 1, 15)), ("Sept. 4, 2025", date(2025, 9, 4)),
    ("2026-02-30", None), ("soon", None), ("", None),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_seed_articles_load_when_present(seeds_dir):
    docs = list(load_paths([seeds_dir], skip_errors=True))
    assert docs and all(d.text.strip() for d in docs)


def test_markdown_front_matter_is_metadata_not_text(tmp_path):
    from retrieval.loaders import load_file

    path = tmp_path / "poll.md"
    original = ("---\ntitle: Poll edges up\ndate: 2025-11-24\nurl: https://example.org/poll\n---\n"
                "# Poll edges up\n\nApproval rose to 72%.\n")
    path.write_text(original, encoding="utf-8")
    (doc,) = load_file(path)
    assert doc.title == "Poll edges up"
    assert str(doc.date) == "2025-11-24" and doc.url == "https://example.org/poll"
    assert "---" not in doc.text and "title:" not in doc.text
    start = original.index("Approval")  # offsets still point into the file as written
    assert doc.text[start:start + 21] == original[start:start + 21] == "Approval rose to 72%."
