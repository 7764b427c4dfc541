"""Importing candidates and their course results from the authority's records (CSV or JSON).

All or nothing: every row is validated first and every bad row is reported with
its line and field; only a file without problems is written, in one transaction.
Importing a candidate again replaces their contact details and course results
(the record system is the source of truth) but never their identity once it is
verified: name, ID number and gender are then corrected at the county office.

Formats (see docs/workflow-candidates.md):
- JSON: a list of candidate objects, or ``{"candidates": [...]}`` (``about`` and
  ``demo`` keys are allowed beside it and ignored here); each candidate has
  ``exam_number, name, id_number, gender, district, phone, enrolled`` and
  ``courses: [{code, name, credits, score, date, source}]`` and, optionally,
  ``sanctions: [{from, until, reason, document_no}]`` (延迟毕业: added, never removed).
- CSV (UTF-8, header row): one row per course result, the candidate's columns
  repeated on each of their rows; a candidate without results has one row with
  the course columns empty.  Columns: CSV_COLUMNS.
"""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from service import clock, idnumber
from service.candidates import events as candidate_events
from service.decisions.schemas import SCORE
from service.errors import N_, InvalidInput, Msg
from service.reference import districts
from service.rules.inputs import SOURCES
from service.sanctions import records as sanction_records
from service.sanctions.schemas import SanctionSchema
from service.store.db import write_transaction
from service.web.schemas import COURSE_CODE, EXAM_NUMBER, GENDER, Exact, StrictSchema, id_number, person_name
from service.yamlreader import LineDict, LineList, flatten, line_of, locate

CANDIDATE_COLUMNS = ("exam_number", "name", "id_number", "gender", "district", "phone", "enrolled")
COURSE_COLUMNS = ("course_code", "course_name", "credits", "score", "date", "source")
CSV_COLUMNS = CANDIDATE_COLUMNS + COURSE_COLUMNS
OPTIONAL_COLUMNS = ("suspended",)  # CSV columns that may be left out (default: not suspended)
# CSV column of each course field (JSON uses the field names themselves)
_CSV_NAME = {"code": "course_code", "name": "course_name"}
PHONE = Exact(r"^1[3-9][0-9]{9}$", error=N_("a mobile number is 11 digits: 1, then 3-9, then 9 digits"))
FIRST_SITTING = dt.date(1981, 1, 1)  # self-study examinations began in 1981: no result is older
MAX_COURSES = 300
TRUE, FALSE = ("1", "true", "yes", "是", "在籍"), ("0", "false", "no", "否", "新考生")


@dataclass
class Row:
    """One candidate as read from a file: the data, the line it starts on, and the line of each part."""

    data: dict
    line: int | None = None
    csv: bool = False
    course_lines: list[int] = field(default_factory=list)  # CSV: the line of each course result


# --- reading files ---------------------------------------------------------------

def parse_file(text: str) -> list[Row]:
    """Rows of a CSV or JSON file, told apart by content; a file that cannot be read at all is 422."""
    if text.startswith("\ufeff"):  # a byte-order mark, as Excel writes UTF-8
        text = text[1:]
    if not text.strip():
        raise InvalidInput("the file is empty", fields={"file": [N_("no candidates in it")]})
    if text.lstrip()[:1] in ("[", "{"):
        return _parse_json(text)
    return _parse_csv(text)


def _parse_json(text: str) -> list[Row]:
    try:
        doc = _JsonWithLines(text).document()
    except json.JSONDecodeError as exc:
        raise InvalidInput(Msg("the file is not valid JSON: line %(line)d: %(problem)s", line=exc.lineno, problem=exc.msg),
                           fields={f"line {exc.lineno}": {"(json)": [exc.msg]}}) from None
    items = doc
    if isinstance(doc, dict):
        unknown = sorted(set(doc) - {"candidates", "about", "demo"})
        if "candidates" not in doc or unknown:
            raise InvalidInput("a JSON file is a list of candidates or {\"candidates\": [...]}",
                               fields={f"line {doc.line}": {"candidates": [N_("required")] if "candidates" not in doc
                                                            else [Msg("unknown key(s): %(keys)s", keys=", ".join(unknown))]}})
        items = doc["candidates"]
    if not isinstance(items, list):
        raise InvalidInput("the candidates must be a JSON list", fields={"candidates": [N_("must be a list")]})
    return [Row(item, items.lines[i]) for i, item in enumerate(items)]


