"""The identity-verification state table (rulesets/workflow/identity_states.yaml), checked on load.

``step`` answers the one question the workflow asks: may this role do this action
from this status, and to which status does it lead given the online check's
outcome?  Anything the table does not list is a 409 carrying the current status.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

from service.errors import Conflict, Forbidden
from service.reference import files as reference
from service.yamlreader import Reader

ROLES = ("portal", "county", "province")
OUTCOMES = ("passed", "failed")


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str
    roles: tuple[str, ...]
    when: str | None = None
    reason_required: bool = False


@dataclass(frozen=True)
class Table:
    initial: str
    verified: tuple[str, ...]
    labels: dict[str, str]
    steps: tuple[Step, ...]

    def label(self, status: str) -> str:
        return self.labels.get(status, status)

    def allowed(self, status: str, role: str | None = None) -> list[str]:
        out = []
        for s in self.steps:
            if s.source == status and (role is None or role in s.roles) and s.action not in out:
                out.append(s.action)
        return out

    def require(self, status: str, action: str, role: str) -> None:
        """Refuse early what ``step`` would refuse whatever the outcome: 403 for the role, 409 for the status."""
        if role not in {r for s in self.steps if s.action == action for r in s.roles}:
            raise Forbidden(f"role {role} may not {action}")
        if action not in self.allowed(status, role):
            raise self.conflict(status, action, role)

    def step(self, status: str, action: str, role: str, outcome: str | None = None) -> Step:
        """The step the table allows, or Forbidden (the role never may) / Conflict (not from this status)."""
        if role not in {r for s in self.steps if s.action == action for r in s.roles}:
            raise Forbidden(f"role {role} may not {action}")
        options = [s for s in self.steps if s.source == status and s.action == action and role in s.roles
                   and (s.when is None or s.when == outcome)]
        if len(options) != 1:
            raise self.conflict(status, action, role)
        return options[0]

    def conflict(self, status: str, action: str, role: str | None) -> Conflict:
        return Conflict(f"身份认证状态为「{self.label(status)}」，不能 {action} / identity status is {status}: "
                        f"{action} is not possible now", identity_status=status,
                        identity_label=self.label(status), allowed=self.allowed(status, role))


@functools.lru_cache(maxsize=8)
def table_for(root: str) -> Table:
    rel, doc = reference.load("identity_states", root)
    check = Reader(rel)
    steps: list[Step] = []
    labels: dict[str, str] = {}
    if check.mapping(doc, "", required={"source", "initial", "verified", "statuses", "transitions"}):
        check.source(doc)
        if isinstance(doc["statuses"], dict):
            for name, label in doc["statuses"].items():
                if not isinstance(label, str) or not label:
                    check.bad(doc["statuses"], name, f"statuses.{name}", "needs a label (shown to candidates)")
                labels[name] = str(label)
        else:
            check.bad(doc, "statuses", "statuses", "a mapping of status to its label")
        if doc["initial"] not in labels:
            check.bad(doc, "initial", "initial", f"unknown status {doc['initial']!r}")
        verified = doc["verified"] if isinstance(doc["verified"], list) else []
        if not verified or any(v not in labels for v in verified):
            check.bad(doc, "verified", "verified", "a non-empty list of known statuses")
        items = doc["transitions"] if isinstance(doc["transitions"], list) else []
        for i, t in enumerate(items):
            field = f"transitions[{i}]"
            if not check.mapping(t, field, required={"action", "from", "to", "roles"}, optional={"when", "reason"}):
                continue
            for key in ("from", "to"):
                if t[key] not in labels:
                    check.bad(t, key, f"{field}.{key}", f"unknown status {t[key]!r}")
            roles = t["roles"] if isinstance(t["roles"], list) else []
            if not roles or any(r not in ROLES for r in roles):
                check.bad(t, "roles", f"{field}.roles", f"a non-empty list of {', '.join(ROLES)}")
            if t.get("when") not in (None, *OUTCOMES):
                check.bad(t, "when", f"{field}.when", f"one of {', '.join(OUTCOMES)}")
            if t.get("reason") not in (None, "required"):
                check.bad(t, "reason", f"{field}.reason", "only 'required' may be given")
            steps.append(Step(str(t["action"]), t["from"], t["to"], tuple(roles), t.get("when"),
                              t.get("reason") == "required"))
        seen: dict[tuple, list[Step]] = {}
        for s in steps:
            seen.setdefault((s.source, s.action), []).append(s)
        for (source, action), group in seen.items():
            whens = [s.when for s in group]
            if len(group) > 1 and (None in whens or len(set(whens)) != len(whens)):
                check.bad(doc, "transitions", "transitions",
                          f"{action} from {source} has several targets: each needs a different `when`")
    check.done()
    return Table(doc["initial"], tuple(doc["verified"]), labels, tuple(steps))


def table() -> Table:
    return table_for(reference.root_key())
