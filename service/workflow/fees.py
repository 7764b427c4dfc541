"""The graduation-application fee, from rulesets/workflow/fees.yaml."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from ..errors import NotFound, RulesetError
from ..rules.problems import Problem
from . import reference


@dataclass(frozen=True)
class Fee:
    amount_fen: int
    description: str
    majors: int


@functools.lru_cache(maxsize=8)
def _schedule(root: str) -> dict:
    rel, data = reference.load("fees", root)
    problems: list = []
    keys = {"per_application_fen", "per_major_fen"}
    if reference.check_keys(rel, data, {"source", "graduation", "note"}, {"source", "graduation"}, "", problems):
        g = data["graduation"]
        if reference.check_keys(rel, g, keys, keys, "graduation", problems):
            for key in sorted(keys):
                if isinstance(g.get(key), bool) or not isinstance(g.get(key), int) or g[key] < 0:
                    problems.append(Problem(rel, reference.line_of(g, key), f"graduation.{key}",
                                            "must be a whole number of 分, not negative"))
    if problems:
        raise RulesetError(problems)
    return dict(data["graduation"])


def application_fee(db, application_id: int) -> Fee:
    """毕业申请费用总计: the per-application fee plus one per chosen major."""
    row = db.execute("SELECT count(*) FROM application_choices WHERE application_id = ?", [application_id]).fetchone()
    if not db.execute("SELECT 1 FROM applications WHERE id = ?", [application_id]).fetchone():
        raise NotFound(f"no application {application_id}")
    fees = _schedule(reference.root_key())
    majors = row[0]
    amount = fees["per_application_fen"] + fees["per_major_fen"] * majors
    return Fee(amount, f"山西省高等教育自学考试毕业申请费 ({majors} 个专业)", majors)
