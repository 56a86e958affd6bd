"""The LLM client against a stub OpenAI-compatible server: schema modes, quirks, failures, cache, limits, tokens."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pydantic import BaseModel

from claims.llm import (LLMBadOutput, LLMClient, LLMConfig, LLMConfigError, LLMError, LLMUnavailable,
                        connection_test, count_tokens, estimate_cost, get_client, load_prompt, render_prompt)
from tests.llm_stub_server import StubLLMServer

SECRET = "sk-test-secret-0123456789"


class Answer(BaseModel):
    answer: int


def question_of(request: dict) -> str:
    return request["messages"][1]["content"]


@pytest.fixture
def stub():
    with StubLLMServer('{"answer": 5}') as server:
        yield server


def make_client(stub: StubLLMServer, tmp_path: Path, **overrides) -> LLMClient:
    settings = dict(backend="openai-compatible", base_url=stub.base_url, model="stub-model", api_key=SECRET,
                    timeout_s=5.0, max_retries=2, backoff_s=0.05, cache_dir=tmp_path / "cache")
    settings.update(overrides)
    return LLMClient(LLMConfig(**settings))


def ask(client: LLMClient, question: str = "What is 2 + 3?") -> Answer:
    return client.structured("connection_test", {"question": question}, Answer)


def test_json_schema_mode_is_sent_and_the_answer_validated(stub, tmp_path):
    client = make_client(stub, tmp_path)
    assert ask(client).answer == 5
    request = stub.completions[0]
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["schema"]["properties"]["answer"]["type"] == "integer"
    assert request["temperature"] == 0
    assert "What is 2 + 3?" in question_of(request)
    assert client.schema_mode == "json_schema"


def test_server_rejecting_json_schema_falls_back_to_json_object_with_schema(stub, tmp_path):
    stub.quirks = {"reject_json_schema"}
    client = make_client(stub, tmp_path)
    assert ask(client, "q1").answer == 5
    assert [r["response_format"]["type"] for r in stub.completions] == ["json_schema", "json_object"]
    assert "properties" in stub.completions[1]["response_format"]["schema"]
    ask(client, "q2")  # the mode that worked is kept: no second probe
    assert [r["response_format"]["type"] for r in stub.completions][2:] == ["json_object"]


def test_tool_call_mode_reads_the_arguments(stub, tmp_path):
    stub.quirks = {"tool_call"}
    client = make_client(stub, tmp_path, schema_mode="tools")
    assert ask(client).answer == 5
    assert stub.completions[0]["tool_choice"]["function"]["name"] == "Answer"


def test_fenced_json_with_prose_is_parsed(stub, tmp_path):
    stub.quirks = {"fenced"}
    assert ask(make_client(stub, tmp_path)).answer == 5


def test_schema_ignored_wrong_shape_is_repaired_once_with_the_error(tmp_path):
    replies = iter(['{"result": "five"}', '{"answer": 5}'])
    with StubLLMServer(lambda _r: next(replies)) as stub:
        assert ask(make_client(stub, tmp_path)).answer == 5
        assert len(stub.completions) == 2
        repair = stub.completions[1]["messages"][-1]["content"]
        assert "not valid" in repair and "answer" in repair
        assert stub.completions[1]["messages"][-2] == {"role": "assistant", "content": '{"result": "five"}'}


def test_broken_json_once_is_repaired(stub, tmp_path):
    stub.quirks = {"broken_once"}
    assert ask(make_client(stub, tmp_path)).answer == 5
    assert len(stub.completions) == 2


def test_still_invalid_after_one_repair_raises_bad_output(tmp_path):
    with StubLLMServer("I cannot answer that.") as stub:
        with pytest.raises(LLMBadOutput, match="after one repair"):
            ask(make_client(stub, tmp_path))
        assert len(stub.completions) == 2


def test_timeout_raises_unavailable_after_retries(stub, tmp_path):
    stub.quirks, stub.delay_s = {"slow"}, 1.5
    client = make_client(stub, tmp_path, timeout_s=0.3, max_retries=1, schema_mode="json_object")
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="timed out"):
        ask(client)
    assert time.monotonic() - started < 1.5
    assert len(stub.completions) == 2


def test_http_500_is_retried_with_backoff_then_unavailable(stub, tmp_path):
    stub.quirks = {"error_500"}
    client = make_client(stub, tmp_path, max_retries=2, backoff_s=0.1, schema_mode="json_object")
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="HTTP 500"):
        ask(client)
    assert len(stub.completions) == 3
    assert time.monotonic() - started >= 0.1 + 0.2  # backoff doubles: 0.1 s then 0.2 s


def test_bad_credentials_fail_at_once_without_retries(stub, tmp_path):
    stub.quirks = {"unauthorized"}
    with pytest.raises(LLMUnavailable, match="credentials"):
        ask(make_client(stub, tmp_path, max_retries=3))
    assert len(stub.completions) == 1


def test_server_killed_mid_run_fails_promptly_and_then_fast(stub, tmp_path):
    client = make_client(stub, tmp_path)
    assert ask(client, "first").answer == 5
    stub.die()
    started = time.monotonic()
    with pytest.raises(LLMUnavailable, match="connection failed"):
        ask(client, "second")
    assert time.monotonic() - started < 3
    started = time.monotonic()
    with pytest.raises(LLMUnavailable):  # the next claim does not wait through the retries again
        ask(client, "third")
    assert time.monotonic() - started < 0.1


def test_unavailable_is_an_llm_error_callers_can_fall_back_on(stub, tmp_path):
    stub.die()
    client = make_client(stub, tmp_path, max_retries=0)
    results = []
    for question in ("a", "b", "c"):
        try:
            results.append(ask(client, question).answer)
        except LLMError:
            results.append(None)  # the offline path would answer here
    assert results == [None, None, None]


def test_second_identical_call_is_served_from_the_cache(stub, tmp_path):
    client = make_client(stub, tmp_path)
    ask(client)
    assert ask(client).answer == 5
    assert len(stub.completions) == 1
    assert client.usage.llm_calls == 1 and client.usage.cached_calls == 1
    fresh = make_client(stub, tmp_path)  # the cache lives on disk, across runs
    ask(fresh)
    assert len(stub.completions) == 1 and fresh.usage.cached_calls == 1
    ask(client, "something else")
    assert len(stub.completions) == 2
    assert not list((tmp_path / "cache").rglob("*.tmp"))


def test_cache_key_depends_on_model_and_endpoint(stub, tmp_path):
    ask(make_client(stub, tmp_path))
    ask(make_client(stub, tmp_path, model="another-model"))
    assert len(stub.completions) == 2


def test_disabled_cache_always_asks(stub, tmp_path):
    client = make_client(stub, tmp_path, cache_dir=None)
    ask(client)
    ask(client)
    assert len(stub.completions) == 2


def test_api_key_is_sent_but_never_written_or_shown(stub, tmp_path):
    client = make_client(stub, tmp_path)
    ask(client)
    headers = {name.lower(): value for name, value in stub.headers[0].items()}
    assert headers["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in repr(client.config)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written, "the cache should have written an entry"
    for path in written:
        assert SECRET not in path.read_text(errors="replace") and SECRET not in str(path)


def test_concurrency_limit_holds(stub, tmp_path):
    stub.quirks, stub.delay_s = {"slow"}, 0.3
    client = make_client(stub, tmp_path, concurrency=2, schema_mode="json_object", cache_dir=None)
    threads = [threading.Thread(target=ask, args=(client, f"q{i}")) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stub.completions) == 6
    assert stub.max_in_flight == 2


def test_token_usage_prefers_the_servers_count(stub, tmp_path):
    client = make_client(stub, tmp_path, cache_dir=None)
    ask(client)
    ask(client)
    expected = sum(100 + sum(len(m["content"]) for m in r["messages"]) // 100 for r in stub.completions)
    assert client.usage.prompt_tokens == expected
    assert client.usage.completion_tokens == 14 and client.usage.llm_calls == 2


def test_token_usage_is_counted_when_the_server_gives_none(stub, tmp_path):
    stub.quirks = {"no_usage"}
    client = make_client(stub, tmp_path, cache_dir=None)
    ask(client)
    sent = "".join(m["content"] for m in stub.completions[0]["messages"])
    assert client.usage.prompt_tokens >= count_tokens(sent)
    assert client.usage.completion_tokens == count_tokens('{"answer": 5}')


def test_cost_estimate_by_model_prefix():
    assert estimate_cost("gpt-4o-mini-2024-07-18", 1_000_000, 1_000_000, "openai-compatible") == pytest.approx(0.75)
    assert estimate_cost("gpt-4o", 1_000_000, 0, "openai-compatible") == pytest.approx(2.5)
    assert estimate_cost("gpt-4o-mini", 1_000_000, 0, "local") == 0.0
    assert estimate_cost("llama-3-8b", 1_000_000, 1_000_000, "openai-compatible") == 0.0


def test_cost_accumulates_in_usage(stub, tmp_path):
    client = make_client(stub, tmp_path, model="gpt-4o-mini", cache_dir=None)
    ask(client)
    usage = client.usage
    assert usage.completion_tokens == 7
    assert usage.estimated_cost_usd == pytest.approx((usage.prompt_tokens * 0.15 + 7 * 0.60) / 1_000_000)


def test_count_tokens_works_offline():
    assert count_tokens("hello world") == 2
    assert count_tokens("") == 0


def test_config_from_env_overrides_the_file(tmp_path):
    config_file = tmp_path / "config.toml"
    config_file.write_text('[llm]\nbackend = "openai-compatible"\nmodel = "file-model"\nbase_url = "http://x/v1"\n'
                           'concurrency = 3\ncache_dir = "~/somewhere"\n')
    config = LLMConfig.from_env({"COPYDESK_CONFIG": str(config_file), "COPYDESK_LLM_MODEL": "env-model",
                                 "OPENAI_API_KEY": "k1"})
    assert (config.backend, config.model, config.base_url, config.concurrency) == ("openai-compatible", "env-model",
                                                                                   "http://x/v1", 3)
    assert config.api_key == "k1" and config.cache_dir == Path("~/somewhere").expanduser()
    preferred = LLMConfig.from_env({"COPYDESK_CONFIG": str(config_file), "COPYDESK_LLM_API_KEY": "k2",
                                    "OPENAI_API_KEY": "k1"})
    assert preferred.api_key == "k2"


def test_config_copy_with_a_changed_backend_is_validated_again(tmp_path):
    config = LLMConfig.from_env({"COPYDESK_CONFIG": str(tmp_path / "absent.toml")})
    assert config.model_copy(update={"backend": "local"}).backend == "local"
    with pytest.raises(LLMConfigError, match="unknown LLM backend"):
        config.model_copy(update={"backend": "gpt-4"})


def test_config_defaults_to_no_llm(tmp_path):
    config = LLMConfig.from_env({"COPYDESK_CONFIG": str(tmp_path / "absent.toml")})
    assert config.backend == "none"
    assert get_client(config) is None


def test_local_backend_sends_repeat_penalty_one(stub, tmp_path):
    config = LLMConfig.from_env({"COPYDESK_CONFIG": str(tmp_path / "absent.toml"), "COPYDESK_LLM": "local",
                                 "COPYDESK_LLM_BASE_URL": stub.base_url})
    client = get_client(config.model_copy(update={"cache_dir": None}))
    ask(client)
    assert stub.completions[0]["repeat_penalty"] == 1.0
    assert client.usage.estimated_cost_usd == 0.0


@pytest.mark.parametrize("env, message", [
    ({"COPYDESK_LLM": "gpt4"}, "unknown LLM backend"),
    ({"COPYDESK_LLM": "openai-compatible"}, "needs a model name"),
])
def test_bad_config_raises_a_clear_error(tmp_path, env, message):
    with pytest.raises(LLMConfigError, match=message):
        LLMConfig.from_env({"COPYDESK_CONFIG": str(tmp_path / "absent.toml"), **env})


def test_bad_config_file_raises_a_clear_error(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[llm\nbackend=")
    from claims.errors import SettingsError  # the config file holds every setting, not only [llm]

    with pytest.raises(SettingsError, match="cannot read config file"):
        LLMConfig.from_env({"COPYDESK_CONFIG": str(bad)})
    bad.write_text('[llm]\nbackend = "none"\ncolour = "red"\n')
    with pytest.raises(LLMConfigError, match="colour"):
        LLMConfig.from_env({"COPYDESK_CONFIG": str(bad)})


def test_render_prompt_fills_placeholders_and_keeps_json_braces():
    assert render_prompt('Say {"a": 1} about {topic}.', {"topic": "tea"}) == 'Say {"a": 1} about tea.'
    with pytest.raises(LLMError, match="topic"):
        render_prompt("About {topic}.", {})
    assert "{question}" in load_prompt("connection_test")
    with pytest.raises(LLMError, match="no prompt"):
        load_prompt("../etc/passwd")


def test_connection_test_reports_the_server(stub):
    config = LLMConfig(backend="openai-compatible", base_url=stub.base_url, model="stub-model")
    result = connection_test(config)
    assert result["reachable"] and result["models"] == ["stub-model"]
    assert result["honours_schema"] and result["schema_mode"] == "json_schema"
    assert result["latency_s"] is not None and result["error"] is None and result["ok"]
    stub.die()
    down = connection_test(config)
    assert not down["reachable"] and not down["ok"] and "LLMUnavailable" in down["error"]


def test_connection_test_with_no_backend():
    assert "no LLM configured" in connection_test(LLMConfig())["error"]
