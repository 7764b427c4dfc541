"""`sxzk explain`: the candidate's checklist for a request file; bad files name their fields."""
from __future__ import annotations

import json

from click.testing import CliRunner
from support.tools import ROOT

from service.tools import commands

EXAMPLES = ROOT / "fixtures" / "examples"


def explain(*args):
    return CliRunner().invoke(commands.explain_command, [*map(str, args), "--rules", str(ROOT)])


def test_missing_course_is_crossed_and_the_rest_ticked():
    result = explain(EXAMPLES / "marketing-missing-00181.json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["主考院校: 山西财经大学  专业: 630701 市场营销(专科)  计划: 2021 版  as of 2025-11-20",
                         "所选专业不符合毕业合格条件", "市场营销(专科)(本专业下必修课程)"]
    # unmet first, every other plan course after it with ✓, as seed 002's screen lists them
    assert lines[3] == "  ✗ 00181广告学(一)(4)  [无合格成绩 (not passed)]"
    assert "  ✓ 00009政治经济学(财经类)(6)" in lines
    assert sum(line.startswith("  ✓ 0") or line.startswith("  ✓ 1") for line in lines) == 17
    assert "  ✓ 最低毕业学分  [已计 74 学分 (其中已核验 74), 需 70 学分 (74 earned, 74 verified, of 70 required)]" in lines
    assert "未计入 (not counted): 00181 无合格成绩" in lines


def test_substitution_accepted_and_rejected_courses_are_listed():
    lines = explain(EXAMPLES / "accounting-english-substitution.json").stdout.splitlines()
    assert lines[1] == "所选专业符合毕业合格条件"
    at = lines.index("  ✓ 00015英语(二)(14)  [顶替英语二课程共 16 学分, 需 14 学分 (substitution: 16 of 14 credits)]")
    assert lines[at + 1:at + 6] == [
        "      顶替英语二 (english-ii): 16 of 14 credits",
        "        ✓ accepted 00009政治经济学(财经类)(6)",
        "        ✓ accepted 00058市场营销学(5)",
        "        ✓ accepted 00162会计制度设计(5)",
        "        ✗ rejected 03708中国近现代史纲要(2): 已计入 course:03708",
    ]
    at = lines.index("  ✓ 选考课程（任选一门）  [已有 1 门, 需 1 门 (1 of 1 courses)]")
    assert lines[at + 1:at + 3] == ["      ✓ 00149国际贸易理论与实务(6)", "        00058市场营销学(5)"]


def test_pending_items_are_marked_and_listed():
    lines = explain(EXAMPLES / "accounting-old-plan-pending.json").stdout.splitlines()
    assert lines[1] == "所选专业待核实后符合毕业合格条件 (pending verification)"
    assert lines[3] == "  待核验 03709马克思主义基本原理概论(4)  [03709 待县(区)自考办核验 (03709 awaiting verification)]"
    assert "  ✓ 最低毕业学分  [已计 76 学分 (其中已核验 72), 需 67 学分 (76 earned, 72 verified, of 67 required)]" in lines
    assert "待核验 (pending verification): 03709 马克思主义基本原理概论" in lines


def test_another_major_can_be_chosen_on_the_command_line():
    result = explain(EXAMPLES / "marketing-complete.json", "--university", "sxu", "--major", "030101K")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("主考院校: 山西大学  专业: 030101K 法学(专升本)  计划: 2024 版")
    assert "  ✗ 前置学历  [未提供前置学历 (no prior diploma given)]" in lines
    assert "  ✗ 14850法学（本科）毕业论文(0)  [无合格成绩或未选修 (no passing score)]" in lines
    # 00019 is a practical of the marketing plan, not of law: not "not counted" here, only not needed
    not_counted = next(line for line in lines if line.startswith("未计入"))
    assert "00019" not in not_counted


def test_a_bad_request_file_names_every_field(tmp_path):
    body = json.loads((EXAMPLES / "marketing-complete.json").read_text(encoding="utf-8"))
    body["transcript"][0]["score"] = "72分"
    body["candidate"]["gender"] = "M"
    body["extra"] = 1
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    result = explain(path)
    assert result.exit_code == 2 and result.stdout == ""
    assert f"{path}: transcript[0].score: 成绩为 0 到 100 的整数，或等级（优秀/良好/中等/合格/不合格）或 免考 / a score is a whole number from 0 to 100, or a grade (优秀/良好/中等/合格/不合格) or 免考" in result.stderr
    assert f"{path}: candidate.gender: must be 男 or 女" in result.stderr
    assert f"{path}: extra: Unknown field." in result.stderr


