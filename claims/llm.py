"""One OpenAI-compatible client for every LLM backend, chosen by configuration, never by model name.

Backends: "none" (the offline default: `get_client` returns None), "local" (llama.cpp's server for
the packaged model, started on demand by claims.llm_local) and "openai-compatible" (OpenAI, vLLM,
Ollama, LM Studio, a llama.cpp server elsewhere: anything speaking /v1/chat/completions).

Why the openai SDK and not langchain-openai's ChatOpenAI for the requests: ChatOpenAI sends every
request that carries a `response_format` through `chat.completions.parse` and rewrites the format
on the way; llama.cpp's server answers `json_schema` with HTTP 500 but honours
`{"type": "json_object", "schema": ...}`, and `with_structured_output` raises (json_schema) or
returns None silently (function_calling) there. `structured()` therefore drives the schema modes
itself on the raw response text. `LLMClient.as_langchain()` still hands out a ChatOpenAI bound to
the same endpoint for callers who want langchain chains.

`LLMClient.structured(prompt_name, variables, schema)` renders prompts/<prompt_name>.md, asks for
JSON in the first schema mode the server accepts (json_schema, json_object with a schema, a forced
tool call, then the prompt alone), strips ```json fences, validates with pydantic, repairs once with
the validation error, and caches the validated answer on disk. Errors: `LLMUnavailable` (refused,
timed out, 5xx after retries with exponential backoff) and `LLMBadOutput` (still invalid after the repair).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from claims.errors import CopydeskError
from claims.models import Usage
from retrieval.tokens import count_tokens as shared_count_tokens, encoding_name_for_model

Backend = Literal["none", "local", "openai-compatible"]
SchemaMode = Literal["json_schema", "json_object", "tools", "prompt"]
BACKENDS: tuple[str, ...] = ("none", "local", "openai-compatible")
SCHEMA_MODES: tuple[SchemaMode, ...] = ("json_schema", "json_object", "tools", "prompt")
SYSTEM_MESSAGE = "You are a careful fact-checking assistant. You answer with one JSON object and nothing else."

# USD per 1M tokens (prompt, completion), matched by the longest model-name prefix; local models cost 0.
PRICES_PER_MILLION: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
}

# HTTP statuses a server answers when it does not take a schema mode (llama.cpp: 500 for json_schema).
MODE_REJECTED_STATUS = frozenset({400, 404, 415, 422, 500, 501})

M = TypeVar("M", bound=BaseModel)


class LLMError(CopydeskError):
    """Base class of every LLM failure; callers catch it and fall back to the offline path."""


class LLMConfigError(LLMError):
    """The LLM configuration is invalid (unknown backend, missing model, unreadable config file)."""


class LLMUnavailable(LLMError):
    """The server could not be reached, timed out, or kept failing (5xx) after retries."""


class LLMBadOutput(LLMError):
    """The model's answer was not valid JSON for the schema, even after one repair."""


class PromptNotFound(LLMError):
    """No prompts/<name>.md file."""


class PromptVariableError(LLMError):
    """A prompt's declared variables do not match its text, or a render is missing / adds a variable."""


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "copydesk" / "llm"


