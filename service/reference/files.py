"""Reading the workflow's reference data (rulesets/workflow/*.yaml) strictly.

Districts, windows, fees and the identity state table are data with a ``source``;
each is read once per rules root and cached.  A mistake names file, line and
field (unknown and duplicate keys included), and every mistake of a file is
reported at once as a ``RulesetError``.  ``check_all`` runs at app start, so a
broken file stops the service before it answers anyone.
"""
from __future__ import annotations

import functools
from pathlib import Path

from service.errors import RulesetError
from service.yamlreader import Problem, YamlSyntaxError, parse_yaml

DIRECTORY = "rulesets/workflow"

__all__ = ["DIRECTORY", "check_all", "load", "root_key"]


def root_key(app_config=None) -> str:
    """The rules root of the running app (config RULES_ROOT), else the repository's."""
    if app_config is None:
        try:
            from flask import current_app, has_app_context
        except ImportError:  # pragma: no cover - flask is a dependency of the service
            has_app_context = None
        if has_app_context is not None and has_app_context():
            app_config = current_app.config
    if app_config is not None and app_config.get("RULES_ROOT"):
        return str(app_config["RULES_ROOT"])
    from service.config import defaults

    return str(defaults()["RULES_ROOT"])


@functools.lru_cache(maxsize=16)
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


def check_all(app_config=None) -> None:
    """Load every reference file now (at app start): a broken one fails loudly, with every problem."""
    from service.identity import states as identity_states
    from service.reference import districts, fees, windows

    root = root_key(app_config)
    problems: list[Problem] = []
    for loader in (districts.table_for, windows.windows_for, fees.schedule_for, identity_states.table_for):
        try:
            loader(root)
        except RulesetError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RulesetError(problems)
