"""Settings page (AppTest): choose a backend, test the connection; the API key never leaves the session."""
from __future__ import annotations


import pytest

from app import ui_backend
from e2e.apptest import env, new_app
from e2e.server import free_port

SECRET = "sk-test-0123456789-never-on-disk"


def test_settings_reach_the_check_and_the_key_stays_in_memory(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    seen = []
    monkeypatch.setattr(ui_backend, "connection_test", lambda s: seen.append(s) or {"reachable": True, "model": s.model})
    at = new_app("Settings").run()
    at.radio(key="llm_backend").set_value("openai-compatible").run()
    at.text_input(key="llm_base_url").set_value("http://127.0.0.1:9/v1")
    at.text_input(key="llm_model").set_value("qwen")
    at.text_input(key="llm_api_key").set_value(SECRET).run()
    next(b for b in at.button if b.label == "Test connection").click().run()
    assert not at.exception and [s.value for s in at.success] == ["Connected."]
    assert seen[-1] == ui_backend.LLMSettings("openai-compatible", "http://127.0.0.1:9/v1", "qwen", SECRET)
    assert at.session_state["llm_settings"].api_key == SECRET
    config = ui_backend.llm_config(seen[-1])
    assert SECRET not in repr(config) and config.base_url == "http://127.0.0.1:9/v1"
    written = [p for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert written == []
    assert at.json and SECRET not in str(at.json[0].value)  # the result is shown, without the key


def test_connection_failure_is_reported(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    at = new_app("Settings").run()
    at.radio(key="llm_backend").set_value("openai-compatible").run()
    at.text_input(key="llm_base_url").set_value(f"http://127.0.0.1:{free_port()}/v1")
    at.text_input(key="llm_model").set_value("none-such").run()
    next(b for b in at.button if b.label == "Test connection").click().run()
    assert not at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("Connection failed")


def test_offline_default_has_nothing_to_test(monkeypatch, tmp_path):
    env(monkeypatch, tmp_path)
    at = new_app("Settings").run()
    assert at.radio(key="llm_backend").value == "none"
    assert next(b for b in at.button if b.label == "Test connection").disabled
