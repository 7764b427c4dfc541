"""The strict loader: every problem named by file, line and field; the shipped data loads."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from service.errors import RulesetError
from service.rules.loader import bundle_from_files, load_bundle, read_files

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(tmp_path):
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("tests"))
    return tmp_path


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def problems_of(root) -> list[str]:
    with pytest.raises(RulesetError) as info:
        load_bundle(root)
    return [str(p) for p in info.value.problems]


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_shipped_data_loads(bundle):
    assert len(bundle.plans) >= 4 and len(bundle.majors) == 35 and len(bundle.universities) == 9
    marketing = bundle.plans_for("sxufe", "630701")[0]
    assert len(marketing.required) == 18
    assert sum(bundle.catalogue[c].credits for c in marketing.required) == 78
    assert bundle.policy.substitutions[0].replaces == "00015"
    assert len(bundle.version) == 64


def test_version_is_a_content_hash_of_every_file(tree):
    first = load_bundle(tree).version
    assert load_bundle(tree).version == first
    # a comment changes no data, so no version
    plan = tree / "curricula/plans/sxufe/630701-2021.yaml"
    plan.write_text("# a comment\n" + plan.read_text(encoding="utf-8"), encoding="utf-8")
    assert load_bundle(tree).version == first
    edit(plan, "min_credits: 70", "min_credits: 71")
    assert load_bundle(tree).version != first


def test_unknown_course_code_names_file_line_field_and_a_hint(tree):
    plan = tree / "curricula/plans/sxufe/630701-2021.yaml"
    edit(plan, '"00181"', '"00187"')
    [problem] = problems_of(tree)
    assert problem.startswith(f"curricula/plans/sxufe/630701-2021.yaml:{line_of(plan, '00187')}: required[")
    assert "course 00187 is not in the catalogue" in problem and "did you mean" in problem


def test_duplicate_key_is_refused_with_both_lines(tree):
    cat = tree / "curricula/catalogue.yaml"
    text = cat.read_text(encoding="utf-8")
    start = text.index('  "00009":')
    end = text.index('\n  "', start + 5)
    cat.write_text(text[:end] + "\n" + text[start:end] + text[end:], encoding="utf-8")
    [problem] = problems_of(tree)
    assert problem.startswith("curricula/catalogue.yaml:") and "duplicate key '00009'" in problem
    assert "first defined on line" in problem


def test_unknown_key_suggests_the_right_one(tree):
    plan = tree / "curricula/plans/sxufe/630701-2021.yaml"
    edit(plan, "min_credits:", "min_credit:")
    found = problems_of(tree)
    assert any("min_credit: unknown key (did you mean 'min_credits'?)" in p for p in found)
    assert any("min_credits: required key is missing" in p for p in found)


def test_non_positive_credits_and_unquoted_codes(tree):
    cat = tree / "curricula/catalogue.yaml"
    text = cat.read_text(encoding="utf-8")
    start = text.index('  "00009":')
    block = text[start:text.index('\n  "', start + 5)]
    cat.write_text(text.replace(block, block.replace("credits: 6", "credits: 0")), encoding="utf-8")
    plan = tree / "curricula/plans/sxufe/630701-2021.yaml"
    edit(plan, '"12656"', "12656")
    found = problems_of(tree)
    assert any('courses."00009".credits: must be positive, found 0' in p for p in found)
    assert any("course code 12656 is a number" in p and 'quote it as a 5-digit string, e.g. "12656"' in p for p in found)


def test_unquoted_leading_zero_codes_are_read_as_written(tree):
    # YAML 1.1 would read 00153 as the octal number 107
    plan = tree / "curricula/plans/sxufe/630701-2021.yaml"
    edit(plan, '"00153"', "00153")
    assert "00153" in load_bundle(tree).plans_for("sxufe", "630701")[0].required


def test_group_and_equivalence_referring_to_nothing(tree):
    eq = tree / "rulesets/shanxi/equivalences.yaml"
    edit(eq, 'new: "15043"', 'new: "15049"')
    [problem] = problems_of(tree)
    assert problem.startswith(f"rulesets/shanxi/equivalences.yaml:{line_of(eq, '15049')}: equivalences[1].new")


def test_yaml_syntax_error_names_the_line(tree):
    policy = tree / "rulesets/shanxi/policy.yaml"
    edit(policy, "pass_mark: 60", "pass_mark: [60")
    [problem] = problems_of(tree)
    assert problem.startswith("rulesets/shanxi/policy.yaml:") and "(yaml)" in problem


def test_every_problem_is_reported_at_once(tree):
    plan = tree / "curricula/plans/sxufe/630701-2021.yaml"
    edit(plan, '"00181"', '"00187"')
    edit(plan, "level: 专科", "level: 本科")
    edit(tree / "rulesets/shanxi/policy.yaml", "pass_mark: 60", "pass_mark: -1")
    assert len(problems_of(tree)) >= 3


def test_archived_canonical_files_rebuild_the_same_version(bundle):
    again = bundle_from_files(bundle.files)
    assert again.version == bundle.version and again.plans == bundle.plans


def test_read_files_reports_a_missing_file(tree):
    (tree / "curricula/majors.yaml").unlink()
    with pytest.raises(RulesetError) as info:
        read_files(tree)
    assert "curricula/majors.yaml: (file): file is missing" in str(info.value)
