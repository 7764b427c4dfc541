"""`sxzk plans import|export`: the 专业考试计划 table round trip, and problems named by sheet, row and column."""
from __future__ import annotations

import re
import shlex
import shutil

import pytest
from click.testing import CliRunner
from support.common import ROOT
from support.tools import copy_tree

from service.rules.canonical import plain
from service.rules.loader import load_bundle
from service.tools.plans.cli import plans_group
from service.tools.plans.sheets import read_sheets
from service.yamlreader import parse_yaml

SAMPLE_CSV = ROOT / "fixtures/plans/sxufe-120203K-2017.csv"
SAMPLE_XLSX = ROOT / "fixtures/plans/sxufe-120203K.xlsx"
PLANS = ("curricula/plans/sxufe/120203K-2017.yaml", "curricula/plans/sxufe/120203K-2024.yaml")
# the published tables the reference plans were imported from (the 120203K samples are exports)
SOURCE_TABLES = sorted(p for p in (ROOT / "fixtures/plans").glob("*-*-*.csv") if "120203K" not in p.name)
FICTITIOUS_MAJOR = """  - university: sxu
    code: "050299"
    name: 英语写作
    level: 专升本
    status: open
"""


def sxzk(*args):
    return CliRunner().invoke(plans_group, [str(a) for a in args])


def data(path):
    return plain(parse_yaml(path.read_text(encoding="utf-8"), path.name))


def row_of(text: str, start: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if line.lstrip("\ufeff").startswith(start))


def test_importing_the_sample_gives_the_shipped_plans_and_exporting_them_the_sample_again(tmp_path):
    tree = copy_tree(tmp_path)
    catalogue = (tree / "curricula/catalogue.yaml").read_bytes()
    result = sxzk("import", SAMPLE_XLSX, "--root", tree, "--replace")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"wrote {PLANS[0]}", f"wrote {PLANS[1]}", "ok: 2 plan(s) pass `sxzk check`"]
    for rel in PLANS:  # the same plan, written in the importer's layout
        assert data(tree / rel) == data(ROOT / rel)
    assert (tree / "curricula/catalogue.yaml").read_bytes() == catalogue  # every course is known already
    assert load_bundle(tree).plans == load_bundle(ROOT).plans

    assert sxzk("export", tmp_path / "again.csv", "sxufe/120203K@2017", "--root", tree).exit_code == 0
    assert (tmp_path / "again.csv").read_bytes() == SAMPLE_CSV.read_bytes()
    assert sxzk("export", tmp_path / "again.xlsx", "sxufe/120203K@2017", "sxufe/120203K@2024",
                "--root", tree).exit_code == 0
    assert [(s.name, s.rows) for s in read_sheets(tmp_path / "again.xlsx")] == \
        [(s.name, s.rows) for s in read_sheets(SAMPLE_XLSX)]


def test_a_plan_file_is_overwritten_only_when_asked(tmp_path):
    tree = copy_tree(tmp_path)
    before = (tree / PLANS[0]).read_bytes()
    result = sxzk("import", SAMPLE_CSV, "--root", tree)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"sxufe-120203K-2017.csv: sheet sxufe-120203K-2017, row 5, column B (版本): {PLANS[0]} exists already "
        "(import with --replace to overwrite it with this sheet)")
    assert (tree / PLANS[0]).read_bytes() == before


def test_every_broken_cell_is_named_and_nothing_is_written(tmp_path):
    tree = copy_tree(tmp_path)
    before = {rel: (tree / rel).read_bytes() for rel in (PLANS[0], "curricula/catalogue.yaml")}
    text = SAMPLE_CSV.read_text(encoding="utf-8-sig")
    text = text.replace("00149,国际贸易理论与实务", "00194,国际贸易理论与实务")  # two digits swapped
    text = text.replace("00158,资产评估,4,", "00158,资产评估,四,")
    broken = tmp_path / "sxufe-120203K-2017.csv"
    broken.write_text(text, encoding="utf-8")
    result = sxzk("import", broken, "--root", tree, "--replace")
    assert result.exit_code == 1
    sheet = "sxufe-120203K-2017.csv: sheet sxufe-120203K-2017"
    assert result.stdout.splitlines() == [
        f"{sheet}, row {row_of(text, '8,00158')}, column D 学分: 学分 must be a whole number, found '四'",
        f"{sheet}, row {row_of(text, '13,00194')}, column B 课程代码: 00194 is not in the catalogue, but "
        "国际贸易理论与实务 is, as 00149 (a mistyped code? write 00149)"]
    assert result.stderr == "2 problem(s); nothing written\n"
    assert {rel: (tree / rel).read_bytes() for rel in before} == before


