"""`sxzk test --coverage`: what of each plan the YAML cases never exercise (as `opa test --coverage` does).

Every case is evaluated under each plan edition its decision weighs (the
``alternatives`` too, not only the chosen edition).  For each plan: the
requirements no case has seen met, unmet and pending; the equivalences and
substitutions that could apply to it and that no case used; its choice groups no
case counted a course in.  A major's coverage is the share of all these
outcomes its cases saw.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from service.errors import ServiceError
from service.rules.allocate import allocate
from service.rules.decide import evaluate_plan, plans_to_evaluate
from service.rules.inputs import Candidate, Request
from service.tools.cases import case_request

OUTCOMES = ("met", "unmet", "pending")


@dataclass
class PlanCoverage:
    plan: object
    cases: int = 0
    requirements: list[str] = field(default_factory=list)
    seen: dict[str, set[str]] = field(default_factory=dict)  # requirement id -> outcomes seen
    equivalences: dict[str, bool] = field(default_factory=dict)  # applicable id -> exercised
    substitutions: dict[str, bool] = field(default_factory=dict)
    groups: dict[str, bool] = field(default_factory=dict)

    def never(self, outcome: str) -> list[str]:
        return [r for r in self.requirements if outcome not in self.seen[r]]

    @property
    def total(self) -> int:
        return len(self.requirements) * len(OUTCOMES) + len(self.equivalences) + len(self.substitutions) \
            + len(self.groups)

    @property
    def covered(self) -> int:
        return sum(len(s) for s in self.seen.values()) + sum(self.equivalences.values()) \
            + sum(self.substitutions.values()) + sum(self.groups.values())


def plan_coverage(bundle, cases) -> list[PlanCoverage]:
    out = {p.key: _universe(bundle, p) for p in sorted(bundle.plans, key=lambda p: p.key)}
    for case in cases:
        try:
            request = case_request(case)
            plans = plans_to_evaluate(bundle, request)
        except ServiceError:
            continue  # `sxzk test` reports the case; it covers nothing
        for plan in plans:
            _record(out[plan.key], evaluate_plan(bundle, plan, request))
    return list(out.values())


def _universe(bundle, plan) -> PlanCoverage:
    # the requirements of a plan are those of any evaluation: an empty transcript lists them all;
    # an equivalence may apply whichever side of it the plan names (its direction is the rules' business)
    nobody = Request(Candidate("", "", "", ""), plan.university, plan.major, (), plan.effective_from)
    reqs = [r.id for r in allocate(bundle, plan, nobody).requirements]
    codes = set(plan.codes())
    policy = bundle.policy
    return PlanCoverage(
        plan, requirements=reqs, seen={r: set() for r in reqs},
        equivalences={e.id: False for e in policy.equivalences if codes & (set(e.old) | set(e.new))},
        substitutions={s.id: False for s in policy.substitutions
                       if s.replaces in plan.required and plan.level in s.levels
                       and (not s.majors or plan.major in s.majors)},
        groups={g.id: False for g in plan.groups})


def _record(cov: PlanCoverage, result: dict) -> None:
    cov.cases += 1
    for req in result["requirements"]:
        cov.seen.setdefault(req["id"], set()).add(req["status"])
        for held in req["counted"]:
            kind, _, ident = held["via"].partition(":")
            if kind == "equivalence" and ident in cov.equivalences:
                cov.equivalences[ident] = True
            if kind == "substitution" and ident in cov.substitutions:
                cov.substitutions[ident] = True
        kind, _, ident = req["id"].partition(":")
        if kind == "group" and req["counted"] and ident in cov.groups:
            cov.groups[ident] = True


@dataclass
class MajorCoverage:
    university: str
    major: str
    name: str
    plans: list[PlanCoverage]

    @property
    def percent(self) -> float:
        total = sum(p.total for p in self.plans)
        return 100.0 * sum(p.covered for p in self.plans) / total if total else 100.0


def by_major(bundle, plans: list[PlanCoverage]) -> list[MajorCoverage]:
    out = []
    for m in bundle.majors:
        mine = [p for p in plans if (p.plan.university, p.plan.major) == (m.university, m.code)]
        if mine:
            out.append(MajorCoverage(m.university, m.code, f"{m.name}（{m.level}）", mine))
    return out


def render(bundle, majors: list[MajorCoverage]) -> list[str]:
    lines = []
    for m in majors:
        for p in m.plans:
            lines.append(f"{p.plan.key}: {p.cases} case evaluation(s), {p.covered}/{p.total} outcome(s) seen")
            for outcome in OUTCOMES:
                lines.append(f"  never {outcome + ':':8} {_listed(p.never(outcome))}")
            for what, items in (("equivalences", p.equivalences), ("substitutions", p.substitutions),
                                ("groups", p.groups)):
                if items:
                    lines.append(f"  {what} not exercised: {_listed([i for i, done in items.items() if not done])}")
    lines.append("")
    for m in majors:
        cases = sum(p.cases for p in m.plans)
        lines.append(f"major {m.university}/{m.major} {m.name}: {m.percent:.0f}% "
                     f"({len(m.plans)} plan(s), {cases} case evaluation(s))")
    without = len(bundle.majors) - len(majors)
    if without:
        lines.append(f"{without} major(s) have no plan: nothing to cover")
    return lines


def _listed(items: list[str]) -> str:
    return ", ".join(items) if items else "-"