@dataclass(frozen=True)
class LLMConfig:
    """Where and how to reach a model. `api_key` is never shown in repr nor written anywhere."""

    backend: Backend = "none"
    base_url: str | None = None
    model: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout_s: float = 60.0
    max_retries: int = 2
    concurrency: int = 2
    temperature: float = 0.0
    cache_dir: Path | None = field(default_factory=_default_cache_dir)  # None disables the cache
    schema_mode: SchemaMode | Literal["auto"] = "auto"
    repeat_penalty: float | None = None  # llama.cpp defaults to 1.1; the local backend sends 1.0
    max_tokens: int | None = None  # cap on each answer's length (the local backend: 768)
    backoff_s: float = 0.5  # first retry delay; doubles each retry
    model_dir: Path | None = None  # where the local backend's model lives (None: ~/.cache/copydesk/models)

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise LLMConfigError(f"unknown LLM backend {self.backend!r}: use one of {', '.join(BACKENDS)}")
        if self.schema_mode != "auto" and self.schema_mode not in SCHEMA_MODES:
            raise LLMConfigError(f"unknown schema mode {self.schema_mode!r}: use auto or one of {', '.join(SCHEMA_MODES)}")
        if self.backend == "openai-compatible" and not self.model:
            raise LLMConfigError("the openai-compatible backend needs a model name (COPYDESK_LLM_MODEL)")
        if self.timeout_s <= 0 or self.concurrency < 1 or self.max_retries < 0:
            raise LLMConfigError("timeout_s must be > 0, concurrency >= 1 and max_retries >= 0")

    def model_copy(self, *, update: dict[str, Any]) -> "LLMConfig":
        """A copy with some settings changed, validated again (spelled like the project's pydantic models)."""
        return replace(self, **update)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> "LLMConfig":
        """A config from plain values (claims.settings.Settings.llm_config() builds them); backend aliases
        ("openai", "off") are accepted and the local backend gets its own defaults."""
        values = {k: v for k, v in values.items() if v is not None}
        backend = str(values.get("backend", "none")).strip().lower()
        values["backend"] = {"openai": "openai-compatible", "off": "none", "": "none"}.get(backend, backend)
        if values["backend"] == "local":
            values.setdefault("timeout_s", 180.0)
            values.setdefault("repeat_penalty", 1.0)
            values.setdefault("max_tokens", 768)
        for key in ("cache_dir", "model_dir"):
            if key in values:
                values[key] = Path(values[key]).expanduser() if values[key] else None
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(values) - known)
        if unknown:
            raise LLMConfigError(f"unknown [llm] setting(s) in the config file: {', '.join(unknown)}")
        return cls(**values)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "LLMConfig":
        """For edges only: `claims.settings.Settings.load(env=env).llm_config()` (config file, then COPYDESK_LLM*)."""
        from claims.settings import Settings

        return Settings.load(env=env).llm_config()


_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


@dataclass(frozen=True)
class Prompt:
    """One prompt file: its text (front matter removed) and the variables it declares."""

    name: str
    text: str
    variables: tuple[str, ...]

    def render(self, values: dict[str, Any]) -> str:
        """The text with every declared variable filled; a missing or an undeclared variable is an error."""
        missing = [v for v in self.variables if v not in values]
        extra = sorted(set(values) - set(self.variables))
        if missing or extra:
            problems = ([f"missing {', '.join(missing)}"] if missing else []) + \
                       ([f"undeclared {', '.join(extra)}"] if extra else [])
            raise PromptVariableError(f"prompt {self.name!r} takes {', '.join(self.variables) or 'no variables'}: "
                                      f"{'; '.join(problems)}")
        return render_prompt(self.text, values)


def prompt_file(name: str) -> Any:
    """The packaged prompts/<name>.md (an importlib.resources Traversable), or PromptNotFound."""
    from importlib import resources

    if not re.fullmatch(r"[a-z0-9_\-]+", name):
        raise PromptNotFound(f"no prompt named {name!r}")
    path = resources.files("prompts") / f"{name}.md"
    if not path.is_file():
        raise PromptNotFound(f"no prompt named {name!r} in the prompts package")
    return path


def parse_prompt(name: str, raw: str) -> Prompt:
    """A prompt from its file's text: `---` front matter declaring `variables: [a, b]`, then the text.
    The placeholders in the text must be exactly the declared variables."""
    header = _FRONT_MATTER.match(raw)
    if header is None:
        raise PromptVariableError(f"prompt {name!r} has no front matter declaring its variables (---\nvariables: [...]\n---)")
    declared: tuple[str, ...] | None = None
    for line in header.group(1).splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "variables":
            inner = value.strip()
            if not (inner.startswith("[") and inner.endswith("]")):
                raise PromptVariableError(f"prompt {name!r}: variables must be a list such as [text, as_of]")
            declared = tuple(v.strip() for v in inner[1:-1].split(",") if v.strip())
        elif line.strip():
            raise PromptVariableError(f"prompt {name!r}: unknown front matter line {line.strip()!r}")
    if declared is None:
        raise PromptVariableError(f"prompt {name!r}: its front matter declares no variables list")
    text = raw[header.end():]
    used = set(_PLACEHOLDER.findall(text))
    undeclared, unused = sorted(used - set(declared)), sorted(set(declared) - used)
    if undeclared or unused:
        detail = "; ".join(([f"uses undeclared {', '.join(undeclared)}"] if undeclared else []) +
                           ([f"declares unused {', '.join(unused)}"] if unused else []))
        raise PromptVariableError(f"prompt {name!r}: {detail}")
    return Prompt(name, text, declared)


def load_prompt_spec(name: str) -> Prompt:
    """prompts/<name>.md parsed and checked (see `parse_prompt`)."""
    return parse_prompt(name, prompt_file(name).read_text(encoding="utf-8"))


def load_prompt(name: str) -> str:
    """The text of prompts/<name>.md without its front matter (checked against its declared variables)."""
    return load_prompt_spec(name).text


