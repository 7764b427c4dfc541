"""The rules as plain, immutable data: what the loader builds and the core reads."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from service.rules.conditions import ConductPolicy

LEVELS = ("专科", "专升本")
KINDS = ("theory", "practical", "thesis")


@dataclass(frozen=True)
class Course:
    code: str
    name: str
    credits: int
    kind: str
    theory: str | None = None  # for a practical: the theory course that must be passed first
    national: bool = True  # a 全国统考 course (transferable between provinces)
    requires_passed: int | None = None  # for a practical: how many other plan courses must be held first


@dataclass(frozen=True)
class University:
    slug: str
    name: str


@dataclass(frozen=True)
class Major:
    university: str
    code: str
    name: str
    level: str
    status: str = "open"
    # why no exam plan is on file (the search that found none); None for a major that has plans
    no_plan: str | None = None
    discontinued_from: dt.date | None = None  # 停考: no exams of the major's own courses from this date

    def discontinued(self, on: dt.date) -> bool:
        return self.discontinued_from is not None and self.discontinued_from <= on


@dataclass(frozen=True)
class Group:
    """Pick ``pick`` courses, or courses worth at least ``min_credits``, from ``courses``."""

    id: str
    name: str
    courses: tuple[str, ...]
    pick: int | None = None
    min_credits: int | None = None


@dataclass(frozen=True)
class Plan:
    university: str
    major: str
    name: str
    level: str
    edition: str
    effective_from: dt.date
    effective_until: dt.date | None
    min_credits: int
    required: tuple[str, ...]
    groups: tuple[Group, ...] = ()
    thesis: str | None = None
    source: str = ""
    path: str = ""

    @property
    def key(self) -> str:
        return f"{self.university}/{self.major}@{self.edition}"

    def in_force(self, on: dt.date) -> bool:
        return self.effective_from <= on and (self.effective_until is None or on <= self.effective_until)

    def codes(self) -> tuple[str, ...]:
        codes = list(self.required)
        for group in self.groups:
            codes.extend(group.courses)
        if self.thesis:
            codes.append(self.thesis)
        return tuple(codes)


@dataclass(frozen=True)
class Substitution:
    """A required course that candidate-chosen passed courses may replace (英语(二))."""

    id: str
    replaces: str
    min_credits: int
    levels: tuple[str, ...]
    majors: tuple[str, ...] = ()  # empty: every major whose plan requires ``replaces``
    source: str = ""


@dataclass(frozen=True)
class Equivalence:
    """Old-plan courses standing for new ones (新旧课程顶替).

    ``one-to-one``: a pass in ``old[0]`` stands for ``new[0]``.
    ``pool``: each passed course of ``old`` may stand for one course of ``new``
    (自由顶替), with no fewer credits when ``credits_at_least``.
    ``direction`` says which way a one-to-one stands: ``old-to-new``,
    ``new-to-old`` or ``both``; ``effective_*`` bound the decision dates it applies on.
    """

    id: str
    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    credits_at_least: bool = False
    passed_before: dt.date | None = None
    source: str = ""
    direction: str = "old-to-new"
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None

    def stands_for(self, code: str, on: dt.date) -> str | None:
        """The course whose pass holds plan course ``code`` on date ``on`` (one-to-one only), or None."""
        if (self.effective_from and on < self.effective_from) or (self.effective_until and on > self.effective_until):
            return None
        if self.direction != "new-to-old" and self.new[0] == code:
            return self.old[0]
        if self.direction != "old-to-new" and self.old[0] == code:
            return self.new[0]
        return None


@dataclass(frozen=True)
class SubstituteLimits:
    """What a per-candidate ``substitute`` exception may be (2024 报考简章: 相同、相近且不低于原学分)."""

    discontinued_major: bool = True  # only for a major that is 停考 on the day it is recorded
    same_level: bool = True  # the course stands in a plan of the major's level
    credits_at_least: bool = True  # no fewer credits than the plan course it stands for
    source: str = ""


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    pass_mark: int
    passing_grades: tuple[str, ...]
    practical_needs_theory: bool
    thesis_levels: tuple[str, ...]
    prior_diploma_levels: tuple[str, ...]
    prior_diploma_match: tuple[str, ...]
    substitutions: tuple[Substitution, ...] = ()
    equivalences: tuple[Equivalence, ...] = ()
    source: str = ""
    revision: int = 1  # 2: one count per slot, unused inputs reported, thesis only where theses are
    substitute_limits: SubstituteLimits = SubstituteLimits()  # checked when staff record an exception
    conduct: ConductPolicy | None = None  # 思想品德鉴定 levels; None: the ruleset predates the condition


@dataclass(frozen=True)
class Bundle:
    """Everything a decision or a workflow step depends on, with the content hash naming this version."""

    version: str
    catalogue: dict[str, Course]
    universities: dict[str, University]
    majors: tuple[Major, ...]
    plans: tuple[Plan, ...]
    policy: Policy
    files: dict = field(repr=False, default_factory=dict)  # path -> canonical data
    # path -> what a workflow or transfer file reads as (districts, fees, a state table...):
    # filled by the checks the loader was given, else on first use from ``files``
    tables: dict = field(repr=False, compare=False, default_factory=dict)

    def plans_for(self, university: str, major: str) -> list[Plan]:
        return [p for p in self.plans if p.university == university and p.major == major]

    def major(self, university: str, code: str) -> Major | None:
        for m in self.majors:
            if m.university == university and m.code == code:
                return m
        return None
