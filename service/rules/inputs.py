"""What a decision is asked about: the candidate, one (university, major) choice, the records.

A validated evaluation request is first put in its canonical spelling (what the decision log
keeps and a replay reads back); each choice's ``Request`` is built from that spelling.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from service.rules import conditions
from service.rules.conditions import Appraisal, Sanction

SOURCES = ("exam", "exemption", "old-plan", "transfer-in")


@dataclass(frozen=True)
class Record:
    """One course result: an exam pass, an exemption (免考), an old-plan card or a transfer-in."""

    code: str
    score: str  # "78", a grade (优秀/良好/中等/合格/不合格) or "免考"
    source: str = "exam"
    date: dt.date | None = None
    name: str = ""
    credits: int | None = None  # used only for codes the catalogue does not know
    verified: bool = True  # an old-plan card stays unverified until the county office checks it


@dataclass(frozen=True)
class Candidate:
    exam_number: str
    name: str
    id_number: str
    gender: str  # 男 | 女


@dataclass(frozen=True)
class PriorDiploma:
    name: str
    id_number: str
    gender: str
    verified: bool
    certificate_no: str = ""
    level: str = ""


@dataclass(frozen=True)
class Exception_:
    """A staff-recorded exception for one candidate and one university+major (section 3a of the contract).

    ``substitute``: the passed course ``by`` stands for plan course ``course``;
    ``waive``: ``course`` is met by decision (``by`` is None).
    """

    id: int
    kind: str
    course: str
    by: str | None = None


@dataclass(frozen=True)
class Request:
    candidate: Candidate
    university: str
    major: str
    records: tuple[Record, ...]
    as_of: dt.date
    substitution: tuple[str, ...] = ()  # candidate-chosen courses to replace 英语(二)
    prior_diploma: PriorDiploma | None = None
    edition: str | None = None  # evaluate one plan edition only
    # staff-recorded exceptions for this university+major, by id: loaded by the service, never sent by the portal
    exceptions: tuple[Exception_, ...] = ()
    sanctions: tuple[Sanction, ...] = ()  # 延迟毕业 records (service/rules/conditions.py)
    conduct_appraisal: Appraisal | None = None  # None: conduct is not assessed by this caller
    extra: dict = field(default_factory=dict, compare=False)


def canonical_input(data: dict) -> dict:
    """The validated request in one spelling: sorted lists, ISO dates; what is logged and replayed."""
    def rec(r):
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in sorted(r.items())}
    out = {
        "candidate": dict(sorted(data["candidate"].items())),
        "transcript": sorted((rec(r) for r in data["transcript"]),
                             key=lambda r: (r["code"], r.get("date") or "", r["source"], r["score"])),
        "old_plan_records": sorted((rec(r) for r in data["old_plan_records"]),
                                   key=lambda r: (r["code"], r["date"], r["score"])),
        "substitution": sorted(set(data["substitution"])),
        "prior_diploma": dict(sorted(data["prior_diploma"].items())) if data.get("prior_diploma") else None,
        "as_of": data["as_of"].isoformat(),
        **conditions.canonical_part(data),
    }
    if data.get("exceptions"):  # absent when none, so inputs logged before exceptions existed keep their spelling
        out["exceptions"] = sorted((dict(sorted(e.items())) for e in data["exceptions"]), key=lambda e: e["id"])
    return out


def request_for(canonical: dict, choice: dict) -> Request:
    """Build the core Request for one choice from the canonical input."""
    def date(v):
        return dt.date.fromisoformat(v) if v else None
    records = [Record(code=r["code"], score=r["score"], source=r["source"], date=date(r.get("date")),
                      name=r.get("name", ""), credits=r.get("credits"), verified=True)
               for r in canonical["transcript"]]
    records += [Record(code=r["code"], score=r["score"], source="old-plan", date=date(r["date"]),
                       name=r["name"], credits=r.get("credits"), verified=bool(r.get("verified")))
                for r in canonical["old_plan_records"]]
    pd = canonical.get("prior_diploma")
    return Request(
        candidate=Candidate(**canonical["candidate"]),
        university=choice["university"],
        major=choice["major"],
        records=tuple(records),
        as_of=date(canonical["as_of"]),
        substitution=tuple(canonical["substitution"]),
        prior_diploma=PriorDiploma(**pd) if pd else None,
        edition=choice.get("edition"),
        exceptions=tuple(Exception_(id=e["id"], kind=e["kind"], course=e["course"], by=e.get("by"))
                         for e in canonical.get("exceptions", ())
                         if (e["university"], e["major"]) == (choice["university"], choice["major"])),
        **conditions.request_part(canonical),
    )
