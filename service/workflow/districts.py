"""Shanxi's counties and districts (区县), each with its prefecture-level city (地市)."""
from __future__ import annotations

import functools

from ..errors import RulesetError
from ..rules.problems import Problem
from . import reference


@functools.lru_cache(maxsize=8)
def _table(root: str) -> dict[str, str]:
    rel, data = reference.load("districts", root)
    problems: list = []
    out: dict[str, str] = {}
    if reference.check_keys(rel, data, {"source", "cities"}, {"source", "cities"}, "", problems):
        for city, names in (data["cities"] or {}).items():
            line = reference.line_of(data["cities"], city)
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                problems.append(Problem(rel, line, f"cities.{city}", "must be a list of 区县 names"))
                continue
            for name in names:
                if f"{city}{name}" in out:
                    problems.append(Problem(rel, line, f"cities.{city}", f"{city}{name} is listed twice"))
                out[f"{city}{name}"] = city
    if problems:
        raise RulesetError(problems)
    return out


def table() -> dict[str, str]:
    """{full district name, e.g. 太原市小店区: its city, e.g. 太原市}."""
    return _table(reference.root_key())


def is_district(name: str) -> bool:
    return name in table()


def city_of(name: str) -> str | None:
    return table().get(name)
