"""Fixtures of the tools' tests: a temporary copy of the rules tree to break or change."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree(tmp_path):
    """curricula/ and rulesets/ (with the YAML cases) copied into a temporary root."""
    root = tmp_path / "tree"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, root / part)
    return root

