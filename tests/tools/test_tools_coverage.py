"""`sxzk test --coverage`: what of each shipped plan the YAML cases exercise, and the threshold's exit status."""
from __future__ import annotations

import re

from click.testing import CliRunner
from support.common import ROOT
from support.tools import copy_tree

from service.rules.loader import load_bundle
from service.tools import commands
from service.tools.cases import load_all
from service.tools.coverage import plan_coverage


def run(*args):
    return CliRunner().invoke(commands.test_command, [str(a) for a in args])


def shape(line: str) -> str:
    """A report line without what moves as cases are added: the numbers, and the items of a listing."""
    if line.startswith("  "):
        return line.split(":")[0]
    return re.sub(r"\d+", "#", line)


def planned(bundle) -> list[str]:
    """The majors with a plan, in the order of majors.yaml, as the report names them."""
    on_file = {(p.university, p.major) for p in bundle.plans}
    return [f"{m.university}/{m.code}" for m in bundle.majors if (m.university, m.code) in on_file]


def test_the_shipped_rules_report_every_plan_and_a_line_per_major():
    result = run(ROOT, "--coverage")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    bundle = load_bundle(ROOT)
    for plan in bundle.plans:
        assert any(line.startswith(f"{plan.key}: ") for line in lines)
    majors = [line for line in lines if line.startswith("major ")]
    assert [line.split()[1] for line in majors] == planned(bundle)
    assert all(re.fullmatch(r"major \S+ \S+: \d+% \(\d+ plan\(s\), \d+ case evaluation\(s\)\)", m) for m in majors)
    assert lines[-1] == f"{len(bundle.majors) - len(planned(bundle))} major(s) have no plan: nothing to cover"


def test_what_the_cases_exercise_is_what_is_reported():
    bundle = load_bundle(ROOT)
    cases, _ = load_all(ROOT)
    cov = {c.plan.key: c for c in plan_coverage(bundle, cases)}
    marketing = cov["sxufe/630701@2021"]
    assert marketing.cases == 9 and "unmet" in marketing.seen["course:00181"]  # the case that failed 00181
    assert "course:00181" not in marketing.never("unmet") and "course:00009" in marketing.never("unmet")
    old = cov["sxufe/120203K@2017"]
    assert all(old.substitutions.values()) and old.groups == {"elective": True}  # 英语(二) replaced; 00149 counted
    # the 2024 successors stand for the old plan's courses in the accounting-2017 cases (two-way 顶替)
    assert old.equivalences == {"english-ii-to-13000": False, "history-03708-to-15043": True,
                                "marxism-03709-to-15044": True}


def test_a_threshold_sets_the_exit_status():
    low = run(ROOT, "--coverage", "--min", "1")
    assert low.exit_code == 0, low.output
    high = run(ROOT, "--coverage", "--min", "99.5")
    assert high.exit_code == 1
    below = planned(load_bundle(ROOT))
    assert high.stderr == f"{len(below)} major(s) below 99.5%: {', '.join(below)}\n"
    assert run(ROOT, "--min", "50").exit_code == 2  # --min without --coverage


def test_an_added_case_raises_the_coverage(tmp_path):
    tree = copy_tree(tmp_path)
    before = run(tree, "--coverage").stdout
    path = tree / "rulesets/shanxi/tests/marketing.yaml"
    text = path.read_text(encoding="utf-8")
    case = text[text.index("- name:"):]
    case = case[:case.index("\n- name:")] if "\n- name:" in case else case
    path.write_text(text + "\n" + case.replace("- name: ", "- name: again ", 1), encoding="utf-8")
    after = run(tree, "--coverage").stdout
    assert "sxufe/630701@2021: 10 case evaluation(s)" in after and "sxufe/630701@2021: 9 case evaluation(s)" in before


def test_the_report_shown_in_docs_tools_md_has_the_shape_of_the_real_one():
    doc = (ROOT / "docs/tools.md").read_text(encoding="utf-8")
    at = doc.index("$ sxzk test --coverage\n") + len("$ sxzk test --coverage\n")
    shown = doc[at:doc.index("```", at)].rstrip("\n").splitlines()
    actual = run(ROOT, "--coverage").stdout.splitlines()
    # numbers move as cases are added; the lines, their order and what they name stay
    assert [shape(line) for line in shown] == [shape(line) for line in actual]
