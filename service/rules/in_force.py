"""Which exam plans of a major are in force on a date, and the refusal when none is.

One answer for the three places that ask: a decision (``decide``), filling an
application (refused at once, before anything is checked) and the major list.
"""
from __future__ import annotations

import datetime as dt

from service.errors import Msg, joined


def plans_in_force(bundle, university: str, major: str, on: dt.date, edition: str | None = None) -> list:
    plans = [p for p in bundle.plans_for(university, major) if p.in_force(on)]
    if edition is not None:
        plans = [p for p in plans if p.edition == edition]
    return sorted(plans, key=lambda p: (p.effective_from, p.edition))


def plan_status(bundle, university: str, major: str, on: dt.date) -> str:
    """``in_force``, ``not_in_force`` (plans on file, none for ``on``) or ``none`` (no plan on file)."""
    if not bundle.plans_for(university, major):
        return "none"
    return "in_force" if plans_in_force(bundle, university, major, on) else "not_in_force"


def periods(bundle, university: str, major: str) -> list[Msg]:
    """When the major's plans are in force, one message per plan; empty when it has none."""
    out = []
    for p in sorted(bundle.plans_for(university, major), key=lambda p: (p.effective_from, p.edition)):
        start = p.effective_from.isoformat()
        if p.effective_until is None:
            out.append(Msg("edition %(edition)s from %(start)s", edition=p.edition, start=start))
        else:
            out.append(Msg("edition %(edition)s %(start)s to %(until)s", edition=p.edition, start=start,
                           until=p.effective_until.isoformat()))
    return out


def refusal(bundle, university: str, major: str, on: dt.date, edition: str | None = None) -> str | None:
    """Why a choice of an existing major cannot be decided on ``on`` (a message id to translate), or None when it can."""
    if plans_in_force(bundle, university, major, on, edition):
        return None
    m = bundle.major(university, major)
    uni = bundle.universities.get(university)
    named = f"{uni.name if uni else university} {major} {m.name if m else ''}（{m.level if m else ''}）"
    plans = periods(bundle, university, major)
    if not plans:
        return Msg("no exam plan of %(major)s is on file, so no graduation can be decided under it", major=named)
    return Msg("no exam plan of %(major)s%(which)s is in force on %(on)s (plans are in force: %(periods)s)",
               major=named, on=on.isoformat(), periods=joined(plans),
               which=Msg(" (edition %(edition)s)", edition=edition) if edition is not None else "")
