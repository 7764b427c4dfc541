"""The graduation-application fee (毕业申请费用总计), from rulesets/workflow/fees.yaml.

The shipped amounts are assumed placeholders (no Shanxi figure is published; the
file's ``source`` says so); the fee shown to candidates carries ``assumed``.
"""
from __future__ import annotations

from dataclasses import dataclass

from service.errors import Msg, NotFound
from service.reference import files as reference
from service.rules import bound
from service.yamlreader import Reader

FILE = "rulesets/workflow/fees.yaml"


@dataclass(frozen=True)
class Fee:
    amount_fen: int
    description: str
    majors: int
    assumed: bool = True


@dataclass(frozen=True)
class Schedule:
    per_application_fen: int
    per_major_fen: int
    description: str
    assumed: bool


def schedule_for(root: str) -> Schedule:
    return read(*reference.load("fees", root))


def read(rel: str, doc) -> Schedule:
    check = Reader(rel)
    if check.mapping(doc, "", required={"source", "assumed", "graduation"}):
        check.source(doc)
        if not isinstance(doc["assumed"], bool):
            check.bad(doc, "assumed", "assumed", "true while the amounts are placeholders, false once published")
        g = doc["graduation"]
        if check.mapping(g, "graduation", required={"per_application_fen", "per_major_fen", "description"}):
            for key in ("per_application_fen", "per_major_fen"):
                if isinstance(g[key], bool) or not isinstance(g[key], int) or not 0 <= g[key] <= 100_000:
                    check.bad(g, key, f"graduation.{key}", "a whole number of 分 between 0 and 100000")
            if not isinstance(g["description"], str) or not g["description"].strip():
                check.bad(g, "description", "graduation.description", "the text shown on the order")
            if not check.problems and g["per_application_fen"] + g["per_major_fen"] <= 0:
                check.bad(g, None, "graduation", "a fee of 0 cannot be paid: give a positive amount")
    check.done()
    g = doc["graduation"]
    return Schedule(g["per_application_fen"], g["per_major_fen"], g["description"], doc["assumed"])


def schedule() -> Schedule:
    """The fee schedule of the bundle in force (an application's own version, when pinned)."""
    return bound.table(FILE, read)


def graduation_fee(majors: int) -> Fee:
    """The fee of an application with ``majors`` chosen, under the bundle in force (or pinned)."""
    s = schedule()
    return Fee(s.per_application_fen + s.per_major_fen * majors, f"{s.description}（{majors}个专业）", majors,
               s.assumed)


def application_fee(db, application_id: int) -> Fee:
    """The fee of one application: per application plus per chosen major, as the fees of the rules
    version it was checked with say (it keeps them: docs/workflow-applications.md)."""
    row = db.execute("SELECT ruleset_version FROM applications WHERE id = ?", [application_id]).fetchone()
    if not row:
        raise NotFound(Msg("no application %(id)s", id=application_id))
    majors = db.execute("SELECT count(*) FROM application_choices WHERE application_id = ?",
                        [application_id]).fetchone()[0]
    with bound.pinned(row[0]):
        return graduation_fee(majors)