def test_what_the_rules_loader_finds_is_named_by_cell_too(tmp_path):
    tree = copy_tree(tmp_path)
    text = SAMPLE_CSV.read_text(encoding="utf-8-sig").replace(",任选一门,elective", ",任选三门,elective")
    broken = tmp_path / "plan.csv"
    broken.write_text(text, encoding="utf-8")
    result = sxzk("import", broken, "--root", tree, "--replace", "--check")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"plan.csv: sheet plan, row {row_of(text, '13,00149')}, column F 备注: groups[0].pick: picks 3 of only 2 courses")


def test_a_new_plan_adds_its_new_courses_to_the_catalogue(tmp_path):
    tree = copy_tree(tmp_path)
    # a fictitious major with nothing on file: every shipped major has a plan or a no_plan marker
    majors = tree / "curricula/majors.yaml"
    majors.write_text(majors.read_text(encoding="utf-8") + FICTITIOUS_MAJOR, encoding="utf-8")
    table = tmp_path / "english.csv"
    table.write_text("\n".join([
        "主考学校,山西大学", "专业代码,050299", "专业名称,英语写作", "层次,专升本", "版本,2024", "生效日期,2024-01-01",
        "最低学分,10", "来源,REFERENCE PLAN (test)", "",
        "序号,课程代码,课程名称,学分,考试类型,备注",
        "1,03708,中国近现代史纲要,2,统考,", "2,99001,英语写作（测试）,6,省考,", "2,99002,英语写作（测试）（实践）,2,实践,",
        "3,99003,英语翻译,4,统考,任选一门", "3,99004,英语口译,4,统考,任选一门", "4,99005,英语毕业论文,0,论文,"]),
        encoding="utf-8")
    result = sxzk("import", table, "--root", tree)
    assert result.exit_code == 0, result.output
    assert "curricula/catalogue.yaml: 5 course(s) added (99001, 99002, 99003, 99004, 99005)" in result.output
    bundle = load_bundle(tree)
    [plan] = bundle.plans_for("sxu", "050299")
    assert plan.required == ("03708", "99001", "99002") and plan.thesis == "99005"
    assert [(g.id, g.name, g.pick, g.courses) for g in plan.groups] == [
        ("item-3", "第3项（任选一门）", 1, ("99003", "99004"))]
    assert bundle.catalogue["99002"].theory == "99001" and not bundle.catalogue["99001"].national
    shutil.rmtree(tree)


def test_a_plan_for_a_major_marked_as_having_none_is_refused_until_the_marker_goes(tmp_path):
    tree = copy_tree(tmp_path)
    assert load_bundle(tree).major("sxu", "020101").no_plan
    table = tmp_path / "economics.csv"
    table.write_text("\n".join([
        "主考学校,山西大学", "专业代码,020101", "专业名称,经济学", "层次,专升本", "版本,2024", "生效日期,2024-01-01",
        "最低学分,2", "来源,REFERENCE PLAN (test)", "", "序号,课程代码,课程名称,学分,考试类型,备注",
        "1,03708,中国近现代史纲要,2,统考,", "2,99005,经济学毕业论文,0,论文,"]), encoding="utf-8")
    catalogue = (tree / "curricula/catalogue.yaml").read_bytes()
    result = sxzk("import", table, "--root", tree)
    assert result.exit_code == 1
    assert "majors[3].no_plan: sxu/020101 has a plan under curricula/plans/, so it cannot be marked as having none" \
        in result.stdout
    assert not (tree / "curricula/plans/sxu/020101-2024.yaml").exists()
    assert (tree / "curricula/catalogue.yaml").read_bytes() == catalogue
    majors = tree / "curricula/majors.yaml"
    text = majors.read_text(encoding="utf-8")
    at = text.index("    no_plan:", text.index('code: "020101"'))
    majors.write_text(text[:at] + "    note:" + text[at + len("    no_plan:"):], encoding="utf-8")
    assert sxzk("import", table, "--root", tree).exit_code == 0
    assert load_bundle(tree).plans_for("sxu", "020101")


def test_the_walkthrough_of_docs_tools_md_as_written(tmp_path, monkeypatch):
    """Its commands, run on a copy of the rules standing for /srv/rules-draft, print what it shows."""
    doc = (ROOT / "docs/tools.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Walkthrough: a plan as a spreadsheet"):doc.index("## Every command")]
    tree = copy_tree(tmp_path)
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```console\n(.*?)```", section, re.S)
    ran = 0
    for block in blocks:
        for command in block.split("$ ")[1:]:
            line, *shown = command.rstrip("\n").splitlines()
            if not line.startswith("sxzk plans "):
                continue
            args = shlex.split(line.replace("/tmp/", f"{tmp_path}/").replace("/srv/rules-draft", str(tree)))[2:]
            result = sxzk(*args)
            assert result.output.splitlines() == [s.replace("/tmp/", f"{tmp_path}/") for s in shown], line
            ran += 1
    assert ran == 3
    assert (tmp_path / "120203K-2017.csv").read_bytes() == SAMPLE_CSV.read_bytes()


