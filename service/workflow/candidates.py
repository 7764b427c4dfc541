"""Candidates and their passed courses: import, lookup, and the identity gate.

Passed courses come from the authority's records (exam passes, exemptions,
transfers in); the import replaces a candidate's records as a whole, and a
file with any bad row imports nothing.
"""
from __future__ import annotations

import csv
import io
import json

from marshmallow import ValidationError, fields, validate, validates_schema

from .. import idnumber
from ..errors import Conflict, InvalidInput, NotFound
from ..schemas.common import CandidateSchema
from ..schemas.evaluation import RecordSchema
from ..store.db import write_transaction
from . import clock, districts

IDENTITY_STATUSES = ("unverified", "online_passed", "manual_review", "manual_passed", "rejected")
VERIFIED = ("online_passed", "manual_passed")
PHONE = validate.Regexp(r"^1[3-9]\d{9}$", error="a mainland mobile number is 11 digits starting 13-19")
CSV_COLUMNS = ("exam_number", "name", "id_number", "gender", "district", "phone", "enrolled",
               "code", "course_name", "credits", "score", "date", "source")


def _district(value):
    if not districts.is_district(value):
        raise ValidationError("not a 区县 of rulesets/workflow/districts.yaml (e.g. 太原市小店区)")


class CourseImportSchema(RecordSchema):
    name = fields.String(required=True, validate=validate.Length(1, 60))


class CandidateImportSchema(CandidateSchema):
    district = fields.String(required=True, validate=_district)
    phone = fields.String(required=True, validate=PHONE)
    enrolled = fields.Boolean(load_default=True)
    courses = fields.List(fields.Nested(CourseImportSchema), load_default=list, validate=validate.Length(max=200))

    @validates_schema(skip_on_field_errors=False)
    def _courses_unique(self, data, **kwargs):
        keys = [(c["code"], c.get("date"), c.get("source")) for c in data.get("courses") or [] if "code" in c]
        if len(keys) != len(set(keys)):
            raise ValidationError("the same course result (code, date, source) is listed twice", "courses")


