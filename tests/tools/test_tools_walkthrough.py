"""The curriculum officer's walkthrough of docs/tools.md, done as written (its YAML, its commands, its output)."""
from __future__ import annotations

import re
import shutil

import pytest
from click.testing import CliRunner
from support.tools import ROOT

from service.rules.loader import load_bundle
from service.tools import commands
from service.yamlreader import parse_yaml

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
    _, plan, cases = yaml_blocks()
    # the draft retraces how the shipped plan was added: it starts without it
    (root / "curricula" / "plans" / "sxu" / "120402-2024.yaml").write_text(plan, encoding="utf-8")
    (root / "rulesets" / "shanxi" / "tests" / "public-administration.yaml").write_text(cases, encoding="utf-8")
    return root


def test_the_courses_the_walkthrough_adds_are_the_shipped_catalogue_s():
    catalogue, _, _ = yaml_blocks()
    shipped = load_bundle(ROOT).catalogue
    added = parse_yaml("courses:\n" + catalogue, "walkthrough")["courses"]
    assert len(added) == 13
    for code, course in added.items():
        assert (shipped[code].name, shipped[code].credits, shipped[code].kind) == \
            (course["name"], course["credits"], course["kind"]), code


def test_the_walkthrough_s_cases_are_the_shipped_ones():
    _, _, cases = yaml_blocks()
    shipped = ROOT / "rulesets" / "shanxi" / "tests" / "public-administration.yaml"
    assert parse_yaml(shipped.read_text(encoding="utf-8"), "shipped") == parse_yaml(cases, "walkthrough")


def test_the_walkthrough_s_plan_decides_as_the_shipped_one(draft):
    """The hand-written YAML and the import of fixtures/plans/sxu-120402-2024.csv say the same."""
    by_hand = load_bundle(draft).plans_for("sxu", "120402")
    shipped = load_bundle(ROOT).plans_for("sxu", "120402")
    fields = ("required", "groups", "thesis", "min_credits", "effective_from", "effective_until", "edition")
    assert [[getattr(p, f) for f in fields] for p in by_hand] == [[getattr(p, f) for f in fields] for p in shipped]


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
