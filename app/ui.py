"""copydesk's reviewer's desk: `streamlit run app/ui.py` (or `copydesk ui [--store DIR] [--demo]`).

Pages: Check (draft, verdicts, evidence, review, compare with an earlier check), Batch (several drafts
at once, where they disagree), Corpus, Evaluation, Settings. Environment:
COPYDESK_STORE (corpus store), COPYDESK_DEMO=1 (check the demo draft on first load),
COPYDESK_REVIEW_DB (SQLite file of review decisions).
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `streamlit run app/ui.py` puts app/, not the repository, on the path
    sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402

from app import ui_backend as backend  # noqa: E402
from app import ui_batch, ui_check, ui_corpus, ui_eval, ui_settings  # noqa: E402
from app.ui_state import llm_settings  # noqa: E402

PAGES = {"Check": ui_check.page, "Batch": ui_batch.page, "Corpus": ui_corpus.page, "Evaluation": ui_eval.page, "Settings": ui_settings.page}


def main() -> None:
    st.set_page_config(page_title="copydesk", page_icon="\U0001F4F0", layout="wide")
    try:  # a newsroom tool, not a developer's: no Deploy button, no developer menu entries
        st.set_option("client.toolbarMode", "viewer")
    except Exception:  # noqa: BLE001 - an older Streamlit without the option: the chrome stays
        pass
    with st.sidebar:
        st.markdown("### copydesk")
        choice = st.radio("Page", list(PAGES), key="page", label_visibility="collapsed")
        st.text_input("Your name (recorded with your reviews)", key="reviewer_name")
        st.caption(f"Corpus store: `{backend.store_dir()}`")
        st.caption(f"LLM: {llm_settings().backend}")
    PAGES[choice]()


main()