def test_an_unknown_major_or_broken_file_is_refused_without_a_traceback(tmp_path):
    result = explain(EXAMPLES / "marketing-complete.json", "--university", "sxufe", "--major", "630799")
    assert result.exit_code == 2 and "choices: sxufe 没有专业 630799 / unknown major 630799 at sxufe" in result.stderr
    path = tmp_path / "x.json"
    path.write_text("{not json", encoding="utf-8")
    result = explain(path)
    assert result.exit_code == 2 and "not a JSON file" in result.stderr
    result = explain(EXAMPLES / "marketing-complete.json", "--university", "sxufe")
    assert result.exit_code == 2 and "give --university and --major together" in result.output


def _variant(tmp_path, change):
    body = json.loads((EXAMPLES / "marketing-complete.json").read_text(encoding="utf-8"))
    change(body)
    path = tmp_path / "request.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return explain(path).stdout.splitlines()


def _record(body, code):
    return next(r for r in body["transcript"] if r["code"] == code)


def test_a_practical_whose_theory_failed_is_not_counted_and_says_why(tmp_path):
    lines = _variant(tmp_path, lambda body: _record(body, "00018").update(score="41"))
    assert not any(line.startswith("其他合格课程") and "00019" in line for line in lines), lines
    assert "  ✗ 00019计算机应用基础(实践)(2)  [理论课程 00018 未合格 (theory course 00018 not passed); " \
           "00019 的合格成绩暂不计入 (00019 passed, not counted)]" in lines
    not_counted = next(line for line in lines if line.startswith("未计入"))
    assert "00019 理论课程 00018 未合格 (theory course not passed)" in not_counted


def test_a_practical_whose_theory_awaits_verification_names_the_theory(tmp_path):
    def pending_theory(body):
        body["transcript"].remove(_record(body, "00018"))
        body["old_plan_records"] = [{"code": "00018", "name": "计算机应用基础", "score": "70", "date": "2015-10-18"}]
    lines = _variant(tmp_path, pending_theory)
    practical = next(line for line in lines if line.startswith("  待核验 00019"))
    assert practical.endswith("[理论课程 00018 待核验, 实践课程随之待核验 (theory course 00018 awaiting verification)]")
    assert "  待核验 00018计算机应用基础(2)  [00018 待县(区)自考办核验 (00018 awaiting verification)]" in lines


def test_a_course_held_through_an_equivalence_shows_what_stands_for_it_and_its_credits(tmp_path):
    lines = _variant(tmp_path, lambda body: _record(body, "12656").update(code="15040"))
    held = next(line for line in lines if line.startswith("  ✓ 12656"))
    # the plan course with its printed credits, what stands for it and the credits the total counts for it
    assert held == ("  ✓ 12656毛泽东思想和中国特色社会主义理论体系概论(4)  [由 15040习近平新时代中国特色社会主义思想概论(3) "
                    "顶替, 计 3 学分 (held through equivalence:maogai-12656-to-15040, counting 3 credits)]"), held


def test_an_old_plan_card_the_substitution_replaced_is_said_once_with_its_reason(tmp_path):
    from service.tools.cases import load_cases

    [case] = [c for c in load_cases(ROOT / "rulesets/shanxi/tests/accounting-2017.yaml") if c.name.startswith("one slot")]
    path = tmp_path / "request.json"
    path.write_text(json.dumps(case.body, ensure_ascii=False), encoding="utf-8")
    lines = explain(path).stdout.splitlines()
    assert "未使用 (not used): 00015 (旧计划合格课程) 已由顶替课程计入 (the substitution counts instead)" in lines
    assert not any(line.startswith("其他合格课程") for line in lines)
    assert "  ✓ 最低毕业学分  [已计 75 学分 (其中已核验 75), 需 67 学分 (75 earned, 75 verified, of 67 required)]" in lines
    english = next(line for line in lines if line.startswith("  ✓ 00015"))
    assert english.endswith("00015 待核验的成绩不重复计入, 已由顶替课程计入 (the verified substitution counts instead)]")