def render_prompt(template: str, variables: dict[str, Any]) -> str:
    """Fill {name} placeholders; other braces (JSON examples) stay as they are. A missing variable is an error."""

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in variables:
            raise PromptVariableError(f"prompt placeholder {{{key}}} has no value")
        return str(variables[key])

    return _PLACEHOLDER.sub(fill, template)


# --- tokens -------------------------------------------------------------------------------------------

def count_tokens(text: str, model: str | None = None) -> int:
    """Tokens in `text` with the encoding `model` uses (cl100k_base when unknown), offline via retrieval.tokens."""
    return shared_count_tokens(text, encoding_name_for_model(model))


def estimate_cost(model: str | None, prompt_tokens: int, completion_tokens: int, backend: str) -> float:
    """USD from PRICES_PER_MILLION by the longest matching model prefix; 0 for local or unknown models."""
    if backend == "local" or not model:
        return 0.0
    matches = [prefix for prefix in PRICES_PER_MILLION if model.lower().startswith(prefix)]
    if not matches:
        return 0.0
    prompt_price, completion_price = PRICES_PER_MILLION[max(matches, key=len)]
    return (prompt_tokens * prompt_price + completion_tokens * completion_price) / 1_000_000


# --- output parsing -------------------------------------------------------------------------------------

_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def extract_json_text(text: str) -> str:
    """The JSON inside a reply: drop ```json fences and any prose before the first brace or after the last."""
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    start, end = text.find("{"), text.rfind("}")
    return text[start:end + 1] if start != -1 and end > start else text.strip()


def parse_reply(text: str, schema: type[M]) -> M:
    """Validate a reply against `schema`; raises ValidationError or ValueError with the reason."""
    return schema.model_validate_json(extract_json_text(text))


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass
class _Reply:
    text: str
    prompt_tokens: int
    completion_tokens: int


