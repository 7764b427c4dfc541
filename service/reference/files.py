"""Reading the workflow's reference data (rulesets/workflow/*.yaml) of a rules root, strictly.

Districts, windows, fees and the identity state table are data with a ``source``.
The service reads them from the bundle in force (``service.rules.bound``; the loader
checks them with the rest of the bundle, service/tools/tables.py); these readers of a
rules root's files serve checks of one folder.  A mistake names file, line and
field (unknown and duplicate keys included), and every mistake of a file is
reported at once as a ``RulesetError``.
"""
from __future__ import annotations

from pathlib import Path

from service.config import rules_root
from service.errors import RulesetError
from service.yamlreader import Problem, YamlSyntaxError, parse_yaml

DIRECTORY = "rulesets/workflow"

__all__ = ["DIRECTORY", "check_all", "load", "root_key"]


def root_key(root=None) -> str:
    """``root`` if given, else the rules root of the app running this context."""
    return str(root) if root else rules_root()


def _read(root: str, name: str):
    rel = f"{DIRECTORY}/{name}.yaml"
    try:
        text = (Path(root) / rel).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesetError([Problem(rel, None, "(file)", "file is missing")]) from None
    try:
        return rel, parse_yaml(text, rel)
    except YamlSyntaxError as exc:
        raise RulesetError([exc.problem]) from None


def load(name: str, root: str | None = None):
    """(relative path, line-annotated data) of rulesets/workflow/<name>.yaml."""
    return _read(root or root_key(), name)


def check_all(root=None, *, more=()) -> None:
    """Load every reference file of ``root`` now: a broken one fails loudly, with every problem.

    ``more``: loaders (root -> table) of reference files read by feature packages,
    such as identity's state table, which this package does not import.
    """
    from service.reference import districts, fees, windows

    root = root_key(root)
    problems: list[Problem] = []
    for loader in (districts.table_for, windows.windows_for, fees.schedule_for, *more):
        try:
            loader(root)
        except RulesetError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RulesetError(problems)
