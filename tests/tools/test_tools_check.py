"""`sxzk check` and `sxzk test`: every broken-ruleset fixture prints exactly its expected problems."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from support.tools import ROOT, copy_tree, edit

from service.tools import commands

BROKEN = ROOT / "fixtures" / "broken_rulesets"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


@pytest.fixture
def tree(tmp_path):
    return copy_tree(tmp_path)


def test_every_kind_of_mistake_has_a_fixture():
    assert {"mistyped-course-code", "duplicate-key", "unknown-key", "non-positive-credits",
            "group-refers-to-nothing", "invalid-yaml", "bad-test-case"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_check_prints_exactly_the_expected_problems(tree, case):
    overlay = BROKEN / case
    files = [p for p in overlay.rglob("*") if p.is_file() and p.name != "expected_error.txt"]
    assert files, f"{case} has no overlay file"
    for path in files:
        target = tree / path.relative_to(overlay)
        assert target.exists(), f"{case}: {path.relative_to(overlay)} overlays nothing"
        shutil.copyfile(path, target)
    result = CliRunner().invoke(commands.check_command, [str(tree)])
    assert result.exit_code == 1
    assert result.stdout == (overlay / "expected_error.txt").read_text(encoding="utf-8")
    assert result.stderr.endswith("problem(s)\n")


def test_check_of_the_shipped_rules_passes():
    result = CliRunner().invoke(commands.check_command, [str(ROOT)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: 4 plan(s) of 3 major(s)") and "21 test case(s)" in result.stdout


def test_check_reports_a_case_about_an_unknown_major(tree):
    edit(tree / "rulesets/shanxi/tests/law.yaml", 'major: "030101K"', 'major: "030102K"')
    result = CliRunner().invoke(commands.check_command, [str(tree)])
    assert result.exit_code == 1
    assert result.stdout == ("rulesets/shanxi/tests/law.yaml:4: every course and the thesis passed, but no prior "
                             "diploma: input.major: major 030102K of sxu is not in curricula/majors.yaml\n")


def test_test_command_passes_on_the_shipped_cases():
    result = CliRunner().invoke(commands.test_command, [str(ROOT), "-v"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\nok   ") + result.stdout.startswith("ok   ") == 21
    assert result.stdout.endswith("21 passed, 0 failed\n")


def test_test_command_prints_each_failure_as_expected_vs_actual(tree):
    # the plan now asks 75 credits: the 74 of the 00181 case fall short
    edit(tree / "curricula/plans/sxufe/630701-2021.yaml", "min_credits: 70", "min_credits: 75")
    result = CliRunner().invoke(commands.test_command, [str(tree)])
    assert result.exit_code == 1
    assert result.stdout == (
        'FAIL rulesets/shanxi/tests/marketing.yaml:4: case "广告学(一) failed, everything else passed"\n'
        "     credits: expected met, got unmet (74 verified / 74 of 75)\n"
        "     credits.required: expected 70, got 75\n"
        'FAIL rulesets/shanxi/tests/marketing.yaml:37: case "all 18 courses passed (00181 on the second sitting)"\n'
        "     credits.required: expected 70, got 75\n"
        'FAIL rulesets/shanxi/tests/marketing.yaml:69: case "practical 00019 passed without its theory 00018"\n'
        "     credits: expected met, got unmet (74 verified / 74 of 75)\n"
        "18 passed, 3 failed\n"
    )


def test_test_command_fails_when_the_rules_do_not_load(tree):
    edit(tree / "curricula/catalogue.yaml", "credits: 4", "credits: -4")
    result = CliRunner().invoke(commands.test_command, [str(tree)])
    assert result.exit_code == 1
    assert "must be positive, found -4" in result.stdout and result.stdout.endswith("0 passed, 0 failed, 1 problem(s) in the files\n")


def test_check_names_file_line_and_field_of_a_typo_in_the_fees(tree):
    edit(tree / "rulesets/workflow/fees.yaml", "per_major_fen: 2000", "per_major_fee: 2000")
    result = CliRunner().invoke(commands.check_command, [str(tree)])
    assert result.exit_code == 1
    assert "rulesets/workflow/fees.yaml:16: graduation.per_major_fee: unknown key (did you mean 'per_major_fen'?)" \
        in result.stdout.splitlines()


def test_check_names_file_line_and_field_of_a_typo_in_the_transfer_rules(tree):
    edit(tree / "rulesets/transfer/transfer_out.yaml", "min_digits: 10", "min_digit: 10")
    result = CliRunner().invoke(commands.check_command, [str(tree)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "rulesets/transfer/transfer_out.yaml:65: target_exam_number.min_digit: unknown key " \
           "(did you mean 'min_digits'?)" in lines
    assert all(line.startswith("rulesets/transfer/transfer_out.yaml:") for line in lines)


def test_check_names_a_state_table_mistake(tree):
    edit(tree / "rulesets/transfer/transfer_out_states.yaml", "roles: [portal]", "roles: [portl]")
    result = CliRunner().invoke(commands.check_command, [str(tree)])
    assert result.exit_code == 1
    assert result.stdout.startswith("rulesets/transfer/transfer_out_states.yaml:")
    assert ".roles: a non-empty list of portal, county, city, province" in result.stdout


def test_check_refuses_a_thesis_on_a_level_without_theses_naming_file_and_line(tree):
    edit(tree / "curricula/plans/sxufe/630701-2021.yaml", "min_credits: 70", 'min_credits: 70\nthesis: "10199"')
    result = CliRunner().invoke(commands.check_command, [str(tree)])
    assert result.exit_code == 1
    assert "curricula/plans/sxufe/630701-2021.yaml:20" in result.stdout and "thesis" in result.stdout
    assert "专科 plan has no thesis" in result.stdout


def test_check_accepts_a_practical_whose_precondition_is_a_number_of_passed_courses(tree):
    edit(tree / "curricula/catalogue.yaml", '  "00343":\n', '''  "13161":
    name: 英语听力与口译（实践）
    credits: 2
    kind: practical
    requires_passed: 8               # 通过本专业8门及以上课程方可报考
  "00343":
''')
    result = CliRunner().invoke(commands.check_command, [str(tree)])
    assert result.exit_code == 0, result.stdout
