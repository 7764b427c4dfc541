"""Copies of the rules tree for the tools' tests to break or change."""
from __future__ import annotations

import shutil
from pathlib import Path

from support.common import ROOT


def copy_tree(tmp_path: Path) -> Path:
    """curricula/ and rulesets/ (with the YAML cases) copied into a temporary root to break or change."""
    root = tmp_path / "tree"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, root / part)
    return root


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
