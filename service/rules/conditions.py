"""Graduation conditions that are not courses: 思想品德鉴定 (conduct appraisal) and 延迟毕业 (sanctions).

Pure, like the rest of the core.  Both arrive in the decision input (never read from a
database here), so a replay of a stored decision sees exactly what the decision saw:

- ``conduct_appraisal`` in the canonical input: absent = the caller does not assess
  conduct (no requirement, decisions as before the condition existed); ``{"result":
  null}`` = assessed but not recorded yet (pending); ``{"result": <level>,
  "recorded_by": ..., "recorded_at": ...}`` = the county office's record (met when the
  level passes, else unmet);
- ``sanctions`` in the canonical input: the candidate's 延迟毕业 records; one whose
  period holds the decision date makes the decision ``not_eligible``.

docs/rules-semantics.md section 4 items 8 and 9 is the contract.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

CONDUCT_ID = "conduct"
SANCTION_ID = "sanction"


@dataclass(frozen=True)
class ConductPolicy:
    """The appraisal levels the county office may record, which of them pass, and from when it applies."""

    levels: tuple[str, ...]
    passing: tuple[str, ...]
    effective_from: dt.date | None = None
    source: str = ""

    def applies(self, on: dt.date) -> bool:
        return self.effective_from is None or self.effective_from <= on


@dataclass(frozen=True)
class Appraisal:
    """思想品德鉴定 as the county office recorded it; ``result`` None: not recorded yet."""

    result: str | None = None
    recorded_by: str = ""
    recorded_at: str = ""


@dataclass(frozen=True)
class Sanction:
    """A 延迟毕业 period (both days included), with the document that decided it."""

    start: dt.date
    until: dt.date
    document_no: str
    reason: str = ""

    def covers(self, on: dt.date) -> bool:
        return self.start <= on <= self.until


# --- the canonical input -------------------------------------------------------------

def canonical_part(data: dict) -> dict:
    """The conditions' keys of the canonical input: present only when the caller gave them.

    Absent keys keep the canonical input (and so every stored decision's input) of a
    caller that knows nothing of conditions exactly what it was before they existed.
    """
    out = {}
    if data.get("sanctions"):
        out["sanctions"] = sorted(
            ({"from": _iso(s["from"]), "until": _iso(s["until"]), "document_no": s["document_no"],
              "reason": s.get("reason", "")} for s in data["sanctions"]),
            key=lambda s: (s["from"], s["until"], s["document_no"]))
    if "conduct_appraisal" in data:
        a = data["conduct_appraisal"] or {}
        out["conduct_appraisal"] = {"result": a.get("result"), "recorded_by": a.get("recorded_by", ""),
                                    "recorded_at": _iso(a.get("recorded_at", ""))}
    return out


def request_part(canonical: dict) -> dict:
    """The core Request's keyword arguments for the conditions of a canonical input."""
    out: dict = {"sanctions": tuple(
        Sanction(dt.date.fromisoformat(s["from"]), dt.date.fromisoformat(s["until"]), s["document_no"],
                 s.get("reason", ""))
        for s in canonical.get("sanctions") or ())}
    if "conduct_appraisal" in canonical:
        a = canonical["conduct_appraisal"] or {}
        out["conduct_appraisal"] = Appraisal(a.get("result"), a.get("recorded_by", ""), a.get("recorded_at", ""))
    return out


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else (value or "")


# --- the requirements ----------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    """One condition requirement, before the engine compares its status with 2 (met)."""

    id: str
    kind: str
    label: str
    status: int  # 2 met, 1 pending, 0 unmet
    notes: tuple[str, ...]
    details: dict


def conditions_for(policy, request) -> list[Condition]:
    """The condition requirements of a request, in contract order (conduct, then sanction)."""
    out = []
    conduct = policy.conduct
    appraisal = request.conduct_appraisal
    if conduct is not None and appraisal is not None and conduct.applies(request.as_of):
        shown = {"result": appraisal.result, "recorded_by": appraisal.recorded_by,
                 "recorded_at": appraisal.recorded_at}
        if appraisal.result is None:
            status, notes = 1, ("appraisal_not_recorded",)
        elif appraisal.result in conduct.passing:
            status, notes = 2, ()
        else:
            status, notes = 0, (f"appraisal:{appraisal.result}",)
        out.append(Condition(CONDUCT_ID, "conduct", "思想品德鉴定", status, notes, {"appraisal": shown}))
    inside = [s for s in request.sanctions if s.covers(request.as_of)]
    if inside:
        # overlapping delays end with the last of them: that is the date the candidate waits for
        last = max(inside, key=lambda s: (s.until, s.document_no))
        out.append(Condition(SANCTION_ID, "sanction", f"延迟毕业（至 {last.until.isoformat()}）", 0,
                             (f"until:{last.until.isoformat()}",),
                             {"sanction": {"from": last.start.isoformat(), "until": last.until.isoformat(),
                                           "document_no": last.document_no}}))
    return out
