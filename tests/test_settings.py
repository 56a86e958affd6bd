"""The one settings object: precedence (arguments > environment > config file > defaults), typed values,
one-line errors, and its hand-over to the layers below (retrieval settings, LLM config, process runtime)."""
from __future__ import annotations

from pathlib import Path

import pytest

from claims.errors import CopydeskError, SettingsError
from claims.llm import LLMConfigError
from claims.settings import ENV_VARS, Settings
from retrieval.settings import DEFAULT_STORE_DIR, RetrievalSettings

NO_CONFIG = {"COPYDESK_CONFIG": "/nonexistent/copydesk.toml"}


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "copydesk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_environment_or_config():
    s = Settings.load(env=NO_CONFIG)
    assert s.store == DEFAULT_STORE_DIR == Path.home() / ".local" / "share" / "copydesk" / "store"
    assert s.chroma_url is None and s.embedder is None and s.store_lock_wait_s == 2.0 and s.llm_backend == "none"
    assert s.model_dir == s.cache_dir / "models" and s.evalsets == s.cache_dir / "evalsets"
    assert s.demo is False and s.config_file is None
    assert s.retrieval == RetrievalSettings()  # the library's own defaults, exactly


def test_precedence_arguments_over_environment_over_config_over_defaults(tmp_path):
    config = write_config(tmp_path, 'store = "from-config"\nembedder = "minilm-fp32"\nthreads = 3\n'
                                    'store_lock_wait_s = 7\n[llm]\nbackend = "local"\nmodel = "cfg-model"\n'
                                    'timeout_s = 12\n')
    env = {"COPYDESK_CONFIG": str(config), "COPYDESK_STORE": "/env/store", "COPYDESK_THREADS": "2",
           "COPYDESK_LLM_MODEL": "env-model"}
    s = Settings.load(env=env, store="/arg/store")
    assert s.store == Path("/arg/store")  # argument beats environment
    assert s.threads == 2 and s.llm_model == "env-model"  # environment beats the file
    assert s.embedder == "minilm-fp32" and s.store_lock_wait_s == 7.0 and s.llm_backend == "local"  # file beats defaults
    assert s.chroma_url is None  # default
    assert s.config_file == config
    config_llm = s.llm_config()
    assert (config_llm.backend, config_llm.model, config_llm.timeout_s) == ("local", "env-model", 12.0)
    assert Settings.load(env={**env, "COPYDESK_STORE": ""}).store == tmp_path / "from-config"  # empty = unset;
    # relative paths in the file are relative to the file's folder


def test_none_arguments_are_unset_so_cli_options_can_be_passed_straight():
    s = Settings.load(env={**NO_CONFIG, "COPYDESK_STORE": "/env/store"}, store=None, llm_backend=None)
    assert s.store == Path("/env/store") and s.llm_backend == "none"


def test_every_field_but_the_bookkeeping_ones_has_an_environment_variable():
    assert set(ENV_VARS) == set(Settings.model_fields) - {"llm_options", "config_file"}
    assert all(var.startswith(("COPYDESK_", "OPENAI_")) for names in ENV_VARS.values() for var in names)


def test_every_environment_variable_reaches_its_field(tmp_path):
    env = {**NO_CONFIG, "COPYDESK_STORE": "/s", "COPYDESK_CHROMA_URL": "http://127.0.0.1:9", "COPYDESK_EMBEDDER": "e",
           "COPYDESK_STORE_LOCK_WAIT": "0.5", "COPYDESK_THREADS": "1", "COPYDESK_MINILM_TOKENIZER": "/t.json",
           "COPYDESK_CACHE": "/c", "COPYDESK_MODEL_DIR": "/m", "COPYDESK_VERIFIER": "/v.json", "COPYDESK_LLM": "local",
           "COPYDESK_LLM_BASE_URL": "http://127.0.0.1:8", "COPYDESK_LLM_MODEL": "mm", "COPYDESK_LLM_API_KEY": "sk-secret-77",
           "COPYDESK_SHARED": "/sh", "COPYDESK_EVALSETS": "/es", "COPYDESK_REVIEW_DB": "/r.sqlite3",
           "COPYDESK_EVAL_OUT": "/eo", "COPYDESK_DEMO": "1"}
    s = Settings.load(env=env)
    assert (s.store, s.chroma_url, s.embedder, s.store_lock_wait_s, s.threads) == (Path("/s"), "http://127.0.0.1:9", "e", 0.5, 1)
    assert (s.minilm_tokenizer, s.cache_dir, s.model_dir, s.verifier) == (Path("/t.json"), Path("/c"), Path("/m"), Path("/v.json"))
    assert (s.llm_backend, s.llm_base_url, s.llm_model, s.llm_api_key.get_secret_value()) == ("local", "http://127.0.0.1:8", "mm", "sk-secret-77")
    assert (s.shared, s.evalsets, s.review_db, s.eval_out, s.demo) == (Path("/sh"), Path("/es"), Path("/r.sqlite3"), Path("/eo"), True)
    assert "sk-secret-77" not in repr(s) and "sk-secret-77" not in str(s.model_dump())  # the key is a SecretStr
    assert Settings.load(env={**NO_CONFIG, "COPYDESK_CACHE": "/c"}).model_dir == Path("/c/models")


def test_openai_variables_are_the_fallbacks_for_url_and_key():
    s = Settings.load(env={**NO_CONFIG, "OPENAI_API_KEY": "k1", "OPENAI_BASE_URL": "http://x/v1"})
    assert s.llm_api_key.get_secret_value() == "k1" and s.llm_base_url == "http://x/v1"
    s = Settings.load(env={**NO_CONFIG, "OPENAI_API_KEY": "k1", "COPYDESK_LLM_API_KEY": "k2"})
    assert s.llm_api_key.get_secret_value() == "k2"


