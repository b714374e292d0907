"""Fixtures of the reference-data tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanclaim.refdata import RefdataStore


@pytest.fixture
def store(tmp_path: Path) -> RefdataStore:
    return RefdataStore(tmp_path / "data")
