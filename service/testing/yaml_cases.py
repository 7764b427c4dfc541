"""Pytest plugin: every case of ``rulesets/<area>/tests/*.yaml`` is a test item.

Registered with ``-p service.testing.yaml_cases`` (setup.cfg).  Items are named by
file and case; a failure prints the file, the case and each mismatch as
"expected vs actual".  The bundle is the one of the tree the case file sits in.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from service.errors import RulesetError
from service.rules.loader import load_bundle
from service.tools.cases import load_cases, run_case

_bundles: dict = {}


def _tree_of(path: Path) -> tuple[Path, str] | None:
    """(root, area) for rulesets/<area>/tests/<file>.yaml, else None."""
    parts = path.parts
    if len(parts) >= 4 and parts[-2] == "tests" and parts[-4] == "rulesets":
        return path.parents[3], parts[-3]
    return None


def _bundle(root: Path, area: str):
    key = (root, area)
    if key not in _bundles:
        try:
            _bundles[key] = load_bundle(root, area)
        except RulesetError as exc:
            _bundles[key] = exc
    return _bundles[key]


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix in (".yaml", ".yml") and _tree_of(file_path):
        return YamlCaseFile.from_parent(parent, path=file_path)
    return None


class CaseFailure(Exception):
    pass


class YamlCaseFile(pytest.File):
    def collect(self):
        root, _area = _tree_of(self.path)
        try:
            cases = load_cases(self.path, display=self.path.relative_to(root).as_posix())
        except RulesetError as exc:
            raise self.CollectError("\n".join(str(p) for p in exc.problems)) from None
        for case in cases:
            yield YamlCaseItem.from_parent(self, name=case.name, case=case)


class YamlCaseItem(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        root, area = _tree_of(self.path)
        bundle = _bundle(root, area)
        if isinstance(bundle, RulesetError):
            raise CaseFailure(["the rules do not load:", *(str(p) for p in bundle.problems)])
        mismatches = run_case(bundle, self.case)
        if mismatches:
            raise CaseFailure(mismatches)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, CaseFailure):
            lines = [self.case.label]
            lines += [f"  {m}" for m in excinfo.value.args[0]]
            return "\n".join(lines)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, self.case.line, f"case: {self.case.name}"
