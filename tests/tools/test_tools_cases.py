"""YAML test cases: strict loading with file:line errors, expected-vs-actual mismatches, the pytest plugin."""
from __future__ import annotations

import subprocess
import sys

import pytest
from support.tools import ROOT, copy_tree, edit

from service.errors import RulesetError
from service.tools.cases import DEFAULT_CANDIDATE, load_all, load_cases, run_case

CASE = """\
- name: one
  input:
    university: sxufe
    major: "630701"
    as_of: 2025-11-20
    transcript:
      - {code: "00009", score: 72, date: 2021-04-17}
  expected:
    status: not_eligible
    requirements:
      "course:00009": met
      "course:00181": unmet
"""


@pytest.fixture
def tree(tmp_path):
    return copy_tree(tmp_path)


def write(tmp_path, text):
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path, text):
    return load_cases(write(tmp_path, text), display="cases.yaml")


def problems(tmp_path, text):
    with pytest.raises(RulesetError) as info:
        load(tmp_path, text)
    return [str(p) for p in info.value.problems]


def test_shipped_cases_cover_every_plan_and_pass(bundle):
    cases, file_problems = load_all(ROOT)
    assert file_problems == [] and len(cases) >= 8
    assert {(c.body["choices"][0]["university"], c.body["choices"][0]["major"]) for c in cases} == {
        (p.university, p.major) for p in bundle.plans}
    assert {c.expected["status"] for c in cases} == {"eligible", "not_eligible", "pending_verification"}
    assert [(c.name, run_case(bundle, c)) for c in cases if run_case(bundle, c)] == []


def test_a_good_case_loads_with_the_default_candidate(tmp_path, bundle):
    [case] = load(tmp_path, CASE)
    assert case.name == "one" and case.line == 1 and case.file == "cases.yaml"
    assert case.body["candidate"] == DEFAULT_CANDIDATE
    assert case.body["transcript"][0] == {"code": "00009", "score": "72", "date": "2021-04-17"}
    assert run_case(bundle, case) == []


def test_mismatches_say_expected_and_actual_per_requirement(tmp_path, bundle):
    text = CASE.replace('"course:00009": met', '"course:00009": unmet').replace("status: not_eligible",
                                                                              "status: eligible")
    [case] = load(tmp_path, text + "    credits: {earned: 99}\n")
    assert run_case(bundle, case) == [
        "status: expected eligible, got not_eligible",
        "course:00009: expected unmet, got met",
        "credits.earned: expected 99, got 6",
    ]


def test_an_unknown_requirement_or_major_is_a_mismatch_not_a_crash(tmp_path, bundle):
    [case] = load(tmp_path, CASE.replace('"course:00181"', '"course:00015"'))
    assert run_case(bundle, case) == ["course:00015: expected unmet, but the decision (edition 2021) has no such "
                                      "requirement; did you mean course:00153?"]
    [case] = load(tmp_path, CASE.replace('"630701"', '"630702"'))
    assert run_case(bundle, case) == ["the decision could not be made: unknown major 630702 at sxufe"]


def test_bad_input_names_file_line_and_field(tmp_path):
    text = CASE.replace("score: 72", "score: 172").replace('"00009"', '"0009"').replace("2025-11-20", "someday")
    assert problems(tmp_path, text) == [
        "cases.yaml:7: [0].input.transcript[0].code: a course code is 5 digits, e.g. 00181",
        "cases.yaml:7: [0].input.transcript[0].score: 成绩为 0 到 100 的整数，或等级（优秀/良好/中等/合格/不合格）或 免考 / a score is a whole number from 0 to 100, or a grade (优秀/良好/中等/合格/不合格) or 免考",
        "cases.yaml:5: [0].input.as_of: Not a valid date.",
    ]


def test_bad_expectations_and_keys_are_all_reported(tmp_path):
    text = CASE.replace("status: not_eligible", "status: passed").replace('"course:00181": unmet',
                                                                         '"course:00181": failed')
    text = text.replace("  input:", "  inptu: {}\n  input:") + CASE.replace("status: not_eligible", "staus: eligible")
    assert problems(tmp_path, text) == [
        "cases.yaml:2: [0].inptu: unknown key (did you mean 'input'?)",
        "cases.yaml:10: [0].expected.status: must be one of eligible, pending_verification, not_eligible, "
        "found 'passed'",
        "cases.yaml:13: [0].expected.requirements.course:00181: must be one of met, pending, unmet, found 'failed'",
        "cases.yaml:22: [1].expected.staus: unknown key (did you mean 'status'?)",
        "cases.yaml:22: [1].expected.status: required key is missing",
    ]


def test_duplicate_names_invalid_yaml_and_empty_files(tmp_path):
    assert problems(tmp_path, CASE + CASE) == [
        "cases.yaml:13: [1].name: the name 'one' is used twice (first at line 1)"]
    assert problems(tmp_path, CASE + "  expected: {}\n") == [
        "cases.yaml:13: (yaml): duplicate key 'expected' (first defined on line 8)"]
    for text in ("[]\n", "{}\n"):
        assert problems(tmp_path, text) == [
            "cases.yaml:1: (top): a test-case file is a list of cases (each line starting with `- name:`)"]


def test_the_plugin_reports_file_case_and_mismatches(tree):
    edit(tree / "rulesets/shanxi/tests/marketing.yaml", '"course:00181": unmet', '"course:00181": met')
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "service.testing.yaml_cases",
                          "-p", "no:cacheprovider", "rulesets"], capture_output=True, text=True, cwd=tree)
    assert out.returncode == 1, out.stdout
    assert "1 failed, 20 passed" in out.stdout
    assert 'rulesets/shanxi/tests/marketing.yaml:4: case "广告学(一) failed, everything else passed"' in out.stdout
    assert "course:00181: expected met, got unmet (missing 00181)" in out.stdout
    assert "status: expected not_eligible" not in out.stdout


def test_counted_missing_notes_substitution_and_unused_print_expected_against_actual(tmp_path, bundle):
    text = CASE.replace('      "course:00009": met\n', '''      "course:00009":
        status: met
        counted: [{code: "00009", via: "equivalence:x"}]
        notes: [theory_not_passed]
      "course:00181":
        status: unmet
        missing: ["00181"]
''').replace('      "course:00181": unmet\n', "") + "    unused: [\"00058\"]\n"
    [case] = load(tmp_path, text)
    assert run_case(bundle, case) == [
        'course:00009.counted: expected [{"code": "00009", "via": "equivalence:x"}], got [{"code": "00009", '
        '"for": "00009", "credits": 6, "verified": true, "via": "direct"}]',
        'course:00009.notes: expected ["theory_not_passed"], got []',
        'unused: expected ["00058"], got []',
    ]


def test_a_detailed_requirement_with_an_unknown_key_names_its_line(tmp_path):
    text = CASE.replace('      "course:00009": met\n', '      "course:00009": {status: met, countd: []}\n')
    with pytest.raises(RulesetError) as exc:
        load(tmp_path, text)
    assert any(p.line == 11 and "countd" in str(p) for p in exc.value.problems), exc.value.problems
