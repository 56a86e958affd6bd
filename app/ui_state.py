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


def reviewer() -> str:
    """The reviewer's name (sidebar), recorded with every decision and in the audit trail."""
    return str(st.session_state.get("reviewer_name") or _settings().reviewer).strip()


def publisher():
    """The newsroom's publishing settings (Settings page, else COPYDESK_ORG / COPYDESK_REVIEW_URL / COPYDESK_CLAIMANT / COPYDESK_LOGO)."""
    from app.exports import Publisher

    return Publisher(organisation=st.session_state.get("pub_org") or _settings().publisher_org,
                     url=st.session_state.get("pub_url") or _settings().review_url,
                     claimant=st.session_state.get("pub_claimant") or _settings().claimant,
                     draft_url=st.session_state.get("pub_draft_url", ""),
                     logo=st.session_state.get("pub_logo") or _settings().logo)


def _settings():
    """The app's settings (environment > config file > defaults), read through the backend at this edge."""
    from app.ui_backend import app_settings

    return app_settings()
