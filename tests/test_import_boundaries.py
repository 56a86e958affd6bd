"""Floors and frameworks, checked on every .py file by parsing its imports with `ast` (nothing is imported).

Floors, ground up (imports run downward only):
    prompts/ (data)  <  retrieval/  <  claims/  <  evals/, app/ (and a future copydesk/ package)
so retrieval/ never imports claims/, app/ or evals/; claims/ never imports app/ or evals/; evals/ never
imports app/.

Each framework lives in its one module (FRAMEWORKS below; patterns are fnmatch on the path from the
repository root); torch is imported nowhere outside scripts/. The environment is read only at the edges
(ENV_READERS): everything else takes settings as parameters.
"""
from __future__ import annotations

import ast
from fnmatch import fnmatch
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRODUCT = ("retrieval", "claims", "evals", "app", "prompts", "copydesk")
FLOOR = {"prompts": 0, "retrieval": 1, "claims": 2, "evals": 3, "app": 3, "copydesk": 3}
FORBIDDEN = {"prompts": {"retrieval", "claims", "evals", "app", "copydesk"},
             "retrieval": {"claims", "app", "evals", "copydesk"},
             "claims": {"app", "evals", "copydesk"},
             "evals": {"app", "copydesk"}}

# framework (top-level import name; "langchain" also covers langchain_openai, langchain_core, ...) -> where
FRAMEWORKS: dict[str, tuple[str, ...]] = {
    "chromadb": ("retrieval/store.py", "retrieval/embeddings.py"),  # embeddings: the Chroma embedding adapter
    "streamlit": ("app/ui*.py",),
    "openai": ("claims/llm*.py",),
    "langchain": ("claims/llm*.py", "app/langchain_tools.py", "copydesk/langchain*.py"),
    "fastapi": ("app/api*.py",),
    "uvicorn": ("app/api*.py",),
    "onnxruntime": ("retrieval/embeddings.py", "retrieval/minilm_onnx.py", "retrieval/cross_encoder.py"),
    "onnx": ("retrieval/minilm_onnx.py", "retrieval/cross_encoder.py"),
    "llama_cpp": ("claims/llm_local.py",),
    "tiktoken": ("retrieval/tokens.py",),
    "pypdf": ("retrieval/loaders.py",),
    "matplotlib": ("evals/plots.py",),
    "torch": (),  # nowhere in the product; scripts/ may (a separate experiment environment)
}
# Who may read the environment: the settings object, the CLI (it hands the app its environment), and
# retrieval/tokens.py for tiktoken's own TIKTOKEN_CACHE_DIR (tiktoken reads that variable itself).
ENV_READERS = ("claims/settings.py", "app/cli.py", "retrieval/tokens.py",
               # the HTTP edge (its limits, the Chroma proxy's token) and the Python API edge (its worker threads)
               "app/api.py", "app/api_chroma_proxy.py", "copydesk/__init__.py")


def _framework(module: str) -> str | None:
    top = module.split(".")[0]
    if top == "langchain" or top.startswith("langchain_"):
        return "langchain"
    return top if top in FRAMEWORKS else None


