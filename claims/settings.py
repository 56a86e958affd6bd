"""The one typed settings object, read at the edges (CLI, Streamlit app, Python API) and passed down.

Precedence, highest first:

1. explicit arguments: `Settings.load(store="stores/news", llm_backend="local")` (the CLI's options);
2. the environment: `COPYDESK_*` variables (`ENV_VARS` maps each field to its variable; an empty value
   counts as unset);
3. a TOML config file: `$COPYDESK_CONFIG`, else `./copydesk.toml` when it exists, else
   `~/.config/copydesk/config.toml` when it exists (the first one found, not merged). Top-level keys
   are field names (`store = "stores/news"`); the `[llm]` table takes `backend`, `base_url`, `model`,
   `api_key` and any other `claims.llm.LLMConfig` setting (`timeout_s`, `concurrency`, ...). Relative
   paths are relative to the file's folder. Unknown keys are an error;
4. the defaults below.

Nothing below the edges reads the environment: lower modules take these values as parameters
(`settings.retrieval.open_store()`, `settings.llm_config()`, `shared_dir=settings.shared`, ...). Two
groups are process-wide because their models are loaded once per process: the embedding runtime
(threads, tokenizer, model cache) and the verifier's weights; `settings.apply()` hands them over.
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, ValidationError, model_validator

from claims.errors import SettingsError
from retrieval.settings import DEFAULT_CACHE_DIR, DEFAULT_LOCK_WAIT_S, DEFAULT_STORE_DIR, RetrievalSettings

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_CONFIG = Path("copydesk.toml")  # in the working directory
USER_CONFIG = Path.home() / ".config" / "copydesk" / "config.toml"
CONFIG_ENV = "COPYDESK_CONFIG"

# field -> environment variables, the first set one wins (OPENAI_* are the openai SDK's own names)
ENV_VARS: dict[str, tuple[str, ...]] = {
    "store": ("COPYDESK_STORE",),
    "chroma_url": ("COPYDESK_CHROMA_URL",),
    "chroma_token": ("COPYDESK_CHROMA_TOKEN",),
    "embedder": ("COPYDESK_EMBEDDER",),
    "store_lock_wait_s": ("COPYDESK_STORE_LOCK_WAIT",),
    "threads": ("COPYDESK_THREADS",),
    "minilm_tokenizer": ("COPYDESK_MINILM_TOKENIZER",),
    "cache_dir": ("COPYDESK_CACHE",),
    "model_dir": ("COPYDESK_MODEL_DIR",),
    "verifier": ("COPYDESK_VERIFIER",),
    "llm_backend": ("COPYDESK_LLM",),
    "llm_base_url": ("COPYDESK_LLM_BASE_URL", "OPENAI_BASE_URL"),
    "llm_model": ("COPYDESK_LLM_MODEL",),
    "llm_api_key": ("COPYDESK_LLM_API_KEY", "OPENAI_API_KEY"),
    "shared": ("COPYDESK_SHARED",),
    "evalsets": ("COPYDESK_EVALSETS",),
    "review_db": ("COPYDESK_REVIEW_DB",),
    "eval_out": ("COPYDESK_EVAL_OUT",),
    "demo": ("COPYDESK_DEMO",),
    "publisher_org": ("COPYDESK_ORG",),
    "review_url": ("COPYDESK_REVIEW_URL",),
    "claimant": ("COPYDESK_CLAIMANT",),
    "logo": ("COPYDESK_LOGO",),
    "reviewer": ("COPYDESK_REVIEWER",),
}
LLM_TABLE_FIELDS = {"backend": "llm_backend", "base_url": "llm_base_url", "model": "llm_model", "api_key": "llm_api_key"}
_PATH_FIELDS = ("store", "minilm_tokenizer", "cache_dir", "model_dir", "verifier", "shared", "evalsets",
                "review_db", "eval_out")
_HINTS = {"store_lock_wait_s": "a number of seconds", "threads": "a whole number", "demo": "true or false"}


class Settings(BaseModel):
    """Every copydesk setting (the README's "Settings" table lists them with their variables)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # retrieval (composed into RetrievalSettings by `.retrieval`)
    store: Path = DEFAULT_STORE_DIR
    chroma_url: str | None = None
    chroma_token: SecretStr | None = None  # bearer token for the Chroma server (required off loopback)
    embedder: str | None = None
    store_lock_wait_s: float = DEFAULT_LOCK_WAIT_S
    threads: int = 0
    minilm_tokenizer: Path | None = None
    cache_dir: Path = DEFAULT_CACHE_DIR
    # claims
    model_dir: Path | None = None  # the local LLM's files; None: cache_dir/models
    verifier: Path | None = None  # other verifier weights (an experiment's); None: the shipped ones
    llm_backend: str = "none"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_options: dict[str, Any] = {}  # the [llm] table's other LLMConfig settings
    # evals
    shared: Path = REPO_ROOT.parent / "shared"
    evalsets: Path | None = None  # converted public sets; None: cache_dir/evalsets
    # app
    review_db: Path | None = None  # None: beside the store (<store>.reviews.sqlite3)
    eval_out: Path | None = None  # the app's eval runs; None: the system's temporary folder
    demo: bool = False
    # publishing (ClaimReview) and the reviewer's name, defaults the app's Settings page can override
    publisher_org: str = ""
    review_url: str = ""
    claimant: str = ""
    logo: str = ""
    reviewer: str = ""
    config_file: Path | None = None  # the config file these settings were read from, if any

    @model_validator(mode="before")
    @classmethod
    def _derived_defaults(cls, values: Any) -> Any:
        if isinstance(values, dict):
            values = {k: v for k, v in values.items() if v is not None}
            cache = Path(values.get("cache_dir") or DEFAULT_CACHE_DIR).expanduser()
            values.setdefault("model_dir", cache / "models")
            values.setdefault("evalsets", cache / "evalsets")
            for name in _PATH_FIELDS:
                if isinstance(values.get(name), (str, Path)):
                    values[name] = Path(values[name]).expanduser()
        return values

    # ----- loading ---------------------------------------------------------------------------------
    @classmethod
    def load(cls, *, env: Mapping[str, str] | None = None, config_file: str | Path | None = None,
             **explicit: Any) -> "Settings":
        """Settings from explicit arguments > environment > config file > defaults (None arguments are unset).

        `env` defaults to os.environ (pass a dict in tests); `config_file` overrides $COPYDESK_CONFIG.
        Raises SettingsError naming the variable or key of a bad value.
        """
        env = os.environ if env is None else env
        unknown = sorted(set(explicit) - set(cls.model_fields))
        if unknown:
            raise SettingsError(f"unknown setting(s): {', '.join(unknown)}")
        path = _config_path(config_file, env)
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        if path is not None:
            for key, value in _read_config(path).items():
                values[key], sources[key] = value, f"{key} in {path}"
            values["config_file"] = path
        for name, variables in ENV_VARS.items():
            found = next(((var, env[var]) for var in variables if env.get(var, "").strip()), None)
            if found:
                values[name], sources[name] = found[1].strip(), found[0]
        if isinstance(values.get("demo"), str):
            values["demo"] = values["demo"].lower() not in ("0", "false", "no", "off")
        for name, value in explicit.items():
            if value is not None:
                values[name], sources[name] = value, f"argument {name}"
        try:
            return cls(**values)
        except ValidationError as error:
            problem = error.errors()[0]
            name = str(problem["loc"][0]) if problem["loc"] else "?"
            where = sources.get(name, name)
            raw = values.get(name)
            hint = _HINTS.get(name, problem["msg"].lower())
            raise SettingsError(f"{where} must be {hint}, not {raw!r}" if name in _HINTS
                                else f"{where}: {hint} (got {raw!r})") from None

    # ----- what the layers below take --------------------------------------------------------------
    @property
    def retrieval(self) -> RetrievalSettings:
        return RetrievalSettings(store_dir=self.store, chroma_url=self.chroma_url,
                                 chroma_token=self.chroma_token.get_secret_value() if self.chroma_token else None,
                                 embedder=self.embedder,
                                 store_lock_wait_s=self.store_lock_wait_s, threads=self.threads,
                                 minilm_tokenizer=self.minilm_tokenizer, cache_dir=self.cache_dir)

    def llm_config(self, **overrides: Any):
        """The `claims.llm.LLMConfig` for these settings (`overrides`, e.g. from the app's Settings page, on top)."""
        from claims.llm import LLMConfig

        values: dict[str, Any] = {"cache_dir": self.cache_dir / "llm", "model_dir": self.model_dir,
                                  **self.llm_options, "backend": self.llm_backend, "base_url": self.llm_base_url,
                                  "model": self.llm_model,
                                  "api_key": self.llm_api_key.get_secret_value() if self.llm_api_key else None}
        values.update({k: v for k, v in overrides.items() if v})
        return LLMConfig.from_values(values)

    def llm_client(self, **overrides: Any):
        """The LLM client these settings configure, or None for the offline default."""
        from claims.llm import get_client

        return get_client(self.llm_config(**overrides))

    def apply(self) -> "Settings":
        """Hand the process-wide parts over: the embedding runtime and the verifier's weights. Returns self."""
        from claims.calibration import set_verifier_path

        self.retrieval.apply_model_runtime()
        set_verifier_path(self.verifier)
        return self


def _config_path(explicit: str | Path | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read: explicit, else $COPYDESK_CONFIG (None when it does not exist), else the defaults."""
    named = explicit or env.get(CONFIG_ENV, "").strip()
    if named:
        path = Path(named).expanduser()
        return path if path.is_file() else None
    return next((p for p in (LOCAL_CONFIG, USER_CONFIG) if p.is_file()), None)


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise SettingsError(f"cannot read config file {path}: {' '.join(str(error).split())}") from None
    values: dict[str, Any] = {}
    table = data.pop("llm", {})
    if not isinstance(table, dict):
        raise SettingsError(f"[llm] in {path} must be a table")
    fields = set(Settings.model_fields) - {"llm_options", "config_file"}
    unknown = sorted(k for k in data if k not in fields)
    if unknown:
        raise SettingsError(f"unknown setting(s) in the config file {path}: {', '.join(unknown)}")
    for key, value in data.items():
        if key in _PATH_FIELDS and isinstance(value, str):
            value = path.parent / Path(value).expanduser()
        values[key] = value
    options = {}
    for key, value in table.items():
        if key in LLM_TABLE_FIELDS:
            values[LLM_TABLE_FIELDS[key]] = value
        else:
            options[key] = value
    if options:
        values["llm_options"] = options
    return values
