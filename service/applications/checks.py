"""The eligibility decision for each choice of an application (seed 002, 六.2).

The application never decides eligibility itself: it assembles the candidate's
transcript, prior diploma, the choice's English (II) substitution, the old-plan
cards and the exceptions staff recorded for the choice's major, and asks ``service.decisions.evaluate.evaluate_and_record``, which stores each
decision in the hash-chained decision log.  A card counts as verified only once the
county office has verified it; a refused card does not count at all.
"""
from __future__ import annotations

from marshmallow import ValidationError

from service import clock
from service.candidates import diploma
from service.candidates import records as candidates
from service.decisions import trusted
from service.decisions.evaluate import evaluate_and_record
from service.decisions.exceptions import in_force
from service.decisions.schemas import EvaluationRequestSchema
from service.errors import InvalidInput
from service.store import ruleset_archive

_REQUEST = EvaluationRequestSchema()


def old_plan_for_decision(records: list[dict]) -> list[dict]:
    out = []
    for r in records:
        if r["status"] == "refused":
            continue
        rec = {"code": r["code"], "name": r["name"], "date": r["date"], "score": r["score"],
               "verified": r["status"] == "verified"}
        if r.get("credits"):
            rec["credits"] = r["credits"]
        out.append(rec)
    return out


def evaluate_choices(db, rulebook, exam_number: str, choices: list[dict], old_plan: list[dict], *,
                     db_key: str, appraisal: dict | None = None) -> list[dict]:
    """One recorded decision per choice (each has its own substitution), in choice order.

    ``appraisal``: the county office's 思想品德鉴定 record, given once it has one
    (service/applications/appraisal.py); without it conduct is not assessed.
    """
    person = candidates.get_candidate(db, exam_number)
    base = {
        "candidate": {"exam_number": exam_number, "name": person["name"], "id_number": person["id_number"],
                      "gender": person["gender"]},
        "transcript": candidates.transcript(db, exam_number),
        "old_plan_records": old_plan_for_decision(old_plan),
        "prior_diploma": diploma.prior_diploma_for(db, exam_number),
        "as_of": clock.now().date().isoformat(),
    }
    requests = []
    for choice in choices:
        raw = {**base, "choices": [{"university": choice["university"], "major": choice["major"]}],
               "substitution": list(choice["substitution"])}
        try:
            data = _REQUEST.load(raw)
        except ValidationError as exc:
            # the stored records or the chosen courses do not make a valid request: say where
            raise InvalidInput("the application cannot be checked as it is", fields=exc.messages) from None
        exceptions = in_force(db, exam_number, data["choices"])  # staff-recorded: never from the portal
        if exceptions:
            data = {**data, "exceptions": exceptions}
        if appraisal is not None:  # not a request field: only the county office's record may carry it
            data["conduct_appraisal"] = appraisal
        requests.append(data)
    return [evaluate_and_record(db, rulebook, data, db_key=db_key, transcript_source=trusted.RECORD)["decisions"][0]
            for data in requests]


def bundle_of(db, rulebook, decision: dict):
    """The rules the decision was made under (the checklist names courses and groups as that version does)."""
    return rulebook.version(decision["ruleset_version"], lambda v: ruleset_archive.files_of(db, v))


def not_used(decision: dict) -> list[dict]:
    """Inputs of the choice no requirement uses, with the reason (a substitution list for a plan without 英语(二))."""
    return list(decision.get("unused_inputs") or [])