def _parse_csv(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise InvalidInput("the CSV header cannot be read", fields={"line 1": {"(csv)": [str(exc)]}}) from None
    missing = [c for c in CSV_COLUMNS if c not in header]
    unknown = [c for c in header if c not in CSV_COLUMNS + OPTIONAL_COLUMNS]
    dupes = sorted({c for c in header if header.count(c) > 1})
    if missing or unknown or dupes:
        problems = ([Msg("missing column(s): %(columns)s", columns=", ".join(missing))] if missing else []) + \
                   ([Msg("unknown column(s): %(columns)s", columns=", ".join(unknown))] if unknown else []) + \
                   ([Msg("column(s) given twice: %(columns)s", columns=", ".join(dupes))] if dupes else [])
        raise InvalidInput("the CSV header is not the documented one", fields={"line 1": {"(header)": problems}},
                           columns=list(CSV_COLUMNS))
    rows: dict[str, Row] = {}
    conflicts: list[tuple[int, str, str]] = []
    order: list[Row] = []
    line = reader.line_num
    try:
        for values in reader:
            start, line = line + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                conflicts.append((start, "(row)", f"{len(values)} values for {len(header)} columns"))
                continue
            cells = dict(zip(header, (v.strip() for v in values), strict=True))
            person = {c: cells[c] for c in CANDIDATE_COLUMNS + OPTIONAL_COLUMNS if c in cells}
            person["enrolled"] = _flag(person["enrolled"])
            if "suspended" in person:
                person["suspended"] = _flag(person["suspended"] or "0")
            row = rows.get(person["exam_number"])
            if row is None:
                row = Row({**person, "courses": []}, start, csv=True)
                rows[person["exam_number"]] = row
                order.append(row)
            else:
                for c in person:
                    if row.data[c] != person[c]:
                        conflicts.append((start, c, f"differs from line {row.line} of 准考证号 {person['exam_number']}"))
            if any(cells[c] for c in COURSE_COLUMNS):
                course = {"code": cells["course_code"], "score": cells["score"], "date": cells["date"] or None,
                          "source": cells["source"] or "exam"}
                if cells["course_name"]:
                    course["name"] = cells["course_name"]
                if cells["credits"]:
                    course["credits"] = int(cells["credits"]) if cells["credits"].isdigit() else cells["credits"]
                row.data["courses"].append(course)
                row.course_lines.append(start)
    except csv.Error as exc:
        conflicts.append((line + 1, "(csv)", str(exc)))
    if conflicts:
        # a file whose rows disagree cannot be validated row by row: report these first
        raise _problems_error([{"line": n, "field": f, "message": m} for n, f, m in conflicts])
    return order


def _flag(value: str):
    low = value.strip().lower()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    return value  # the schema reports it


class _JsonWithLines:
    """Standard JSON into LineDict / LineList carrying the line of every key and item.

    The stdlib decoder keeps no positions; this walks containers itself and lets
    ``json`` decode the scalars, so a problem can name its line in the file.
    Duplicate keys are remembered on the object (the row is then refused).
    """

    _WS = re.compile(r"[ \t\n\r]*")

    def __init__(self, text: str):
        self.s = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.decoder = json.JSONDecoder()

    def line(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def document(self):
        value, end = self.value(0)
        end = self._WS.match(self.s, end).end()
        if end != len(self.s):
            raise json.JSONDecodeError("Extra data", self.s, end)
        return value

    def value(self, i: int):
        i = self._WS.match(self.s, i).end()
        c = self.s[i:i + 1]
        if c == "{":
            return self.obj(i)
        if c == "[":
            return self.arr(i)
        return self.decoder.raw_decode(self.s, i)

    def obj(self, start: int):
        out = LineDict()
        out.line, out.lines, out.duplicates = self.line(start), {}, []
        i = self._WS.match(self.s, start + 1).end()
        if self.s[i:i + 1] == "}":
            return out, i + 1
        while True:
            if self.s[i:i + 1] != '"':
                raise json.JSONDecodeError("Expecting property name enclosed in double quotes", self.s, i)
            key_line = self.line(i)
            key, i = json.decoder.scanstring(self.s, i + 1)
            i = self._WS.match(self.s, i).end()
            if self.s[i:i + 1] != ":":
                raise json.JSONDecodeError("Expecting ':' delimiter", self.s, i)
            value, i = self.value(i + 1)
            if key in out:
                out.duplicates.append((key, key_line))
            out[key], out.lines[key] = value, key_line
            i = self._WS.match(self.s, i).end()
            c = self.s[i:i + 1]
            if c == "}":
                return out, i + 1
            if c != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", self.s, i)
            i = self._WS.match(self.s, i + 1).end()

    def arr(self, start: int):
        out = LineList()
        out.line, out.lines = self.line(start), []
        i = self._WS.match(self.s, start + 1).end()
        if self.s[i:i + 1] == "]":
            return out, i + 1
        while True:
            item_start = self._WS.match(self.s, i).end()
            value, i = self.value(item_start)
            out.append(value)
            out.lines.append(self.line(item_start))
            i = self._WS.match(self.s, i).end()
            c = self.s[i:i + 1]
            if c == "]":
                return out, i + 1
            if c != ",":
                raise json.JSONDecodeError("Expecting ',' delimiter", self.s, i)
            i += 1


# --- validating ------------------------------------------------------------------

def _district(value):
    if not districts.is_district(value):
        raise ValidationError("not a 区县 of the official list (GET /v1/districts), e.g. 太原市小店区")


def _in_the_past(value: dt.date):
    if value > clock.today():
        raise ValidationError("date is in the future")
    if value < FIRST_SITTING:
        raise ValidationError("date is before the first self-study examination (1981)")


class CourseImportSchema(StrictSchema):
    code = fields.String(required=True, validate=COURSE_CODE)
    name = fields.String(validate=validate.Length(1, 60), metadata={"description": "optional for catalogue courses"})
    credits = fields.Integer(strict=False, validate=validate.Range(0, 30),
                             metadata={"description": "optional for catalogue courses; 0 = 不计学分"})
    score = fields.String(required=True, validate=SCORE)
    date = fields.Date(required=True, validate=_in_the_past)
    source = fields.String(load_default="exam", validate=validate.OneOf(SOURCES))

    def __init__(self, *args, catalogue: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue or {}

    @validates_schema(skip_on_field_errors=False)
    def _fits(self, data, **kwargs):
        errors: dict = {}
        if data.get("score") == "免考" and data.get("source") != "exemption":
            errors["score"] = ["免考 is the score of an exemption (source: exemption)"]
        if data.get("source") == "exemption" and data.get("score") not in (None, "免考"):
            errors["score"] = ["an exemption's score is 免考"]
        course = self.catalogue.get(data.get("code"))
        if course is not None and data.get("credits") is not None and data["credits"] != course.credits:
            errors["credits"] = [f"the catalogue gives {data['code']} {course.name} {course.credits} credits"]
        if course is None and "code" in data:
            for key in ("name", "credits"):
                if data.get(key) is None:
                    errors[key] = [f"required: {data['code']} is not in the course catalogue"]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _complete(self, data, **kwargs):
        course = self.catalogue.get(data["code"])
        if course is not None:
            data.setdefault("name", course.name)
            data.setdefault("credits", course.credits)
        return data


class CandidateImportSchema(StrictSchema):
    exam_number = fields.String(required=True, validate=EXAM_NUMBER)
    name = fields.String(required=True, validate=person_name)
    id_number = fields.String(required=True, validate=id_number)
    gender = fields.String(required=True, validate=GENDER)
    district = fields.String(required=True, validate=_district)
    phone = fields.String(required=True, validate=PHONE)
    enrolled = fields.Boolean(required=True, metadata={"description": "在籍考生 (true) or 新考生 (false)"})
    suspended = fields.Boolean(load_default=False, metadata={"description": "考籍冻结"})
    courses = fields.List(fields.Raw(), load_default=list, validate=validate.Length(max=MAX_COURSES))
    sanctions = fields.List(fields.Nested(SanctionSchema), load_default=list, validate=validate.Length(max=10),
                            metadata={"description": "延迟毕业 records (JSON files only)"})

    def __init__(self, *args, catalogue: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.course_schema = CourseImportSchema(catalogue=catalogue)

    @validates_schema(skip_on_field_errors=False)
    def _gender_and_courses(self, data, **kwargs):
        errors: dict = {}
        idn, gender = data.get("id_number"), data.get("gender")
        if idn and gender and not idnumber.problems(idn, clock.today()) and idnumber.gender_of(idn) != gender:
            errors["gender"] = ["does not match the gender encoded in the ID number"]
        course_errors, seen = {}, {}
        for i, raw in enumerate(data.get("courses") or []):
            try:
                course = self.course_schema.load(raw) if isinstance(raw, dict) else None
            except ValidationError as exc:
                course_errors[i] = exc.messages
                continue
            if course is None:
                course_errors[i] = {"_schema": [N_("a course result is an object")]}
                continue
            key = (course["code"], course["date"], course["source"])
            if key in seen:
                course_errors[i] = {"code": [Msg("the same result is listed twice (also course %(n)d)", n=seen[key] + 1)]}
            seen.setdefault(key, i)
        if course_errors:
            errors["courses"] = course_errors
        if errors:
            raise ValidationError(errors)

    @post_load
    def _load_courses(self, data, **kwargs):
        data["courses"] = [self.course_schema.load(raw) for raw in data["courses"]]
        return data


def _catalogue() -> dict:
    # Callers with a running app pass the catalogue of its rulebook (the version in force);
    # without one, the catalogue of the bundle bound (or of the rules root in use).
    from service.rules import bound

    return bound.bundle().catalogue


# --- reporting -------------------------------------------------------------------

def _paths(messages):
    """marshmallow's messages with their field paths as dotted texts (``courses.0.code``)."""
    for path, message in flatten(messages):
        yield ".".join(str(part) for part in path if part != "_schema"), message


def _locate(row: Row, path: str) -> tuple[int | None, str]:
    """The file line and the field name a problem at ``path`` of ``row`` should be reported with."""
    parts = path.split(".") if path else []
    if row.csv:
        if parts[:1] == ["courses"] and len(parts) > 1 and parts[1].isdigit():
            i = int(parts[1])
            column = _CSV_NAME.get(parts[2], parts[2]) if len(parts) > 2 else "(course)"
            return (row.course_lines[i] if i < len(row.course_lines) else row.line), column
        return row.line, path or "(row)"
    here, key = locate(row.data, parts)
    return (line_of(here, key) if key is not None else None) or row.line, path or "(row)"


def _problems_error(problems: list[dict]) -> InvalidInput:
    problems = sorted(problems, key=lambda p: (p["line"] or 0, p["field"]))
    by_line: dict[str, dict[str, list[str]]] = {}
    for p in problems:
        where = f"line {p['line']}" if p["line"] else "file"
        by_line.setdefault(where, {}).setdefault(p["field"], []).append(p["message"])
    bad_lines = len(by_line)
    return InvalidInput(Msg("%(count)d problem(s) on %(lines)d line(s); nothing was imported",
                            count=len(problems), lines=bad_lines),
                        fields=by_line, problems=problems)


# --- importing -------------------------------------------------------------------

def import_candidates(db, rows, *, actor=None, catalogue: dict | None = None) -> dict:
    """Validate every row, then write them all in one transaction, or nothing (InvalidInput).

    ``rows``: what ``parse_file`` returns, or plain candidate dicts (then a problem
    names the row's position, counted from 1).  Returns counts.
    """
    from service.web.auth import Principal

    actor = actor or Principal("province", "sxzk candidates import")
    rows = [r if isinstance(r, Row) else Row(r, None) for r in rows]
    schema = CandidateImportSchema(catalogue=catalogue if catalogue is not None else _catalogue())
    problems: list[dict] = []
    loaded: list[tuple[Row, dict]] = []

    def bad(row: Row, index: int, path: str, message: str):
        line, name = _locate(row, path)
        problems.append({"line": line if line is not None else None, "row": index + 1, "field": name,
                         "message": message})

    for index, row in enumerate(rows):
        if not isinstance(row.data, dict):
            bad(row, index, "", "a candidate is an object")
            continue
        for key, line in getattr(row.data, "duplicates", []):
            problems.append({"line": line, "row": index + 1, "field": key, "message": "key given twice"})
        try:
            loaded.append((row, schema.load(row.data)))
        except ValidationError as exc:
            for path, message in _paths(exc.messages):
                bad(row, index, path, message)

    first: dict[str, tuple[int, Row]] = {}
    people: dict[str, tuple[int, Row, str]] = {}
    for index, (row, c) in enumerate(loaded):
        if c["exam_number"] in first:
            bad(row, index, "exam_number", f"准考证号 {c['exam_number']} is also on line {first[c['exam_number']][1].line}")
        first.setdefault(c["exam_number"], (index, row))
        other = people.get(c["id_number"])
        if other and other[2] != c["exam_number"]:
            bad(row, index, "id_number", f"this ID number is also 准考证号 {other[2]} (line {other[1].line}): "
                                         "merge the records before importing")
        people.setdefault(c["id_number"], (index, row, c["exam_number"]))
    for index, (row, c) in enumerate(loaded):
        for path, message in _conflicts_with_stored(db, c):
            bad(row, index, path, message)
    if problems:
        for p in problems:
            if p["line"] is None:
                p["field"] = f"row {p['row']}: {p['field']}"
        raise _problems_error([{k: v for k, v in p.items() if k != "row"} for p in problems])

    counts = {"candidates": len(loaded), "created": 0, "updated": 0, "unchanged": 0, "courses": 0, "sanctions": 0}
    now = clock.now().isoformat(timespec="seconds")
    with write_transaction(db):
        for _, c in loaded:
            outcome = _write(db, c, now, actor)
            added = [s for s in c["sanctions"]
                     if sanction_records.add(db, c["exam_number"], s, actor, source="import") is not None]
            if added and outcome == "unchanged":
                outcome = "updated"
            counts[outcome] += 1
            counts["courses"] += len(c["courses"])
            counts["sanctions"] += len(added)
    return counts


def _conflicts_with_stored(db, c: dict) -> list[tuple[str, str]]:
    out = []
    for i, sanction in enumerate(c.get("sanctions") or []):
        same = db.execute("SELECT starts, until, reason FROM candidate_sanctions WHERE exam_number = ? AND "
                          "document_no = ?", [c["exam_number"], sanction["document_no"]]).fetchone()
        if same is not None and tuple(same) != (sanction["from_"].isoformat(), sanction["until"].isoformat(),
                                                sanction["reason"]):
            out.append((f"sanctions.{i}.document_no", f"文号已登记为 {same[0]} – {same[1]}（{same[2]}）/ this document "
                                                      "is already recorded otherwise"))
    holder = db.execute("SELECT exam_number FROM candidates WHERE id_number = ?", [c["id_number"]]).fetchone()
    if holder and holder[0] != c["exam_number"]:
        out.append(("id_number", f"this ID number is already 准考证号 {holder[0]}: merge the records first"))
    stored = db.execute("SELECT name, id_number, gender, identity_status FROM candidates WHERE exam_number = ?",
                        [c["exam_number"]]).fetchone()
    verified, reviewed = _identity_fixed()
    if stored and stored[3] in verified + reviewed:
        why = ("whose identity is already verified" if stored[3] in verified
               else "whose photos a county officer is reviewing against it")
        for i, key in enumerate(("name", "id_number", "gender")):
            if stored[i] != c[key]:
                out.append((key, f"differs from the stored record, {why}: "
                                 "identity details are corrected at the county office"))
    return out


def _identity_fixed() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The statuses in which an import may not change name, ID number or gender.

    Verified ones, and those a person decides from (manual review): the officer
    compares the photos with the identity on record, which must not change
    under them.  Both come from the state table, not from names written here.
    """
    from service.identity import states as identity_states

    table = identity_states.table()
    reviewed = tuple(sorted({s.source for s in table.transitions if s.action == "manual_approve"}))
    return tuple(table.flagged("verified")), reviewed


def _course_tuple(r: dict) -> tuple:
    date = r["date"].isoformat() if isinstance(r["date"], dt.date) else r["date"]
    return (r["code"], r["name"], r["credits"], r["score"], date, r["source"])


def _write(db, c: dict, now: str, actor) -> str:
    person = (c["name"], c["id_number"], c["gender"], c["district"], c["phone"], int(c["enrolled"]),
              int(c["suspended"]))
    courses = [_course_tuple(r) for r in c["courses"]]
    stored = db.execute("SELECT name, id_number, gender, district, phone, enrolled, suspended FROM candidates "
                        "WHERE exam_number = ?", [c["exam_number"]]).fetchone()
    if stored is not None:
        before = db.execute("SELECT code, name, credits, score, date, source FROM candidate_courses "
                            "WHERE exam_number = ? ORDER BY position", [c["exam_number"]]).fetchall()
        if tuple(stored) == person and [tuple(r) for r in before] == courses:
            return "unchanged"
        db.execute("UPDATE candidates SET name = ?, id_number = ?, gender = ?, district = ?, phone = ?, enrolled = ?, "
                   "suspended = ?, updated_at = ? WHERE exam_number = ?", [*person, now, c["exam_number"]])
        db.execute("DELETE FROM candidate_courses WHERE exam_number = ?", [c["exam_number"]])
    else:
        db.execute("INSERT INTO candidates (exam_number, name, id_number, gender, district, phone, enrolled, "
                   "suspended, registered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [c["exam_number"], *person, now, now])
    for position, course in enumerate(courses, start=1):
        db.execute("INSERT INTO candidate_courses (exam_number, position, code, name, credits, score, date, source) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [c["exam_number"], position, *course])
    action = "import" if stored is None else "reimport"
    candidate_events.record(db, c["exam_number"], "record", action, actor,
                            reason=f"{len(courses)} course result(s); 报名区县 {c['district']}")
    return "created" if stored is None else "updated"

