"""Shared test fixtures.

`../shared` (seed articles, reference facts, public eval data) sits beside the repository on the
developers' machines and in CI; tests that read it skip cleanly where it is absent.
"""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared not found beside the repository ({SHARED})")
    return SHARED


@pytest.fixture(scope="session")
def evaldata_dir(shared_dir: Path) -> Path:
    path = shared_dir / "evaldata"
    if not path.is_dir():
        pytest.skip(f"public eval data not found at {path}")
    return path


@pytest.fixture(scope="session")
def seeds_dir(shared_dir: Path) -> Path:
    path = shared_dir / "seeds"
    if not path.is_dir():
        pytest.skip(f"seed articles not found at {path}")
    return path
