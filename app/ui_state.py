"""State shared by the UI's pages: the review store (one per process) and the session's LLM settings."""
from __future__ import annotations

import os

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


def reviewer() -> str:
    """The reviewer's name (sidebar), recorded with every decision and in the audit trail."""
    return str(st.session_state.get("reviewer_name") or os.environ.get("COPYDESK_REVIEWER", "")).strip()


def publisher():
    """The newsroom's publishing settings (Settings page, else COPYDESK_ORG / COPYDESK_REVIEW_URL / COPYDESK_CLAIMANT / COPYDESK_LOGO)."""
    from app.exports import Publisher

    return Publisher(organisation=st.session_state.get("pub_org") or os.environ.get("COPYDESK_ORG", ""),
                     url=st.session_state.get("pub_url") or os.environ.get("COPYDESK_REVIEW_URL", ""),
                     claimant=st.session_state.get("pub_claimant") or os.environ.get("COPYDESK_CLAIMANT", ""),
                     draft_url=st.session_state.get("pub_draft_url", ""),
                     logo=st.session_state.get("pub_logo") or os.environ.get("COPYDESK_LOGO", ""))
