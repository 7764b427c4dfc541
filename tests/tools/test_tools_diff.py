"""`sxzk diff`: changes per major in plain words, between folders or git revisions."""
from __future__ import annotations

import re
import subprocess

import pytest
from click.testing import CliRunner
from support.tools import ROOT, copy_tree, edit

from service.tools import commands

PLAN = "curricula/plans/sxufe/630701-2021.yaml"


@pytest.fixture
def tree(tmp_path):
    return copy_tree(tmp_path)


def diff(old, new, env=None):
    return CliRunner().invoke(commands.diff_command, [str(old), str(new)], env=env)


def test_no_change(tree):
    result = diff(ROOT, tree)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["no change that affects decisions"]


def test_every_kind_of_change_is_named_per_major(tree):
    edit(tree / PLAN, "min_credits: 70", "min_credits: 72")
    edit(tree / PLAN, '"00181", "00182"', '"00182"')
    edit(tree / "curricula/plans/sxufe/120203K-2017.yaml", "pick: 1", "pick: 2")
    edit(tree / "curricula/plans/sxufe/120203K-2017.yaml", '["00149", "00058"]', '["00149", "00058", "00162"]')
    edit(tree / "curricula/catalogue.yaml", "    name: 质量管理(一)\n    credits: 4", "    name: 质量管理(一)\n    credits: 5")
    edit(tree / "rulesets/shanxi/policy.yaml", "min_credits: 14 ", "min_credits: 15 ")
    edit(tree / "rulesets/shanxi/policy.yaml", "pass_mark: 60", "pass_mark: 65")
    edit(tree / "rulesets/shanxi/equivalences.yaml", "equivalences:\n", 'equivalences:\n  - id: x-00181-to-00182\n'
         '    old: "00181"\n    new: "00182"\n    source: test\n')
    law = (tree / "curricula/plans/sxu/030101K-2024.yaml").read_text(encoding="utf-8")
    (tree / "curricula/plans/sxu/030101K-2026.yaml").write_text(
        law.replace('edition: "2024"', 'edition: "2026"').replace("from: 2024-01-01", "from: 2026-01-01"), encoding="utf-8")
    (tree / "curricula/plans/sxufe/120203K-2024.yaml").unlink()
    result = diff(ROOT, tree)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == [
        "山西大学 030101K 法学(专升本)",
        "  - edition 2026 added, in force from 2026-01-01: 16 required course(s), 0 group(s), min 74 credits",
        "山西财经大学 120203K 会计学(专升本)",
        "  - edition 2017: group 选考课程（任选一门）: threshold changed: pick 1 → pick 2",
        "  - edition 2017: group 选考课程（任选一门）: course added: 00162 会计制度设计 (5 credits)",
        "  - edition 2024 removed (was in force from 2024-01-01)",
        "山西财经大学 630701 市场营销(专科)",
        "  - edition 2021: threshold changed: minimum credits 70 → 72",
        "  - edition 2021: course removed (required): 00181 广告学(一) (4 credits)",
        "  - edition 2021: credits changed: 00153 质量管理(一) 4 → 5",
        "课程目录 (catalogue)",
        "  - 00153 质量管理(一): credits 4 → 5",
        "政策 (policy, substitutions, equivalences)",
        "  - policy pass_mark: 60 → 65",
        "  - substitution english-ii: min_credits 14 → 15",
        "  - equivalence added: x-00181-to-00182 (one-to-one: [00181] stands for [00182])",
    ]


def test_git_revisions_of_the_repository(tree):
    def git(*args):
        subprocess.run(["git", "-C", str(tree), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "rules")
    edit(tree / PLAN, "min_credits: 70", "min_credits: 76")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-am", "threshold")
    env = {"SXZK_RULES_ROOT": str(tree)}
    result = diff("HEAD~1", "HEAD", env)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["山西财经大学 630701 市场营销(专科)",
                                              "  - edition 2021: threshold changed: minimum credits 70 → 76"]
    edit(tree / PLAN, "min_credits: 76", "min_credits: 78")  # the working folder against a revision
    assert diff("HEAD", tree, env).stdout.splitlines()[-1] == \
        "  - edition 2021: threshold changed: minimum credits 76 → 78"


def test_a_bad_revision_or_broken_side_is_refused(tree):
    result = diff("no-such-revision", tree)
    assert result.exit_code == 2 and "'no-such-revision' is neither a folder nor a git revision" in result.output
    edit(tree / PLAN, '"00181"', '"00187"')
    result = diff(ROOT, tree)
    assert result.exit_code == 1
    assert f"folder {tree} does not load:" in result.stderr and "course 00187 is not in the catalogue" in result.stderr


def test_a_fee_change_is_shown_and_changes_the_version(tree):
    edit(tree / "rulesets/workflow/fees.yaml", "per_major_fen: 2000", "per_major_fen: 2500")
    result = diff(ROOT, tree)
    assert result.exit_code == 0, result.output
    header, *lines = result.stdout.splitlines()
    assert lines == ["工作流程与转出规则 (workflow and transfer tables): rulesets/workflow/fees.yaml",
                     "  - graduation.per_major_fen: 2000 → 2500"]
    old, new = re.findall(r"\(([0-9a-f]{12})\)", header)
    assert old != new


def test_a_no_plan_marker_removed_or_reworded_is_named(tree):
    majors = tree / "curricula/majors.yaml"
    text = majors.read_text(encoding="utf-8")
    at = text.index("    no_plan:", text.index('code: "020101"'))
    text = text[:at] + "    note:" + text[at + len("    no_plan:"):]
    at = text.index("    no_plan: >-\n", text.index('code: "030301"')) + len("    no_plan: >-\n")
    majors.write_text(text[:at] + "      江苏无此计划 / no Jiangsu plan.\n" + text[at:], encoding="utf-8")
    result = diff(ROOT, tree)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:] == ["山西大学 020101 经济学(专升本)", "  - no_plan marker removed",
                                              "山西大学 030301 社会学(专升本)", "  - no_plan reason changed"]
