"""`sxzk plans import`: a 专业考试计划 table (``plan_sheets``' layout) into a plan YAML and catalogue additions.

Nothing is written unless the whole tree, with the new files in place, passes the
checks of `sxzk check`; every problem is named by sheet, row and column.  The YAML
is generated line by line, each line remembering the cell it came from, so a
problem the curriculum loader finds on a line is reported at that cell.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from service.rules.loader import COURSE_CODE
from service.tools.checking import check_tree
from service.tools.plans.export import PRACTICAL_REMARK, REQUIRES_PASSED, STANDALONE
from service.tools.plans.sheets import COLUMNS, HEADER, Sheet, column_letter, read_sheets

CATALOGUE = "curricula/catalogue.yaml"
REQUIRED_HEADER = ("主考学校", "专业代码", "专业名称", "层次", "版本", "生效日期", "最低学分", "来源")
REQUIRED_COLUMNS = ("课程代码", "课程名称", "学分", "考试类型")
# 考试类型 → (kind, national); the published tables' own words are accepted too
EXAM_TYPES = {"统考": ("theory", True), "笔试": ("theory", True), "省考": ("theory", False),
              "实践": ("practical", False), "实践考核": ("practical", False),
              "论文": ("thesis", False), "毕业论文": ("thesis", False)}
NUMERALS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
PICK = re.compile(r"任选([一两二三四五六七八九]|\d+)门")
MIN_CREDITS = re.compile(r"(?:至少|不少于)(\d+)学分")


@dataclass(frozen=True)
class SheetProblem:
    file: str
    sheet: str
    row: int | None
    column: str | None  # "B 课程代码"
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}: sheet {self.sheet}"
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}" + (f" ({self.hint})" if self.hint else "")


@dataclass
class Imported:
    """What one file's import would write, and every problem found on the way."""

    plans: dict[str, str] = field(default_factory=dict)  # relative path -> YAML text
    catalogue: str | None = None  # the whole new catalogue.yaml, None when nothing is added
    added: list[str] = field(default_factory=list)  # course codes added to the catalogue
    problems: list = field(default_factory=list)  # SheetProblem, or the tree's own Problem


class _Lines:
    """YAML text built line by line, each line with the cell (row, column) it came from."""

    def __init__(self):
        self.lines: list[str] = []
        self.origins: list[tuple[int, int] | None] = []

    def add(self, text: str, origin=None) -> None:
        self.lines.append(text)
        self.origins.append(origin)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def q(value) -> str:
    """A YAML scalar that reads back as exactly this text (JSON strings are YAML)."""
    return json.dumps(str(value), ensure_ascii=False)


