"""Measure how the Check page copes with a 20,000-word draft (run by hand; prints timings).

    .venv/bin/python tests/e2e/measure_large_draft.py [--browser] [--words 20000]

The draft is the demo draft repeated (each copy under its own heading) and the report is the demo
report repeated with shifted offsets, so the claim density is the demo's (about one claim per ten
words). The report comes from the real pipeline over the demo corpus when it runs, else a stand-in.
Timings: the server-side script run that draws the results (AppTest), and with --browser the time
from pressing "Check draft" to the first claim card and to the highlighted draft in headless Chromium.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from claims.models import Report  # noqa: E402


def demo_block_report(store_dir: Path) -> tuple[str, Report, str]:
    draft = (REPO / "app" / "demo" / "draft.txt").read_text(encoding="utf-8")
    try:
        from claims.pipeline import check
        from retrieval.loaders import load_paths
        from retrieval.store import open_store

        store = open_store(store_dir)
        store.ingest(load_paths([REPO / "app" / "demo" / "corpus"]))
        return draft, check(draft, store=store, as_of=date(2026, 11, 24)), "real pipeline"
    except Exception as exc:  # noqa: BLE001 - fall back to the stand-in and say so
        from e2e.fixtures import demo_report

        return draft, demo_report(draft), f"stand-in report ({type(exc).__name__}: {exc})"


def repeated(draft: str, report: Report, words: int) -> tuple[str, Report]:
    """The draft repeated until it has `words` words; claims and flags shifted to each copy."""
    per_copy = len(draft.split())
    copies = max(1, -(-words // per_copy))
    data = report.to_json()
    parts, claims, flags, offset = [], [], [], 0
    for k in range(copies):
        block = f"Part {k + 1}: " + draft + "\n\n"
        shift = offset + len(f"Part {k + 1}: ")
        for c in data["claims"]:
            moved = dict(c, id=f"c{len(claims) + 1}", start=c["start"] + shift, end=c["end"] + shift,
                         sentence=[c["sentence"][0] + shift, c["sentence"][1] + shift])
            claims.append(moved)
        for f in data["flags"]:
            flags.append(dict(f, spans=[[a + shift, b + shift] for a, b in f.get("spans", [])]))
        parts.append(block)
        offset += len(block)
    return "".join(parts), Report.from_json(dict(data, claims=claims, flags=flags))


def apptest_seconds(draft: str, report: Report, tmp: Path) -> tuple[float, float]:
    from streamlit.testing.v1 import AppTest

    from app import ui_backend

    os.environ.update(COPYDESK_STORE=str(tmp / "none"), COPYDESK_REVIEW_DB=str(tmp / "r.sqlite3"))
    ui_backend.check_draft = lambda d, **kw: report
    at = AppTest.from_file(str(REPO / "app" / "ui.py"), default_timeout=300)
    at.run()
    at.text_area(key="draft_text").set_value(draft)
    at.date_input(key="as_of").set_value(report.as_of)  # As of is required
    next(b for b in at.button if b.label == "Check draft").click()
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    assert not at.exception, at.exception
    print(f"AppTest: the results section itself took {at.session_state['render_seconds']:.2f} s of that")
    started = time.perf_counter()
    at.selectbox(key="page_number").set_value(2).run()
    return first, time.perf_counter() - started


def browser_seconds(draft: str, report: Report, tmp: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    from e2e.server import streamlit_server

    saved = tmp / "report.json"
    saved.write_text(json.dumps(report.to_json()))
    env = {"COPYDESK_STORE": str(tmp / "none"), "COPYDESK_REVIEW_DB": str(tmp / "rb.sqlite3"),
           "COPYDESK_E2E_REPORT": str(saved)}
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with streamlit_server(env, tmp / "streamlit.log") as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(300_000)
        page.goto(url)
        box = page.get_by_label("Draft", exact=True)
        box.fill(draft)
        box.press("Control+Enter")
        for part, value in (("year", f"{report.as_of.year}"), ("month", f"{report.as_of.month:02d}"),
                            ("day", f"{report.as_of.day:02d}")):  # As of is required
            segment = page.get_by_role("spinbutton", name=f"{part}, As of (required)")
            segment.click()
            segment.press_sequentially(value)
        started = time.perf_counter()
        page.get_by_role("button", name="Check draft").click()
        page.locator(".st-key-card-1").wait_for()
        first_card = time.perf_counter() - started
        page.locator(".copydesk-draft mark").last.wait_for(state="attached")
        draft_drawn = time.perf_counter() - started
        page.locator(".st-key-card-50").wait_for()
        all_cards = time.perf_counter() - started
        browser.close()
    return {"first_card_s": first_card, "highlighted_draft_s": draft_drawn, "page_of_50_cards_s": all_cards}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="copydesk-measure-") as name:
        tmp = Path(name)
        block, block_report, origin = demo_block_report(tmp / "store")
        draft, report = repeated(block, block_report, args.words)
        print(f"draft: {len(draft.split()):,} words, {len(draft):,} chars, {len(report.claims):,} claims ({origin})")
        first, page2 = apptest_seconds(draft, report, tmp)
        print(f"AppTest: results drawn in {first:.2f} s; next page of cards in {page2:.2f} s")
        if args.browser:
            for key, value in browser_seconds(draft, report, tmp).items():
                print(f"browser: {key} = {value:.2f}")


if __name__ == "__main__":
    main()
