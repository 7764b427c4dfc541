"""`check` and `test` for curriculum staff: every problem of a rules tree, and every case's mismatches."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from service.errors import RulesetError
from service.rules.loader import DEFAULT_AREA, bundle_from_files, read_files
from service.tools.cases import Case, case_files, load_cases, run_case
from service.tools.tables import table_checks
from service.yamlreader import Problem, YamlSyntaxError, parse_yaml


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    bundle: object = None
    cases: list[Case] = field(default_factory=list)


def check_tree(root: Path | str, area: str = DEFAULT_AREA, *, overrides: dict[str, str] | None = None) -> CheckReport:
    """Validate every file of the bundle (curricula, rulesets, workflow tables, transfer rules) and every
    test-case file of ``root``.

    ``overrides`` ({relative path: YAML text}) stand in for files of the tree, or add
    to them: what an import would write is checked before it is written.
    """
    root = Path(root)
    report = CheckReport()
    try:
        files = read_files(root, area)
        for rel, text in (overrides or {}).items():
            try:
                files[rel] = parse_yaml(text, rel)
            except YamlSyntaxError as exc:
                raise RulesetError([exc.problem]) from None
        report.bundle = bundle_from_files(files, table_checks())
    except RulesetError as exc:
        report.problems += exc.problems
    for path in case_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            cases = load_cases(path, display=rel)
        except RulesetError as exc:
            report.problems += exc.problems
            continue
        report.cases += cases
        if report.bundle is not None:
            report.problems += _unknown_majors(report.bundle, cases)
    return report


def _unknown_majors(bundle, cases) -> list[Problem]:
    out = []
    for case in cases:
        choice = case.body["choices"][0]
        if bundle.major(choice["university"], choice["major"]) is None:
            out.append(Problem(case.file, case.line, f"{case.name}: input.major",
                               f"major {choice['major']} of {choice['university']} is not in curricula/majors.yaml"))
        elif not bundle.plans_for(choice["university"], choice["major"]):
            out.append(Problem(case.file, case.line, f"{case.name}: input.major",
                               f"major {choice['major']} of {choice['university']} has no plan in curricula/plans/"))
    return out


@dataclass
class TestRun:
    problems: list[Problem]  # the tree or a case file does not load
    results: list[tuple[Case, list[str]]]  # (case, mismatches)
    bundle: object = None

    @property
    def failed(self) -> list[tuple[Case, list[str]]]:
        return [(c, m) for c, m in self.results if m]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.failed


def run_tests(root: Path | str, area: str = DEFAULT_AREA) -> TestRun:
    report = check_tree(root, area)
    if report.bundle is None:
        return TestRun(report.problems, [])
    return TestRun(report.problems, [(case, run_case(report.bundle, case)) for case in report.cases], report.bundle)
