"""What a decision is asked about: the candidate, one (university, major) choice, the records."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
class Request:
    candidate: Candidate
    university: str
    major: str
    records: tuple[Record, ...]
    as_of: dt.date
    substitution: tuple[str, ...] = ()  # candidate-chosen courses to replace 英语(二)
    prior_diploma: PriorDiploma | None = None
    edition: str | None = None  # evaluate one plan edition only
    extra: dict = field(default_factory=dict, compare=False)
