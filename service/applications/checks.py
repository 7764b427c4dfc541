"""The eligibility decision for each choice of an application (seed 002, 六.2).

The application never decides eligibility itself: it assembles the candidate's
transcript, prior diploma, the choice's English (II) substitution and the old-plan
cards, and asks ``service.decisions.evaluate.evaluate_and_record``, which stores each
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
from service.decisions.schemas import EvaluationRequestSchema
from service.errors import InvalidInput

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
                     db_key: str) -> list[dict]:
    """One recorded decision per choice (each has its own substitution), in choice order."""
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
            requests.append(_REQUEST.load(raw))
        except ValidationError as exc:
            # the stored records or the chosen courses do not make a valid request: say where
            raise InvalidInput("the application cannot be checked as it is", fields=exc.messages) from None
    return [evaluate_and_record(db, rulebook, data, db_key=db_key, transcript_source=trusted.RECORD)["decisions"][0]
            for data in requests]


def checklist(decision: dict) -> list[dict]:
    """The requirements a choice does not (yet) meet: what the seed lists as 所选专业不符合毕业合格条件."""
    return [r for r in decision["requirements"] if r["status"] != "met"]


def not_used(decision: dict) -> list[dict]:
    """Inputs of the choice no requirement uses, with the reason (a substitution list for a plan without 英语(二))."""
    return list(decision.get("unused_inputs") or [])