class LLMClient:
    """Structured calls against one OpenAI-compatible endpoint, with retries, a concurrency limit,
    a disk cache and token accounting (`usage`, accumulated over the client's life: one run)."""

    def __init__(self, config: LLMConfig, *, base_url: str | None = None, model: str | None = None) -> None:
        if config.backend == "none":
            raise LLMConfigError("the 'none' backend has no client")
        self.config = config
        self.base_url = (base_url or config.base_url or "https://api.openai.com/v1").rstrip("/")
        self.model = model or config.model or "default"
        self._openai = openai.OpenAI(base_url=self.base_url, api_key=config.api_key or "not-needed",
                                     timeout=config.timeout_s, max_retries=0)
        self._semaphore = threading.BoundedSemaphore(config.concurrency)
        self._lock = threading.Lock()
        self._usage = Usage()
        self._mode: SchemaMode | None = None if config.schema_mode == "auto" else config.schema_mode
        self._down_until = 0.0  # after LLMUnavailable, fail fast for a while instead of waiting again

    # -- accounting --------------------------------------------------------------------------------------
    @property
    def usage(self) -> Usage:
        with self._lock:
            return self._usage

    @property
    def schema_mode(self) -> SchemaMode | None:
        """The schema mode the server was found to accept (None until the first call)."""
        return self._mode

    def _add_usage(self, prompt_tokens: int = 0, completion_tokens: int = 0, calls: int = 0, cached: int = 0) -> None:
        cost = estimate_cost(self.model, prompt_tokens, completion_tokens, self.config.backend)
        with self._lock:
            u = self._usage
            self._usage = Usage(prompt_tokens=u.prompt_tokens + prompt_tokens,
                                completion_tokens=u.completion_tokens + completion_tokens,
                                llm_calls=u.llm_calls + calls, cached_calls=u.cached_calls + cached,
                                estimated_cost_usd=u.estimated_cost_usd + cost)

    # -- cache ---------------------------------------------------------------------------------------------
    def cache_key(self, prompt_text: str, schema: type[BaseModel]) -> str:
        material = json.dumps([prompt_text, self.model, self.base_url, schema.__name__,
                               schema.model_json_schema()], sort_keys=True)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def _cache_path(self, key: str) -> Path | None:
        return None if self.config.cache_dir is None else Path(self.config.cache_dir) / key[:2] / f"{key}.json"

    def _cache_get(self, key: str, schema: type[M]) -> M | None:
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            return schema.model_validate(json.loads(path.read_text(encoding="utf-8"))["output"])
        except (OSError, ValueError, KeyError, ValidationError):
            return None  # a stale or damaged entry is a miss

    def _cache_put(self, key: str, output: BaseModel) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        record = {"model": self.model, "output": output.model_dump(mode="json")}
        _atomic_write(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))

    # -- requests ----------------------------------------------------------------------------------------
    def _request_args(self, messages: list[dict[str, Any]], schema: type[BaseModel], mode: SchemaMode) -> dict[str, Any]:
        json_schema = schema.model_json_schema()
        args: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.config.temperature}
        if self.config.max_tokens is not None:
            args["max_tokens"] = self.config.max_tokens
        if self.config.repeat_penalty is not None:
            args["extra_body"] = {"repeat_penalty": self.config.repeat_penalty}
        if mode == "json_schema":
            args["response_format"] = {"type": "json_schema",
                                       "json_schema": {"name": schema.__name__, "schema": json_schema}}
        elif mode == "json_object":
            args["response_format"] = {"type": "json_object", "schema": json_schema}
        elif mode == "tools":
            args["tools"] = [{"type": "function", "function": {"name": schema.__name__, "parameters": json_schema}}]
            args["tool_choice"] = {"type": "function", "function": {"name": schema.__name__}}
        return args

    def _send_once(self, args: dict[str, Any]) -> _Reply:
        with self._semaphore:
            response = self._openai.chat.completions.create(**args)
        if not response.choices:
            raise LLMBadOutput("the server returned no choices")
        message = response.choices[0].message
        text = message.content or ""
        if message.tool_calls:
            text = message.tool_calls[0].function.arguments or text
        usage = response.usage
        if usage is not None and usage.prompt_tokens:
            return _Reply(text, usage.prompt_tokens, usage.completion_tokens or 0)
        prompt = sum(count_tokens(str(m.get("content", "")), self.model) + 4 for m in args["messages"])
        return _Reply(text, prompt, count_tokens(text, self.model))

    def _send(self, messages: list[dict[str, Any]], schema: type[BaseModel], mode: SchemaMode, *, probing: bool) -> _Reply:
        """One request, retried with exponential backoff on refusals, timeouts and 5xx.

        While probing a schema mode, a status that means "not this mode" is not retried: it is raised as
        is (openai.APIStatusError) so the caller can try the next mode. 429 is retried like a 5xx;
        401/403 fail at once. After LLMUnavailable the client fails fast for a few seconds, so a
        draft's remaining claims fall back at once instead of each waiting through the retries.
        """
        args = self._request_args(messages, schema, mode)
        attempts = self.config.max_retries + 1
        for attempt in range(attempts):
            if time.monotonic() < self._down_until:
                raise LLMUnavailable(f"LLM server at {self.base_url} is unavailable (failed moments ago)")
            try:
                reply = self._send_once(args)
            except openai.APIStatusError as error:
                status = error.status_code
                if probing and status in MODE_REJECTED_STATUS:
                    raise
                if status in (401, 403):
                    raise LLMUnavailable(f"LLM server at {self.base_url} refused the credentials: HTTP {status}") from None
                if status < 500 and status != 429:
                    raise LLMBadOutput(f"LLM server rejected the request: HTTP {status}") from None
                reason = f"HTTP {status}"
            except openai.APITimeoutError:
                reason = f"timed out after {self.config.timeout_s:g} s"
            except openai.APIConnectionError:
                reason = "connection failed"
            else:
                self._add_usage(reply.prompt_tokens, reply.completion_tokens, calls=1)
                return reply
            if attempt + 1 < attempts:
                time.sleep(self.config.backoff_s * 2 ** attempt)
        self._down_until = time.monotonic() + max(10.0, self.config.backoff_s * 4)
        raise LLMUnavailable(f"LLM server at {self.base_url} unavailable: {reason} ({attempts} attempts)")

    def _ask(self, messages: list[dict[str, Any]], schema: type[BaseModel]) -> _Reply:
        """Send in the pinned schema mode, or find the first one the server accepts."""
        if self._mode is not None:
            return self._send(messages, schema, self._mode, probing=False)
        for mode in SCHEMA_MODES:
            last = mode == SCHEMA_MODES[-1]
            try:
                reply = self._send(messages, schema, mode, probing=not last)
            except openai.APIStatusError:
                continue  # this server does not take this mode: try the next
            self._mode = mode
            return reply
        raise AssertionError("unreachable: the last mode never probes")

    def structured(self, prompt_name: str, variables: dict[str, Any], schema: type[M]) -> M:
        """Render prompts/<prompt_name>.md with `variables` and return the model's answer as `schema`."""
        prompt_text = load_prompt_spec(prompt_name).render(variables)
        key = self.cache_key(prompt_text, schema)
        cached = self._cache_get(key, schema)
        if cached is not None:
            self._add_usage(cached=1)
            return cached
        messages: list[dict[str, Any]] = [{"role": "system", "content": SYSTEM_MESSAGE},
                                          {"role": "user", "content": prompt_text}]
        reply = self._ask(messages, schema)
        try:
            output = parse_reply(reply.text, schema)
        except (ValidationError, ValueError) as error:
            repair = (f"That answer is not valid: {_short_error(error)}\nReply again with only one JSON object "
                      f"that matches this JSON schema:\n{json.dumps(schema.model_json_schema())}")
            messages += [{"role": "assistant", "content": reply.text[:4000]}, {"role": "user", "content": repair}]
            reply = self._ask(messages, schema)
            try:
                output = parse_reply(reply.text, schema)
            except (ValidationError, ValueError) as second:
                raise LLMBadOutput(f"model answer still invalid after one repair: {_short_error(second)}") from None
        self._cache_put(key, output)
        return output

    def list_models(self) -> list[str]:
        try:
            return [m.id for m in self._openai.models.list().data]
        except openai.APIStatusError as error:
            raise LLMUnavailable(f"listing models failed: HTTP {error.status_code}") from None
        except (openai.APITimeoutError, openai.APIConnectionError):
            raise LLMUnavailable(f"LLM server at {self.base_url} unreachable") from None

    def as_langchain(self) -> Any:
        """A langchain-openai ChatOpenAI for the same endpoint and model (for langchain chains)."""
        from langchain_openai import ChatOpenAI

        extra = {"repeat_penalty": self.config.repeat_penalty} if self.config.repeat_penalty is not None else None
        return ChatOpenAI(model=self.model, base_url=self.base_url, api_key=self.config.api_key or "not-needed",
                          temperature=self.config.temperature, timeout=self.config.timeout_s,
                          max_retries=self.config.max_retries, extra_body=extra)