class _SheetReader:
    def __init__(self, file: str, sheet: Sheet, universities: dict, catalogue: dict):
        self.file, self.sheet = file, sheet
        self.universities, self.catalogue = universities, catalogue
        self.problems: list[SheetProblem] = []
        self.header: dict[str, tuple[int, object]] = {}  # label -> (row, value)
        self.sources: list[list] = []  # [title row, title, link row, link]
        self.groups: dict[str, tuple[int, str]] = {}  # id -> (row, name)
        self.columns: dict[str, int] = {}
        self.table_row = 0

    def bad(self, row, col, message, hint=None, name=None):
        label = None
        if col:
            label = f"{column_letter(col)} {name or self._column_name(row, col)}".strip()
        self.problems.append(SheetProblem(self.file, self.sheet.name, row, label, message, hint))

    def _column_name(self, row, col) -> str:
        if self.table_row and row and row > self.table_row:
            return next((n for n, c in self.columns.items() if c == col), "")
        label = self.sheet.cell(row, 1) if row else None
        return f"({label})" if label and col > 1 else ""

    # --- header and table layout ---------------------------------------------------

    def read_header(self) -> None:
        for r in range(1, len(self.sheet.rows) + 1):
            label = self.sheet.cell(r, 1)
            if label is None:
                continue
            label = str(label).strip()
            if label == COLUMNS[0] or label in COLUMNS[1:] and self.sheet.cell(r, 2) in COLUMNS:
                self.table_row = r
                break
            if label not in HEADER:
                self.bad(r, 1, f"unknown header {label!r}", "allowed: " + "、".join(HEADER), name="")
            elif label == "来源":
                self.sources.append([r, self.sheet.cell(r, 2), None, None])
            elif label == "来源链接":
                if not self.sources:
                    self.bad(r, 1, "来源链接 comes after the 来源 it belongs to", name="")
                else:
                    self.sources[-1][2:] = [r, self.sheet.cell(r, 2)]
            elif label == "课程组":
                gid, name = self.sheet.cell(r, 2), self.sheet.cell(r, 3)
                if gid is None or name is None:
                    self.bad(r, 2, "a 课程组 row gives the group's id (B) and its name (C)")
                else:
                    self.groups[str(gid).strip()] = (r, str(name).strip())
            elif label in self.header:
                self.bad(r, 1, f"{label} is given twice (first in row {self.header[label][0]})", name="")
            else:
                self.header[label] = (r, self.sheet.cell(r, 2))
        for label in REQUIRED_HEADER:
            if label == "来源" and self.sources:
                continue
            if label not in self.header or self.header[label][1] is None:
                row = self.header.get(label, (None,))[0]
                self.bad(row, 2 if row else None, f"the plan's header has no {label}",
                         f"add a row: {label} in column A, its value in column B")
        if not self.table_row:
            self.bad(None, None, "no course table: a row headed " + " | ".join(COLUMNS) + " is missing")
            return
        for c, value in enumerate(self.sheet.rows[self.table_row - 1], start=1):
            if value is not None and str(value).strip():
                name = str(value).strip()
                if name not in COLUMNS:
                    self.bad(self.table_row, c, f"unknown column {name!r}", "allowed: " + "、".join(COLUMNS), name="")
                self.columns.setdefault(name, c)
        for name in REQUIRED_COLUMNS:
            if name not in self.columns:
                self.bad(self.table_row, None, f"the course table has no column {name}")

    # --- values --------------------------------------------------------------------

    def value(self, label):
        return self.header.get(label, (None, None))[1]

    def text(self, row, col):
        value = self.sheet.cell(row, col) if col else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return None if value is None else str(value).strip()

    def number(self, row, col, what) -> int | None:
        value = self.sheet.cell(row, col) if col else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        self.bad(row, col, f"{what} must be a whole number, found {value!r}" if value is not None else f"{what} is empty")
        return None

    def code(self, row, col) -> str | None:
        value = self.sheet.cell(row, col)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100000:
            return f"{value:05d}"  # Excel drops the leading zeros of a code typed as a number
        value = None if value is None else str(value).strip()
        if value is None or not COURSE_CODE.match(value):
            self.bad(row, col, f"a course code is 5 digits, found {value!r}")
            return None
        return value

    def date(self, label) -> dt.date | None:
        row, value = self.header.get(label, (None, None))
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.bad(row, 2, f"a date is written YYYY-MM-DD, found {value!r}")
            return None

    def university(self) -> str | None:
        row, value = self.header.get("主考学校", (None, None))
        if value is None:
            return None
        value = str(value).strip()
        for slug, entry in self.universities.items():
            if value in (slug, entry.get("name") if isinstance(entry, dict) else None):
                return slug
        names = "、".join(str(e.get("name")) for e in self.universities.values() if isinstance(e, dict))
        self.bad(row, 2, f"{value!r} is not an examining university of curricula/universities.yaml", names)
        return None

    # --- the course table ----------------------------------------------------------

    def courses(self) -> list[dict]:
        col = self.columns
        out = []
        for r in range(self.table_row + 1, len(self.sheet.rows) + 1):
            if not any(v is not None and str(v).strip() for v in self.sheet.rows[r - 1]):
                continue
            before = len(self.problems)
            row = {"row": r, "number": self.text(r, col.get("序号")), "remark": self.text(r, col.get("备注")) or "",
                   "group": self.text(r, col.get("课程组"))}
            row["code"] = self.code(r, col["课程代码"])
            row["name"] = self.text(r, col["课程名称"])
            if not row["name"]:
                self.bad(r, col["课程名称"], "the course has no name")
            row["credits"] = self.number(r, col["学分"], "学分")
            kind = self.text(r, col["考试类型"])
            if kind is None and PRACTICAL_REMARK in row["remark"]:
                kind = "实践"
            if kind not in EXAM_TYPES:
                self.bad(r, col["考试类型"], f"unknown 考试类型 {kind!r}", "allowed: " + "、".join(EXAM_TYPES))
            else:
                row["kind"], row["national"] = EXAM_TYPES[kind]
            if len(self.problems) == before:
                out.append(row)
        return out

    def rule(self, row) -> tuple[str, int] | None:
        m = PICK.search(row["remark"])
        if m:
            n = m.group(1)
            return "pick", int(n) if n.isdigit() else NUMERALS[n]
        m = MIN_CREDITS.search(row["remark"])
        return ("min_credits", int(m.group(1))) if m else None