def _imports(tree: ast.AST, rel: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import, relative ones resolved against the file's package."""
    package = rel.split("/")[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def _reads_environment(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module == "os" \
                and any(a.name in ("environ", "getenv", "environb") for a in node.names):
            lines.append(node.lineno)
    return lines


def violations(rel: str, source: str) -> list[str]:
    """Every floor, framework and environment violation in one file (`rel`: its path from the repository root)."""
    tree = ast.parse(source, filename=rel)
    top = rel.split("/")[0]
    problems = []
    for line, module in _imports(tree, rel):
        target = module.split(".")[0]
        if target in FORBIDDEN.get(top, ()):
            problems.append(f"{rel}:{line}: floor violation: {top}/ imports {module}")
        framework = _framework(module)
        if framework is None or top == "scripts":
            continue
        if framework == "torch" or (top in PRODUCT and not any(fnmatch(rel, p) for p in FRAMEWORKS[framework])):
            where = ", ".join(FRAMEWORKS[framework]) or "nowhere outside scripts/"
            problems.append(f"{rel}:{line}: {module} imported outside its module ({where})")
    if top in PRODUCT and rel not in ENV_READERS:
        problems += [f"{rel}:{line}: reads the environment (only the edges may: {', '.join(ENV_READERS)})"
                     for line in _reads_environment(tree)]
    return problems


def python_files() -> list[Path]:
    skip = {".venv", "node_modules", "build", "dist", ".git"}
    return sorted(p for p in REPO.rglob("*.py") if not skip & set(p.relative_to(REPO).parts))


@pytest.mark.parametrize("rel, source, expected", [
    ("retrieval/x.py", "from claims.models import Claim\n", "floor violation: retrieval/ imports claims.models"),
    ("retrieval/x.py", "import app.cli\n", "floor violation: retrieval/ imports app.cli"),
    ("retrieval/sub/x.py", "from ...claims import models\n", "floor violation: retrieval/ imports claims"),
    ("claims/x.py", "def f():\n    from evals.formats import load_set\n", "floor violation: claims/ imports evals.formats"),
    ("claims/x.py", "from app import ui_backend\n", "floor violation: claims/ imports app"),
    ("evals/x.py", "import app.render as r\n", "floor violation: evals/ imports app.render"),
    ("claims/pipeline.py", "import chromadb\n", "chromadb imported outside its module"),
    ("app/cli.py", "import streamlit as st\n", "streamlit imported outside its module"),
    ("claims/judge.py", "from langchain_openai import ChatOpenAI\n", "langchain_openai imported outside its module"),
    ("app/ui_check.py", "from openai import OpenAI\n", "openai imported outside its module"),
    ("app/cli.py", "import fastapi\n", "fastapi imported outside its module"),
    ("retrieval/search.py", "import onnxruntime\n", "onnxruntime imported outside its module"),
    ("retrieval/embeddings.py", "import torch\n", "torch imported outside its module (nowhere outside scripts/)"),
    ("tests/test_x.py", "import torch\n", "torch imported outside its module"),
    ("retrieval/store.py", "import os\nX = os.environ.get('COPYDESK_STORE')\n", "reads the environment"),
    ("claims/judge.py", "from os import getenv\n", "reads the environment"),
])
def test_the_checker_finds_each_kind_of_violation(rel, source, expected):
    found = violations(rel, source)
    assert len(found) == 1 and expected in found[0], found


@pytest.mark.parametrize("rel, source", [
    ("claims/x.py", "from retrieval.store import open_store\nfrom claims.models import Claim\n"),
    ("app/x.py", "import evals.runner\nimport claims.pipeline\nimport retrieval.store\n"),
    ("evals/x.py", "from claims.pipeline import check\n"),
    ("retrieval/store.py", "import chromadb\nfrom chromadb.config import Settings\n"),
    ("app/ui_corpus.py", "import streamlit as st\n"),
    ("claims/llm.py", "import openai\nfrom langchain_openai import ChatOpenAI\n"),
    ("app/api.py", "import fastapi\nimport uvicorn\n"),
    ("app/langchain_tools.py", "from langchain_core.tools import tool\n"),
    ("retrieval/cross_encoder.py", "import onnxruntime\n"),
    ("scripts/train.py", "import torch\nimport os\nos.environ.get('X')\n"),
    ("tests/test_x.py", "import chromadb\nimport os\nos.environ['X'] = '1'\n"),
    ("claims/settings.py", "import os\nos.environ.get('COPYDESK_STORE')\n"),
])
def test_the_checker_lets_allowed_imports_through(rel, source):
    assert violations(rel, source) == []


def test_the_tree_has_no_floor_framework_or_environment_violation():
    files = python_files()
    assert len(files) > 50 and any(p.match("claims/settings.py") for p in files)
    problems = [v for p in files for v in violations(p.relative_to(REPO).as_posix(), p.read_text(encoding="utf-8"))]
    assert problems == []
