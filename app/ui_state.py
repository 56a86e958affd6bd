"""State shared by the UI's pages: the review store (one per process) and the session's LLM settings."""
from __future__ import annotations

import streamlit as st

from app import ui_backend as backend
from app.review_store import ReviewStore


@st.cache_resource(show_spinner=False)
def _review_store(path: str) -> ReviewStore:
    return ReviewStore(path)


def review_store() -> ReviewStore:
    """The reviewer-decision database: COPYDESK_REVIEW_DB, else beside the store."""
    return _review_store(str(backend.review_db()))


def llm_settings() -> backend.LLMSettings:
    """This session's LLM settings (the API key included) — held in st.session_state only."""
    return st.session_state.get("llm_settings", backend.LLMSettings())