def import_file(root: Path, path: Path, *, replace: bool = False) -> Imported:
    """Read ``path`` and build what it would write under ``root``; nothing is written here."""
    from service.rules.loader import read_files
    from service.tools.plans.sheets import SheetFileError

    result = Imported()
    name = path.name
    try:
        sheets = read_sheets(path)
    except SheetFileError as exc:
        result.problems.append(SheetProblem(name, "-", None, None, str(exc)))
        return result
    files = read_files(root)
    universities = dict(files["curricula/universities.yaml"]["universities"])
    catalogue = dict(files[CATALOGUE]["courses"])
    base = (root / CATALOGUE).read_text(encoding="utf-8")
    additions = _Lines()
    origins: dict[str, tuple] = {}  # relative path -> (lines, reader, line offset)
    new_courses: dict[str, tuple] = {}
    for sheet in sheets:
        reader = _SheetReader(name, sheet, universities, catalogue)
        built = _build(reader, catalogue, new_courses, additions)
        if built is not None:
            rel, lines = built
            if rel in result.plans:
                reader.bad(None, None, f"another sheet is the same plan ({rel})")
            elif (root / rel).exists() and not replace:
                reader.bad(reader.header["版本"][0], 2, f"{rel} exists already",
                           "import with --replace to overwrite it with this sheet")
            result.plans[rel] = lines.text()
            origins[rel] = (lines, reader, 0)
        result.problems += reader.problems
    if result.problems:
        return result
    if additions.lines:
        text = base if base.endswith("\n") else base + "\n"
        offset = text.count("\n")
        result.catalogue = text + additions.text()
        result.added = sorted(new_courses)
        origins[CATALOGUE] = (additions, new_courses, offset)
    overrides = dict(result.plans)
    if result.catalogue is not None:
        overrides[CATALOGUE] = result.catalogue
    report = check_tree(root, overrides=overrides)
    result.problems += [_at_cell(p, origins) for p in report.problems]
    return result


def _at_cell(problem, origins):
    """A problem of a generated file, named by the sheet cell its line came from."""
    if problem.file not in origins:
        return problem  # the tree's own: reported as `sxzk check` does
    lines, owner, offset = origins[problem.file]
    index = (problem.line or 0) - 1 - offset
    origin = lines.origins[index] if 0 <= index < len(lines.origins) else None
    if problem.file == CATALOGUE:  # additions come from several sheets: each line names its reader
        reader = origin[2] if origin else None
        origin = origin[:2] if origin else None
    else:
        reader = owner
    if reader is None:
        return problem
    message = f"{problem.field}: {problem.message}"
    if origin is None:
        return SheetProblem(reader.file, reader.sheet.name, None, None, message, problem.hint)
    row, col = origin
    label = f"{column_letter(col)} {reader._column_name(row, col)}".strip()
    return SheetProblem(reader.file, reader.sheet.name, row, label, message, problem.hint)