def parse_file(text: str) -> list[tuple[str, dict]]:
    """(where, candidate dict) from JSON ({"candidates": [...]}) or CSV (one row per course)."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidInput("the file is not valid JSON", fields={f"line {exc.lineno}": [exc.msg]}) from None
        items = data["candidates"] if isinstance(data, dict) and "candidates" in data else data
        if not isinstance(items, list):
            raise InvalidInput("expected a list of candidates", fields={"candidates": ["must be a list"]})
        return [(f"candidates[{i}]", item) for i, item in enumerate(items)]
    return _parse_csv(text)


def _parse_csv(text: str) -> list[tuple[str, dict]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput("the CSV header lacks columns", fields={"line 1": [f"missing: {', '.join(missing)}"]})
    people: dict[str, tuple[str, dict]] = {}
    for row in reader:
        where = f"line {reader.line_num}"
        person = {k: row[k] for k in ("exam_number", "name", "id_number", "gender", "district", "phone")}
        person["enrolled"] = row["enrolled"].strip().lower() in ("1", "true", "yes", "是")
        key = row["exam_number"]
        first = people.setdefault(key, (where, {**person, "courses": []}))
        if {k: first[1][k] for k in person} != person:
            raise InvalidInput("a candidate's details differ between rows",
                               fields={where: [f"differs from {first[0]} for {key}"]})
        if row["code"]:
            first[1].setdefault("_lines", []).append(where)
            course = {"code": row["code"], "name": row["course_name"], "score": row["score"],
                      "source": row["source"] or "exam"}
            if row["date"]:
                course["date"] = row["date"]
            if row["credits"]:
                course["credits"] = int(row["credits"]) if row["credits"].isdigit() else row["credits"]
            first[1]["courses"].append(course)
    return list(people.values())


def import_candidates(db, items: list[tuple[str, dict]]) -> dict:
    """Validate every candidate, then write all of them in one transaction, or none."""
    schema, problems, loaded = CandidateImportSchema(), {}, []
    for where, item in items:
        item = dict(item)
        lines = item.pop("_lines", None)
        try:
            loaded.append(schema.load(item))
        except ValidationError as exc:
            messages = dict(exc.messages)
            course_errors = messages.pop("courses", None)
            if messages:
                problems[where] = messages
            if isinstance(course_errors, dict) and lines:  # CSV: each course problem on its own line
                for i, msgs in course_errors.items():
                    problems.setdefault(lines[int(i)], {}).update(msgs)
            elif course_errors:
                problems.setdefault(where, {})["courses"] = course_errors
    numbers = [c["exam_number"] for c in loaded]
    for dup in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.setdefault("candidates", []).append(f"准考证号 {dup} appears twice")
    if problems:
        raise InvalidInput(f"{len(problems)} bad row(s); nothing was imported", fields=problems)
    now = clock.now().isoformat(timespec="seconds")
    courses = 0
    with write_transaction(db):
        for c in loaded:
            db.execute("""INSERT INTO candidates (exam_number, name, id_number, gender, district, phone, enrolled,
                          imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                          ON CONFLICT(exam_number) DO UPDATE SET name=excluded.name, id_number=excluded.id_number,
                          gender=excluded.gender, district=excluded.district, phone=excluded.phone,
                          enrolled=excluded.enrolled, imported_at=excluded.imported_at""",
                       [c["exam_number"], c["name"], c["id_number"], c["gender"], c["district"], c["phone"],
                        int(c["enrolled"]), now])
            db.execute("DELETE FROM candidate_courses WHERE exam_number = ?", [c["exam_number"]])
            for r in c["courses"]:
                db.execute("INSERT INTO candidate_courses VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [c["exam_number"], r["code"], r["name"], r["credits"], r["score"],
                            r["date"].isoformat() if r["date"] else None, r["source"]])
                courses += 1
    return {"candidates": len(loaded), "courses": courses}


def get_candidate(db, exam_number: str) -> dict:
    row = db.execute("SELECT * FROM candidates WHERE exam_number = ?", [exam_number]).fetchone()
    if row is None:
        raise NotFound(f"no candidate {exam_number}")
    cols = [d[0] for d in db.execute("SELECT * FROM candidates LIMIT 0").description]
    out = dict(zip(cols, row, strict=True))
    out["enrolled"], out["suspended"] = bool(out["enrolled"]), bool(out["suspended"])
    return out


def masked(candidate: dict) -> dict:
    """A candidate as lists and the personal centre show it: ID number and phone masked."""
    return {**candidate, "id_number": idnumber.mask(candidate["id_number"]),
            "phone": idnumber.mask_phone(candidate["phone"])}


def transcript(db, exam_number: str) -> list[dict]:
    """Passed-course records in the shape of the evaluation request's transcript."""
    rows = db.execute("SELECT code, name, credits, score, date, source FROM candidate_courses "
                      "WHERE exam_number = ? ORDER BY date, code", [exam_number]).fetchall()
    out = []
    for code, name, credits, score, date, source in rows:
        rec = {"code": code, "name": name, "score": score, "source": source}
        if credits is not None:
            rec["credits"] = credits
        if date:
            rec["date"] = date
        out.append(rec)
    return out


def record_identity(db, exam_number: str, to_status: str, action: str, principal, reason: str | None = None) -> str:
    """Set the identity status and record who did it; returns the previous status."""
    previous = get_candidate(db, exam_number)["identity_status"]
    db.execute("UPDATE candidates SET identity_status = ? WHERE exam_number = ?", [to_status, exam_number])
    db.execute("INSERT INTO candidate_events (exam_number, from_status, to_status, action, actor, role, at, reason) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               [exam_number, previous, to_status, action, principal.label, principal.role,
                clock.now().isoformat(timespec="seconds"), reason])
    return previous


def require_identity_verified(db, exam_number: str) -> None:
    """Identity verification gates every business (seed 三)."""
    status = get_candidate(db, exam_number)["identity_status"]
    if status not in VERIFIED:
        raise Conflict("考生身份未认证: identity verification must pass (online, or manually at the registration "
                       "point) before any business", identity_status=status)
    if get_candidate(db, exam_number)["suspended"]:
        raise Conflict("考籍冻结: the candidate's record is suspended", identity_status=status)
