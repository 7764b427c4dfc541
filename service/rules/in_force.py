"""Which exam plans of a major are in force on a date, and the refusal when none is.

One answer for the three places that ask: a decision (``decide``), filling an
application (refused at once, before anything is checked) and the major list.
"""
from __future__ import annotations

import datetime as dt


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


def periods(bundle, university: str, major: str) -> tuple[str, str]:
    """When the major's plans are in force, (Chinese, English); empty texts when it has none."""
    zh, en = [], []
    for p in sorted(bundle.plans_for(university, major), key=lambda p: (p.effective_from, p.edition)):
        start = p.effective_from.isoformat()
        if p.effective_until is None:
            zh.append(f"{p.edition}版 {start} 起")
            en.append(f"edition {p.edition} from {start}")
        else:
            until = p.effective_until.isoformat()
            zh.append(f"{p.edition}版 {start} 至 {until}")
            en.append(f"edition {p.edition} {start} to {until}")
    return "；".join(zh), "; ".join(en)


def refusal(bundle, university: str, major: str, on: dt.date, edition: str | None = None) -> str | None:
    """Why a choice of an existing major cannot be decided on ``on`` (Chinese first), or None when it can."""
    if plans_in_force(bundle, university, major, on, edition):
        return None
    m = bundle.major(university, major)
    uni = bundle.universities.get(university)
    named = f"{uni.name if uni else university} {major} {m.name if m else ''}（{m.level if m else ''}）"
    which_zh = f"{edition}版" if edition is not None else ""
    which_en = f" (edition {edition})" if edition is not None else ""
    zh, en = periods(bundle, university, major)
    if not zh:
        return (f"{named}没有考试计划，不能据以审核毕业 / no exam plan of {university}/{major} is on file, "
                "so no graduation can be decided under it")
    return (f"{named}在 {on.isoformat()} 没有有效的{which_zh}考试计划（考试计划有效期：{zh}） / "
            f"no exam plan of {university}/{major}{which_en} is in force on {on.isoformat()} "
            f"(plans are in force: {en})")