def _build(reader: _SheetReader, catalogue: dict, new_courses: dict, additions: _Lines):
    reader.read_header()
    if reader.problems:  # without the header's values and the table's columns no row can be read
        return None
    uni = reader.university()
    major = reader.text(reader.header["专业代码"][0], 2)
    edition = reader.text(reader.header["版本"][0], 2)
    start, until = reader.date("生效日期"), reader.date("失效日期")
    min_credits = reader.number(reader.header["最低学分"][0], 2, "最低学分")
    rows = reader.courses()  # a row with a bad cell is left out; the others are still checked
    required, groups, theses = [], {}, []
    by_number = {}
    for row in rows:
        if row["kind"] == "theory" and row["number"]:
            by_number.setdefault(row["number"], row["code"])
    for row in rows:
        _catalogue_entry(reader, row, catalogue, new_courses, additions, by_number)
        rule = reader.rule(row)
        gid = row["group"] or (f"item-{row['number']}" if rule and row["number"] else None)
        if row["kind"] == "thesis":
            theses.append(row)
        elif gid:
            groups.setdefault(gid, []).append((row, rule))
        else:
            required.append(row)
    if len(theses) > 1:
        reader.bad(theses[1]["row"], reader.columns["考试类型"], f"a plan has one thesis (row {theses[0]['row']} is one)")
    lines = _Lines()
    h = reader.header
    uni_name = reader.universities.get(uni, {}).get("name", uni) if uni else ""
    lines.add(f"# {uni_name} {major} {reader.value('专业名称')}（{reader.value('层次')}）, edition {q(edition)}: "
              "imported by `sxzk plans import`;")
    lines.add("# edit the 专业考试计划 table (`sxzk plans export`) and import it again rather than this file.")
    lines.add(f"university: {uni}", (h["主考学校"][0], 2))
    lines.add(f"major: {q(major)}", (h["专业代码"][0], 2))
    lines.add(f"name: {q(reader.value('专业名称'))}", (h["专业名称"][0], 2))
    lines.add(f"level: {q(reader.value('层次'))}", (h["层次"][0], 2))
    lines.add(f"edition: {q(edition)}", (h["版本"][0], 2))
    lines.add("effective:", (h["生效日期"][0], 2))
    lines.add(f"  from: {start.isoformat() if start else q(reader.value('生效日期'))}", (h["生效日期"][0], 2))
    if "失效日期" in h and h["失效日期"][1] is not None:
        lines.add(f"  until: {until.isoformat() if until else q(h['失效日期'][1])}", (h["失效日期"][0], 2))
    _source(lines, reader.sources)
    lines.add(f"min_credits: {min_credits}", (h["最低学分"][0], 2))
    lines.add("required:" + ("" if required else " []"), (reader.table_row, reader.columns["课程代码"]))
    for row in required:
        lines.add(f"  - {q(row['code'])}", (row["row"], reader.columns["课程代码"]))
    if groups:
        lines.add("groups:")
    for gid, members in groups.items():
        _group(reader, lines, gid, members)
    if theses:
        lines.add(f"thesis: {q(theses[0]['code'])}", (theses[0]["row"], reader.columns["课程代码"]))
    if "说明" in h and h["说明"][1] is not None:
        lines.add(f"note: {q(h['说明'][1])}", (h["说明"][0], 2))
    if reader.problems or not uni:
        return None
    return f"curricula/plans/{uni}/{major}-{edition}.yaml", lines


def _source(lines: _Lines, sources: list) -> None:
    entries = [s for s in sources if s[1] is not None]
    if len(entries) == 1 and entries[0][3] is None:
        lines.add(f"source: {q(entries[0][1])}", (entries[0][0], 2))
        return
    lines.add("source:", (entries[0][0], 2) if entries else None)
    for title_row, title, link_row, link in entries:
        lead, indent = ("  ", "  ") if len(entries) == 1 else ("  - ", "    ")
        lines.add(f"{lead}title: {q(title)}", (title_row, 2))
        if link is not None:
            lines.add(f"{indent}reference: {q(link)}", (link_row, 2))