@pytest.mark.parametrize("env, message", [
    ({"COPYDESK_STORE_LOCK_WAIT": "soon"}, "COPYDESK_STORE_LOCK_WAIT must be a number of seconds, not 'soon'"),
    ({"COPYDESK_THREADS": "many"}, "COPYDESK_THREADS must be a whole number, not 'many'"),
])
def test_a_bad_environment_value_is_a_one_line_error_naming_the_variable(env, message):
    with pytest.raises(SettingsError, match=message) as caught:
        Settings.load(env={**NO_CONFIG, **env})
    assert "\n" not in str(caught.value) and isinstance(caught.value, CopydeskError)


def test_config_file_errors_name_the_file_and_key(tmp_path):
    config = write_config(tmp_path, 'colour = "red"\n')
    with pytest.raises(SettingsError, match="unknown setting.*colour"):
        Settings.load(env={"COPYDESK_CONFIG": str(config)})
    write_config(tmp_path, "store_lock_wait_s = 'later'\n")
    with pytest.raises(SettingsError, match=r"store_lock_wait_s in .*copydesk.toml must be a number of seconds"):
        Settings.load(env={"COPYDESK_CONFIG": str(config)})
    write_config(tmp_path, "[llm\n")
    with pytest.raises(SettingsError, match="cannot read config file"):
        Settings.load(env={"COPYDESK_CONFIG": str(config)})
    write_config(tmp_path, "[llm]\nbackend = 'gpt4'\n")
    with pytest.raises(LLMConfigError, match="unknown LLM backend 'gpt4'"):
        Settings.load(env={"COPYDESK_CONFIG": str(config)}).llm_config()
    with pytest.raises(SettingsError, match="unknown setting"):
        Settings.load(env=NO_CONFIG, colour="red")


def test_the_config_file_is_found_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path, 'chroma_url = "http://127.0.0.1:8000"\n')
    assert Settings.load(env={}).chroma_url == "http://127.0.0.1:8000"
    assert Settings.load(env=NO_CONFIG).chroma_url is None  # an explicit $COPYDESK_CONFIG replaces the search


def test_settings_are_frozen():
    s = Settings.load(env=NO_CONFIG)
    with pytest.raises(Exception):
        s.store = Path("/elsewhere")  # type: ignore[misc]


def test_retrieval_settings_open_the_configured_store(tmp_path):
    from retrieval.types import Document

    from test_store_lock import WordHashEmbedder

    s = Settings.load(env={**NO_CONFIG, "COPYDESK_STORE": str(tmp_path / "st"), "COPYDESK_STORE_LOCK_WAIT": "0.3"})
    store = s.retrieval.open_store(embedder=WordHashEmbedder())
    assert store.location == str(tmp_path / "st") and store.lock_wait_s == 0.3
    store.ingest([Document(source="a.txt", text="The bridge is 120 metres long.")])
    assert (tmp_path / "st" / "chroma.sqlite3").is_file()


def test_apply_hands_over_the_process_wide_parts(tmp_path):
    from claims import calibration
    from retrieval import embeddings

    before = embeddings.model_runtime()
    try:
        Settings.load(env={**NO_CONFIG, "COPYDESK_THREADS": "1", "COPYDESK_CACHE": str(tmp_path),
                           "COPYDESK_VERIFIER": str(tmp_path / "v.json")}).apply()
        assert embeddings.model_runtime() == embeddings.ModelRuntime(threads=1, cache_dir=tmp_path)
        assert calibration.verifier_path() == tmp_path / "v.json"
    finally:
        embeddings.set_model_runtime(before)
        calibration.set_verifier_path(None)
    assert calibration.verifier_path() == calibration.VERIFIER_PATH


def test_no_module_below_the_edges_reads_the_environment(monkeypatch, tmp_path):
    """Setting a variable changes nothing for a library call: only Settings.load() reads it (the static check
    of every module is tests/test_import_boundaries.py)."""
    from retrieval.store import open_store

    from test_store_lock import WordHashEmbedder

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COPYDESK_STORE", str(tmp_path / "env-store"))
    monkeypatch.setenv("COPYDESK_EMBEDDER", "nope")
    monkeypatch.setenv("COPYDESK_STORE_LOCK_WAIT", "9")
    store = open_store(tmp_path / "given", embedder=WordHashEmbedder())
    assert store.location == str(tmp_path / "given") and store.lock_wait_s == 2.0
    assert Settings.load().embedder == "nope" and Settings.load().store == tmp_path / "env-store"


from test_retrieval_store import chroma_server  # noqa: E402,F401 - a real Chroma server on 127.0.0.1


def test_the_ui_uses_the_chroma_server_named_by_copydesk_chroma_url(chroma_server, monkeypatch, tmp_path):  # noqa: F811
    """Like the CLI, the app's backend opens the Chroma server when COPYDESK_CHROMA_URL is set (it used to
    ignore it and open the store folder)."""
    from app import ui_backend

    monkeypatch.setenv("COPYDESK_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("COPYDESK_CHROMA_URL", chroma_server)
    monkeypatch.setenv("COPYDESK_STORE", str(tmp_path / "folder-store"))
    monkeypatch.setattr(ui_backend, "_STORES", {})
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "bridge.txt").write_text("Opened in 1998, the bridge is 120 metres long.", encoding="utf-8")
    ui_backend.ingest_folder(str(docs))
    assert ui_backend.open_corpus().location == chroma_server
    listed, stats = ui_backend.corpus_overview()
    assert [d["source"] for d in listed] == ["bridge.txt"] and stats["documents"] == 1
    assert ui_backend.document_text("bridge.txt").startswith("Opened in 1998")
    assert not (tmp_path / "folder-store").exists()  # nothing was written to the folder store
