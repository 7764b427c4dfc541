"""The personal centre (个人中心, seed 002 steps 四-五) as the portal shows it to one candidate.

Profile (ID number and phone masked), each business of the 快捷入口 with its window,
identity and prior-diploma status, the passed courses (合格成绩查询) and the
latest graduation application, if the application module is installed.
"""
from __future__ import annotations

import importlib

from service import clock
from service.candidates import diploma
from service.candidates import records as candidates
from service.identity import verification as identity
from service.reference import windows
from service.web import auth


def personal_centre(db, principal, policy) -> dict:
    number = auth.candidate_of(principal)
    person = candidates.candidate_for(db, principal, number)
    now = clock.now()
    shown = candidates.masked(person)
    passed = candidates.passed_courses(db, number, policy)
    businesses = []
    for state in windows.states(now):
        # a business can be used only while open and once the identity is verified
        businesses.append({**state, "usable": state["open"] and person["identity_verified"]})
    return {
        "now": now.isoformat(timespec="seconds"),
        "profile": {k: shown[k] for k in ("exam_number", "name", "id_number", "gender", "phone", "district",
                                          "enrolled", "registered_at")},
        "identity": identity.summary(db, person, principal.role),
        "prior_diploma": diploma.summary(db, person),
        "businesses": businesses,
        "passed_courses": passed,
        "passed_credits": sum({c["code"]: c["credits"] for c in passed}.values()),
        "application": application_summary(db, number),
    }


def application_summary(db, exam_number: str) -> dict | None:
    """The graduation application's state from service.applications.records, when that module exists."""
    try:
        applications = importlib.import_module("service.applications.records")
    except ModuleNotFoundError as exc:
        if exc.name != "service.applications.records":
            raise
        return None
    summary_for = getattr(applications, "summary_for", None)
    return summary_for(db, exam_number) if summary_for else None
