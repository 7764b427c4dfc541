"""Prior-diploma verification (前置学历, 学信网 authorisation) for 本科 applicants.

The provider is an interface; ``ChsiSandbox`` answers from a fixture registry
(fixtures/chsi_sandbox.json) so the flow runs offline and deterministically.
What the provider says is stored as it says it: a mismatch with the
candidate's identity is for the eligibility decision to report.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

from ..errors import NotFound
from . import clock


class DiplomaProvider(Protocol):
    name: str

    def verify(self, id_number: str, authorisation: str) -> dict:
        """The verified diploma record of the person behind ``id_number``; NotFound when none."""


class ChsiSandbox:
    name = "chsi-sandbox"

    def __init__(self, registry: Path):
        self.registry = Path(registry)

    def verify(self, id_number: str, authorisation: str) -> dict:
        records = json.loads(self.registry.read_text(encoding="utf-8"))["records"]
        for rec in records:
            if rec["id_number"] == id_number:
                return dict(rec)
        raise NotFound("学信网 has no diploma record for this ID number (CHSI sandbox)")


def store(db, exam_number: str, record: dict, provider: str) -> None:
    db.execute("""INSERT INTO prior_diplomas (exam_number, name, id_number, gender, school, major, level,
                  graduation_year, certificate_no, provider, verified_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                  ON CONFLICT(exam_number) DO UPDATE SET name=excluded.name, id_number=excluded.id_number,
                  gender=excluded.gender, school=excluded.school, major=excluded.major, level=excluded.level,
                  graduation_year=excluded.graduation_year, certificate_no=excluded.certificate_no,
                  provider=excluded.provider, verified_at=excluded.verified_at""",
               [exam_number, record["name"], record["id_number"], record["gender"], record["school"],
                record["major"], record["level"], int(record["graduation_year"]), record["certificate_no"],
                provider, clock.now().isoformat(timespec="seconds")])


def record_of(db, exam_number: str) -> dict | None:
    cur = db.execute("SELECT * FROM prior_diplomas WHERE exam_number = ?", [exam_number])
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def prior_diploma_for(db, exam_number: str) -> dict | None:
    """In the evaluation request's prior_diploma shape; verified because the provider vouched for it."""
    rec = record_of(db, exam_number)
    if rec is None:
        return None
    return {"name": rec["name"], "id_number": rec["id_number"], "gender": rec["gender"], "verified": True,
            "certificate_no": rec["certificate_no"], "level": rec["level"]}
