"""Workflow reference data kept as YAML in rulesets/workflow/: districts, windows, fees.

Read strictly (unknown or duplicate keys name file and line) and cached per
rules root; each file names its source.
"""
from __future__ import annotations

import functools
from pathlib import Path

from ..errors import RulesetError
from ..rules.problems import Problem
from ..rules.yamlsource import YamlSyntaxError, line_of, parse_yaml

FILES = ("districts", "windows", "fees")


def _root() -> Path:
    try:
        from flask import current_app, has_app_context

        if has_app_context():
            return Path(current_app.config["RULES_ROOT"])
    except ImportError:  # pragma: no cover
        pass
    from ..config import defaults

    return Path(defaults()["RULES_ROOT"])


def check_keys(file: str, node, allowed: set, required: set, field: str, problems: list) -> bool:
    if not isinstance(node, dict):
        problems.append(Problem(file, line_of(node), field or "(top)", "expected a mapping"))
        return False
    for key in node:
        if key not in allowed:
            problems.append(Problem(file, line_of(node, key), f"{field}.{key}" if field else str(key), "unknown key",
                                    f"allowed: {', '.join(sorted(allowed))}"))
    for key in sorted(required - set(node)):
        problems.append(Problem(file, line_of(node), f"{field}.{key}" if field else key, "required key is missing"))
    return True


@functools.lru_cache(maxsize=8)
def _load(root: str, name: str):
    rel = f"rulesets/workflow/{name}.yaml"
    path = Path(root) / rel
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"), rel)
    except FileNotFoundError:
        raise RulesetError([Problem(rel, None, "(file)", "file is missing")]) from None
    except YamlSyntaxError as exc:
        raise RulesetError([exc.problem]) from None
    return rel, data


def root_key() -> str:
    return str(_root())


def load(name: str, root: str | None = None):
    """(relative path, line-annotated data) of rulesets/workflow/<name>.yaml."""
    return _load(root or root_key(), name)
