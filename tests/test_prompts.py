"""Prompts are package data with declared variables, checked when loaded and when rendered."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from claims.llm import LLMError, PromptNotFound, PromptVariableError, load_prompt, load_prompt_spec, parse_prompt

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted(p.stem for p in (REPO / "prompts").glob("*.md"))


def test_every_shipped_prompt_declares_exactly_the_variables_it_uses():
    assert SHIPPED == ["connection_test", "extract", "judge", "judge_bare"]
    for name in SHIPPED:
        prompt = load_prompt_spec(name)
        assert prompt.variables and not prompt.text.startswith("---")
        rendered = prompt.render({v: f"<<{v}>>" for v in prompt.variables})
        assert all(f"<<{v}>>" in rendered for v in prompt.variables)
    assert load_prompt_spec("judge").variables == ("statement", "passages", "as_of")
    assert load_prompt("extract") == load_prompt_spec("extract").text


def test_a_missing_or_undeclared_variable_fails_clearly_when_rendering():
    judge = load_prompt_spec("judge")
    with pytest.raises(PromptVariableError, match="'judge' takes statement, passages, as_of: missing as_of"):
        judge.render({"statement": "s", "passages": "p"})
    with pytest.raises(PromptVariableError, match="undeclared colour"):
        judge.render({"statement": "s", "passages": "p", "as_of": "2026-01-01", "colour": "red"})
    assert issubclass(PromptVariableError, LLMError)


@pytest.mark.parametrize("raw, message", [
    ("Hello {name}.", "no front matter"),
    ("---\nvariables: [name]\n---\nHello {name} and {other}.", "uses undeclared other"),
    ("---\nvariables: [name, spare]\n---\nHello {name}.", "declares unused spare"),
    ("---\nvariables: name\n---\nHello {name}.", "must be a list"),
    ("---\nvariabels: [name]\n---\nHello {name}.", "unknown front matter line"),
])
def test_a_prompt_file_whose_declaration_does_not_match_is_refused_when_loaded(raw, message):
    with pytest.raises(PromptVariableError, match=message):
        parse_prompt("p", raw)


def test_json_braces_are_not_variables():
    prompt = parse_prompt("p", '---\nvariables: [q]\n---\nAnswer {"answer": <integer>} to {q}.')
    assert prompt.render({"q": "2 + 3"}) == 'Answer {"answer": <integer>} to 2 + 3.'


def test_unknown_prompt_names_are_refused():
    for name in ("nope", "../etc/passwd", "Judge"):
        with pytest.raises(PromptNotFound):
            load_prompt(name)


def test_a_non_editable_install_ships_the_prompts_and_loads_them(tmp_path):
    """Build and install a copy of the source tree (offline: no build isolation, no dependencies), then load
    every prompt from the installed packages only (run from another folder, the source tree off the path)."""
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    for package in ("claims", "retrieval", "app", "evals", "prompts"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "site"
    build = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                            "--no-index", "--target", str(target), str(source)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    assert sorted(p.stem for p in (target / "prompts").glob("*.md")) == SHIPPED
    code = ("import claims.llm as llm, prompts, sys; from pathlib import Path\n"
            f"assert Path(prompts.__file__).parent == Path({str(target / 'prompts')!r}), prompts.__file__\n"
            f"assert Path(llm.__file__).parent == Path({str(target / 'claims')!r}), llm.__file__\n"
            "print(sorted(p for p in ('connection_test', 'extract', 'judge', 'judge_bare') "
            "if llm.load_prompt_spec(p).variables))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(target)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == str(SHIPPED)
