"""AppTest helpers: a fresh app over a temporary store and review database, with a stand-in checker."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app import ui_backend
from claims.models import Report

UI = Path(__file__).resolve().parents[2] / "app" / "ui.py"


def new_app(page: str = "Check") -> AppTest:
    at = AppTest.from_file(str(UI), default_timeout=60)
    at.session_state["page"] = page
    return at


def use_checker(monkeypatch, make: Callable[[str], Report]) -> list[str]:
    """Replace the pipeline with `make(draft)`; returns the list of drafts it was asked to check."""
    calls: list[str] = []

    def fake_check(draft, *, as_of, settings=None, progress=None):
        calls.append(draft)
        if progress:
            progress(1, 1, "verifying")
        return make(draft)

    monkeypatch.setattr(ui_backend, "check_draft", fake_check)
    return calls


def env(monkeypatch, tmp_path: Path) -> Path:
    """Point the app at an empty temporary store and review database; returns the database path."""
    db = tmp_path / "reviews.sqlite3"
    monkeypatch.setenv("COPYDESK_STORE", str(tmp_path / "store"))
    monkeypatch.setenv("COPYDESK_REVIEW_DB", str(db))
    monkeypatch.setenv("COPYDESK_EVAL_OUT", str(tmp_path / "evals"))
    monkeypatch.delenv("COPYDESK_DEMO", raising=False)
    return db


def html_of(at: AppTest) -> str:
    return "\n".join(h.value for h in at.html)


AS_OF = __import__("datetime").date(2025, 11, 24)


def check(at: AppTest, draft: str, as_of=AS_OF) -> AppTest:
    """Paste the draft, set As of (unless None) and press Check draft."""
    at.text_area(key="draft_text").set_value(draft)
    if as_of is not None:
        at.date_input(key="as_of").set_value(as_of)
    next(b for b in at.button if b.label == "Check draft").click()
    return at.run()


def shown(markdown: str) -> str:
    """Markdown source as the reader sees it: backslash escapes removed."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown)


def all_markdown(at: AppTest) -> str:
    """The Markdown source of every text element that renders Markdown (headings, captions, alerts...)."""
    kinds = ("markdown", "caption", "subheader", "header", "title", "error", "info", "success", "warning")
    return "\n".join(str(element.value) for kind in kinds for element in at.get(kind))