@pytest.mark.parametrize("table", SOURCE_TABLES, ids=lambda p: p.stem)
def test_each_shipped_reference_plan_is_what_the_import_of_its_source_table_writes(tmp_path, table):
    """The published tables typed as printed (笔试, 任选一门 on the rows of one 序号, 毕业论文 不计学分): importing
    one into the rules without its plan writes the shipped plan byte for byte, with its REFERENCE PLAN mark."""
    university, major, edition = table.stem.split("-")
    plan_path = f"curricula/plans/{university}/{major}-{edition}.yaml"
    tree = copy_tree(tmp_path)
    (tree / plan_path).unlink()
    catalogue = (tree / "curricula/catalogue.yaml").read_bytes()
    result = sxzk("import", table, "--root", tree)
    assert result.exit_code == 0, result.output
    assert (tree / plan_path).read_bytes() == (ROOT / plan_path).read_bytes()
    assert (tree / "curricula/catalogue.yaml").read_bytes() == catalogue  # its courses are shipped already
    [plan] = [p for p in load_bundle(tree).plans_for(university, major) if p.edition == edition]
    assert plan.source.startswith("REFERENCE PLAN, not Shanxi's own") and plan.thesis


def test_the_journalism_table_as_printed_groups_item_3():
    bundle = load_bundle(ROOT)
    [plan] = bundle.plans_for("sxu", "050301")
    assert [(g.id, g.name, g.pick, g.courses) for g in plan.groups] == [
        ("item-3", "第3项（任选一门）", 1, ("13000", "14970"))]
    assert len(plan.required) == 13 and plan.thesis == "10209" and plan.min_credits == 71
    assert bundle.catalogue["10209"].kind == "thesis" and bundle.catalogue["10209"].credits == 0


def test_the_reference_plans_come_back_unchanged_through_an_exported_workbook(tmp_path):
    """Export every plan imported from a table (xlsx) and import it again: no file changes (13161's
    requires_passed goes out as 备注 通过本专业8门及以上课程方可报考 and comes back)."""
    tree = copy_tree(tmp_path)
    imported = [f"{t.stem.split('-')[0]}/{t.stem.split('-')[1]}@{t.stem.split('-')[2]}" for t in SOURCE_TABLES]
    workbook = tmp_path / "plans.xlsx"
    assert sxzk("export", workbook, *imported, "--root", tree).exit_code == 0
    result = sxzk("import", workbook, "--root", tree, "--replace")
    assert result.exit_code == 0, result.output
    for path in [*(p for p in (ROOT / "curricula").rglob("*.yaml"))]:
        rel = path.relative_to(ROOT)
        if rel.parts[1] != "plans" or any(rel.stem == f"{t.stem.split('-', 1)[1]}" for t in SOURCE_TABLES):
            assert (tree / rel).read_bytes() == path.read_bytes(), rel


def test_a_new_practical_without_a_theory_course_must_say_what_opens_it(tmp_path):
    tree = copy_tree(tmp_path)
    majors = tree / "curricula/majors.yaml"
    majors.write_text(majors.read_text(encoding="utf-8") + FICTITIOUS_MAJOR, encoding="utf-8")
    rows = ["主考学校,山西大学", "专业代码,050299", "专业名称,英语写作", "层次,专升本", "版本,2024", "生效日期,2024-01-01",
            "最低学分,6", "来源,REFERENCE PLAN (test)", "", "序号,课程代码,课程名称,学分,考试类型,备注",
            "1,03708,中国近现代史纲要,2,统考,", "2,99006,写作工作坊（实践）,4,实践,{remark}"]
    table = tmp_path / "practical.csv"
    table.write_text("\n".join(rows).replace("{remark}", ""), encoding="utf-8")
    refused = sxzk("import", table, "--root", tree)
    assert refused.exit_code == 1
    assert refused.stdout.startswith("practical.csv: sheet practical, row 12, column A 序号: practical 99006 is new")
    assert "独立实践，无先修要求" in refused.stdout
    table.write_text("\n".join(rows).replace("{remark}", "独立实践，无先修要求"), encoding="utf-8")
    assert sxzk("import", table, "--root", tree).exit_code == 0
    assert load_bundle(tree).catalogue["99006"].requires_passed == 0
