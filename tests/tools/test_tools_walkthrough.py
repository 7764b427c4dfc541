"""The curriculum officer's walkthrough of docs/tools.md, done as written (its YAML, its commands, its output)."""
from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from support.tools import ROOT

from service.tools import commands

DOC = (ROOT / "docs" / "tools.md").read_text(encoding="utf-8")
COHORT = ROOT / "fixtures" / "cohorts" / "public-administration-120402.jsonl"


def yaml_blocks() -> tuple[str, str, str]:
    catalogue, plan, cases = re.findall(r"```yaml\n(.*?)```", DOC, re.S)[:3]
    return catalogue, plan, cases


def console_output(command: str, after: str = "## Walkthrough") -> list[str]:
    """The lines the walkthrough shows after ``$ <command>`` (first one after ``after``), up to the next prompt."""
    at = DOC.index(f"$ {command}\n", DOC.index(after)) + len(f"$ {command}\n")
    block = DOC[at:DOC.index("```", at)]
    return block.split("\n$ ")[0].rstrip("\n").splitlines()


@pytest.fixture
def draft(tmp_path):
    root = tmp_path / "draft"
    for part in ("curricula", "rulesets"):
        shutil.copytree(ROOT / part, root / part)
    catalogue, plan, cases = yaml_blocks()
    path = root / "curricula" / "catalogue.yaml"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + catalogue, encoding="utf-8")
    (root / "curricula" / "plans" / "sxu" / "120402-2024.yaml").write_text(plan, encoding="utf-8")
    (root / "rulesets" / "shanxi" / "tests" / "public-administration.yaml").write_text(cases, encoding="utf-8")
    return root


def test_the_new_major_checks_and_its_two_cases_pass(draft):
    checked = CliRunner().invoke(commands.check_command, [str(draft)])
    assert checked.exit_code == 0, checked.output
    tested = CliRunner().invoke(commands.test_command, [str(draft)])
    assert tested.exit_code == 0, tested.output
    assert tested.stdout.splitlines()[-1] == console_output("sxzk test .")[0]


def test_check_catches_the_mistyped_code_exactly_as_shown(draft):
    plan = draft / "curricula" / "plans" / "sxu" / "120402-2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace('"14655"', '"14665"'), encoding="utf-8")
    result = CliRunner().invoke(commands.check_command, [str(draft)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [line for line in console_output("sxzk check .", "### 3.")
                                          if line.startswith("curricula/")]


def test_what_if_names_the_candidates_the_threshold_change_flips(draft, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the CSV is written as flips.csv, as shown
    raised = tmp_path / "draft-72"
    shutil.copytree(draft, raised)
    plan = raised / "curricula" / "plans" / "sxu" / "120402-2024.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("min_credits: 71", "min_credits: 72"), encoding="utf-8")
    diff = CliRunner().invoke(commands.diff_command, [str(draft), str(raised)])
    assert diff.exit_code == 0, diff.output
    assert diff.stdout.splitlines()[1:] == console_output("sxzk diff ~/draft ~/draft-72")[1:]
    flips = tmp_path / "flips.csv"
    result = CliRunner().invoke(commands.what_if_command, [str(raised), "--cohort", str(COHORT), "--base", str(draft),
                                                  "--csv", "flips.csv"])
    assert result.exit_code == 0, result.output
    shown = console_output("sxzk what-if ~/draft-72 --cohort ~/cohort-120402.jsonl --base ~/draft --csv flips.csv")
    assert result.stdout.splitlines() == shown[:len(result.stdout.splitlines())]
    assert flips.read_text(encoding="utf-8").splitlines() == console_output("cat flips.csv")