def _short_error(error: Exception) -> str:
    return " ".join(str(error).split())[:500]


def get_client(config: LLMConfig | None = None) -> LLMClient | None:
    """The client for `config` (default: LLMConfig(), offline); None for the "none" backend.

    The "local" backend without a base URL starts the packaged model's server (claims.llm_local).
    """
    config = config or LLMConfig()
    if config.backend == "none":
        return None
    if config.backend == "local" and not config.base_url:
        from claims.llm_local import MODEL_ALIAS, shared_server

        return LLMClient(config, base_url=shared_server(config.model_dir).base_url, model=config.model or MODEL_ALIAS)
    if config.backend == "local":
        return LLMClient(config, model=config.model or "local")
    return LLMClient(config)


class _Probe(BaseModel):
    answer: int


def connection_test(config: LLMConfig | None = None) -> dict[str, Any]:
    """For `copydesk llm test`: reachability, models, latency and whether the server honours JSON schemas."""
    config = config or LLMConfig()
    result: dict[str, Any] = {"backend": config.backend, "base_url": None, "model": config.model,
                              "reachable": False, "models": [], "latency_s": None, "schema_mode": None,
                              "honours_schema": False, "error": None}
    if config.backend == "none":
        result["error"] = "no LLM configured (backend 'none'): set COPYDESK_LLM"
        return result
    try:
        client = get_client(replace(config, cache_dir=None, max_retries=0))
        assert client is not None
        result.update(base_url=client.base_url, model=client.model)
        started = time.monotonic()
        result["models"] = client.list_models()
        result["reachable"] = True
        prompt = load_prompt_spec("connection_test").render({"question": "What is 2 + 3?"})
        reply = client._ask([{"role": "system", "content": SYSTEM_MESSAGE}, {"role": "user", "content": prompt}], _Probe)
        result["latency_s"] = round(time.monotonic() - started, 3)
        result["schema_mode"] = client.schema_mode
        try:
            result["honours_schema"] = parse_reply(reply.text, _Probe).answer == 5 and client.schema_mode != "prompt"
        except (ValidationError, ValueError):
            result["honours_schema"] = False
    except Exception as error:  # noqa: BLE001 - a connection test reports every failure as text
        result["error"] = f"{type(error).__name__}: {error}"
    result["ok"] = bool(result["reachable"] and result["error"] is None)
    return result


__all__ = ["LLMBadOutput", "LLMClient", "LLMConfig", "LLMConfigError", "LLMError", "LLMUnavailable",
           "PromptNotFound", "PromptVariableError", "Prompt", "load_prompt_spec", "connection_test", "count_tokens", "estimate_cost", "get_client", "load_prompt",
           "render_prompt"]