def _group(reader: _SheetReader, lines: _Lines, gid: str, members: list) -> None:
    first, rule = members[0]
    remark_col = reader.columns.get("备注")
    for row, other in members[1:]:
        if other != rule:
            reader.bad(row["row"], remark_col, f"the rows of group {gid} disagree on its rule "
                       f"(row {first['row']}: {first['remark'] or 'none'})")
    name_row, name = reader.groups.get(gid, (None, None))
    if name is None:
        name = f"第{first['number']}项（{first['remark']}）" if first["number"] else f"{gid}（{first['remark']}）"
    lines.add(f"  - id: {q(gid)}", (name_row, 2) if name_row else (first["row"], reader.columns.get("课程组") or 1))
    lines.add(f"    name: {q(name)}", (name_row, 3) if name_row else (first["row"], remark_col))
    if rule is None:
        reader.bad(first["row"], remark_col, f"group {gid} has no rule in 备注",
                   "write 任选一门 (任选N门) or 至少N学分")
    else:
        lines.add(f"    {rule[0]}: {rule[1]}", (first["row"], remark_col))
    lines.add("    courses:", (first["row"], reader.columns["课程代码"]))
    for row, _ in members:
        lines.add(f"      - {q(row['code'])}", (row["row"], reader.columns["课程代码"]))


def _catalogue_entry(reader, row, catalogue, new_courses, additions: _Lines, by_number) -> None:
    """Check a row against the catalogue, or add its course to it."""
    code, col = row["code"], reader.columns
    known = catalogue.get(code)
    if isinstance(known, dict):
        for key, column, mine in (("name", "课程名称", row["name"]), ("credits", "学分", row["credits"]),
                                  ("kind", "考试类型", row["kind"])):
            if known.get(key) != mine:
                reader.bad(row["row"], col[column], f"the catalogue has {code} {known.get('name')} with {key} "
                           f"{known.get(key)!r}, the table {mine!r}",
                           "a course code names one course everywhere: correct the table or the catalogue")
        if row["kind"] == "theory" and known.get("national", True) != row["national"]:
            reader.bad(row["row"], col["考试类型"], f"the catalogue has {code} as "
                       f"{'统考' if known.get('national', True) else '省考'}")
        return
    same_name = [c for c, e in catalogue.items() if isinstance(e, dict) and e.get("name") == row["name"]]
    if same_name:
        reader.bad(row["row"], col["课程代码"], f"{code} is not in the catalogue, but {row['name']} is, as "
                   f"{same_name[0]}", f"a mistyped code? write {same_name[0]}")
        return
    theory = requires = None
    if row["kind"] == "practical":
        theory = by_number.get(row["number"])
        # a practical without a theory course (英语听力与口译) is open once enough plan courses are passed,
        # which its 备注 says as the published tables print it (通过本专业8门及以上课程方可报考)
        m = REQUIRES_PASSED.search(row["remark"])
        if theory is None and m:
            requires = int(m.group(1)) if m.group(1).isdigit() else NUMERALS[m.group(1)]
        elif theory is None and STANDALONE in row["remark"]:
            requires = 0
        elif theory is None:
            reader.bad(row["row"], col.get("序号"), f"practical {code} is new: give it the 序号 of its theory "
                       "course, as the published tables do, or, for a practical without one, say in 备注 how many "
                       "plan courses must be passed first (通过本专业N门及以上课程) or that none need be ("
                       f"{STANDALONE})", name="序号")
            return
    entry = (row["name"], row["credits"], row["kind"], theory, row["national"], requires)
    if code in new_courses:
        if new_courses[code][0] != entry:
            reader.bad(row["row"], col["课程代码"], f"{code} is new and another row describes it differently")
        return
    if not any(len(origin) == 3 and origin[2] is reader for origin in additions.origins if origin):
        additions.add(f"  # --- from `sxzk plans import`, sheet {reader.sheet.name}: the source of its plan ---")
    new_courses[code] = (entry,)
    r = row["row"]
    additions.add(f"  {q(code)}:", (r, col["课程代码"], reader))
    additions.add(f"    name: {q(row['name'])}", (r, col["课程名称"], reader))
    additions.add(f"    credits: {row['credits']}", (r, col["学分"], reader))
    additions.add(f"    kind: {row['kind']}", (r, col["考试类型"], reader))
    if theory:
        additions.add(f"    theory: {q(theory)}", (r, col.get("序号") or col["课程代码"], reader))
    if requires is not None:
        additions.add(f"    requires_passed: {requires}", (r, col.get("备注") or col["课程代码"], reader))
    if not row["national"]:
        additions.add("    national: false", (r, col["考试类型"], reader))
