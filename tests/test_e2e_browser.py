"""End to end in a real browser: the app on 127.0.0.1 over a temporary store holding the demo corpus,
driven by headless Chromium (Playwright): paste the demo draft, check it, override a verdict, reload,
and find the override still there. Screenshots go to the test's temporary folder and, when
COPYDESK_SCREENSHOTS_DIR is set, there too.
"""
from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from e2e.server import streamlit_server

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "app" / "demo"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
INGEST = ("import sys; from retrieval.loaders import load_paths; from retrieval.store import open_store; "
          "print(open_store(sys.argv[1]).ingest(load_paths([sys.argv[2]])))")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)")


def _screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=False)
    target = os.environ.get("COPYDESK_SCREENSHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / name)
    return path


def _settle(page) -> None:
    """Wait until the app has finished its current run (its 'Running…' status is gone)."""
    page.wait_for_timeout(300)
    page.locator('[data-testid="stStatusWidget"]').wait_for(state="hidden")


def _choose(page, combobox, option: str, attempts: int = 5) -> None:
    """Pick an option of a Streamlit selectbox; a rerun landing mid-click closes the list, so retry."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(attempts):
        _settle(page)
        combobox.click()
        choice = page.get_by_role("option", name=option)
        try:
            choice.click(timeout=5_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r} in {attempts} attempts")


@pytest.fixture(scope="module")
def app_env(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("e2e")
    env = {"COPYDESK_STORE": str(root / "store"), "COPYDESK_REVIEW_DB": str(root / "reviews.sqlite3"),
           "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", INGEST, env["COPYDESK_STORE"], str(DEMO / "corpus")], cwd=REPO,
                          capture_output=True, text=True, timeout=180, env={**os.environ, **env})
    assert done.returncode == 0, done.stderr[-2000:]
    env["E2E_ROOT"] = str(root)
    return env


def test_check_override_reload_keeps_the_override(app_env, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    draft = (DEMO / "draft.txt").read_text(encoding="utf-8")
    with streamlit_server(app_env, tmp_path / "streamlit.log") as url, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.set_default_timeout(90_000)
            page.goto(url)
            box = page.get_by_label("Draft", exact=True)
            box.fill(draft)
            box.press("Control+Enter")  # commit the text area's value
            page.get_by_role("button", name="Check draft").click()
            first_card = page.locator(".st-key-card-1")
            first_card.wait_for()
            page.locator(".copydesk-draft mark").nth(3).wait_for()  # at least four claims highlighted
            assert page.get_by_text("did you mean").first.is_visible()
            _screenshot(page, tmp_path, "check-page.png")

            _choose(page, first_card.get_by_role("combobox", name="Review"), "override: contradicted")
            first_card.get_by_label("Note").fill("Reviewer: re-checked against the roster")
            first_card.get_by_role("button", name="Save review of claim 1").click()
            page.locator(".st-key-card-1", has_text="reviewer override").wait_for()
            _screenshot(page, tmp_path, "after-override.png")
            assert "?doc=" in page.url

            page.reload()
            card = page.locator(".st-key-card-1", has_text="reviewer override")
            card.wait_for()
            sync_api.expect(card.get_by_label("Note")).to_have_value("Reviewer: re-checked against the roster")
            sync_api.expect(card.get_by_role("combobox", name="Review")).to_have_value("override: contradicted")
            assert page.locator(".copydesk-draft mark").first.get_attribute("title").endswith("(reviewer override)")
            page.locator(".copydesk-draft").scroll_into_view_if_needed()
            _screenshot(page, tmp_path, "after-reload.png")

            _settle(page)
            page.get_by_role("button", name="Open the whole source").first.click()
            dialog = page.get_by_role("dialog")
            dialog.locator(".copydesk-quote").wait_for()  # the quote, highlighted inside the whole source
            _screenshot(page, tmp_path, "source-dialog.png")
            page.keyboard.press("Escape")
            dialog.wait_for(state="hidden")

            _settle(page)
            page.get_by_text("Export the reviewed report").click()
            with page.expect_download() as download:
                page.get_by_role("button", name="ClaimReview").click()
            reviews = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
            assert len(reviews) == 1 and reviews[0]["@type"] == "ClaimReview"  # only the reviewed claim
            assert reviews[0]["reviewRating"]["alternateName"] == "False"  # the override, applied
            assert "re-checked against the roster" in reviews[0]["reviewBody"]
        finally:
            browser.close()
    assert "Traceback" not in (tmp_path / "streamlit.log").read_text()


def test_upload_an_html_draft(app_env, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    upload = tmp_path / "story.html"
    upload.write_text("<html><body><h1>Poll story</h1><p>Approval stood at <b>72%</b> in November.</p>"
                      "<script>document.title='owned'</script></body></html>", encoding="utf-8")
    with streamlit_server(app_env, tmp_path / "streamlit.log") as url, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(90_000)
            page.goto(url)
            page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
            box = page.get_by_label("Draft", exact=True)
            sync_api.expect(box).to_have_value(re.compile(r"Poll story\s+Approval stood at 72% in November\."))
            assert "<b>" not in box.input_value() and page.title() != "owned"
        finally:
            browser.close()
