"""Settings page: the LLM backend (none, local, OpenAI-compatible) and a connection test.

The API key is read from the environment or typed for this session; it lives in st.session_state only
and is never written to disk or logs.
"""
from __future__ import annotations

import streamlit as st

from app import ui_backend as backend
from app.exports import escape_markdown
from app.ui_state import llm_settings
from claims.errors import CopydeskError

BACKENDS = {"none": "None (offline rules and judge)", "local": "Local llama.cpp server",
            "openai-compatible": "OpenAI-compatible endpoint"}


PUBLISHING = (("pub_org", "Newsroom (organisation)", "The Daily Example", "publisher_org"),
              ("pub_url", "Review page URL", "https://news.example/fact-checks/story", "review_url"),
              ("pub_claimant", "Claimant (default; set per draft beside the exports)", "", ""),
              ("pub_draft_url", "Where the claims appeared (URL)", "", ""))


def _keep(key: str) -> None:
    st.session_state[key] = st.session_state[f"{key}_input"]  # outlives the page (widget state does not)


def _publishing() -> None:
    st.subheader("Publishing", anchor=False)
    st.caption("ClaimReview names your newsroom as the author and links each claim to the published review.")
    settings = backend.app_settings()
    for key, label, placeholder, field in PUBLISHING:
        value = st.session_state.get(key, getattr(settings, field) if field else "")
        st.session_state[f"{key}_input"] = value
        st.text_input(label, key=f"{key}_input", placeholder=placeholder, on_change=_keep, args=(key,))


def page() -> None:
    st.title("Settings")
    _publishing()
    st.subheader("LLM", anchor=False)
    current = llm_settings()
    backend_name = st.radio("LLM backend", list(BACKENDS), format_func=BACKENDS.get,
                            index=list(BACKENDS).index(current.backend), key="llm_backend")
    base_url, model, api_key = "", "", ""
    if backend_name == "openai-compatible":
        configured = backend.app_settings()  # environment > config file > defaults
        base_url = st.text_input("Base URL", value=current.base_url or configured.llm_base_url or "",
                                 placeholder="http://127.0.0.1:8000/v1", key="llm_base_url")
        model = st.text_input("Model", value=current.model or configured.llm_model or "", key="llm_model")
        configured_key = configured.llm_api_key is not None
        api_key = st.text_input(f"API key (this session only{'; blank uses the configured key' if configured_key else ''})",
                                value=current.api_key, type="password", key="llm_api_key")
    elif backend_name == "local":
        st.caption("Uses the packaged local model through a llama.cpp server (see `copydesk llm test`).")
    settings = backend.LLMSettings(backend=backend_name, base_url=base_url.strip(), model=model.strip(),
                                   api_key=api_key.strip())
    st.session_state["llm_settings"] = settings
    if st.button("Test connection", disabled=backend_name == "none"):
        with st.spinner("Testing\u2026"):
            try:
                result = backend.connection_test(settings)
            except CopydeskError as exc:
                st.error(escape_markdown(f"Connection failed: {exc}"))
                return
        shown = {k: v for k, v in result.items() if "key" not in k.lower()}
        if result.get("ok", result.get("reachable")):
            st.success("Connected.")
        else:
            st.error(escape_markdown(f"Connection failed: {result.get('error', 'no answer')}"))
        st.json(shown)
