"""The transfer-out rules (rulesets/transfer/transfer_out.yaml) and state table, read strictly into plain data.

Every mistake in the file is reported at once with its line (RulesetError), so the
office that edits the file sees all of them; the checks themselves live in
``service/transfer/check.py`` and never read YAML.  The reading lives here, below
the transfer feature, so that ``sxzk check`` validates both files with the rest of
the bundle (service/tools/tables.py).
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from service import statemachine
from service.errors import RulesetError
from service.rules import bound
from service.rules.inputs import SOURCES
from service.rules.model import KINDS
from service.yamlreader import Problem, Reader, YamlSyntaxError, parse_yaml

RULES_FILE = "rulesets/transfer/transfer_out.yaml"
STATES_FILE = "rulesets/transfer/transfer_out_states.yaml"
STATE_ROLES = ("portal", "county", "city", "province")
read_states = functools.partial(statemachine.read_table, roles=STATE_ROLES)

# The checks check.py knows, with the parameters each takes (name: type).
CONDITIONS: dict[str, dict[str, type]] = {
    "national_pass": {"min_courses": int},
    "not_suspended": {"flags": list},
    "once_per_sitting": {"counting_states": list},
    "one_target": {"open_states": list},
    "major_not_completed": {"eligible_decision": bool, "graduation_states": list},
    "transfer_in_cooldown": {"months": int},
}
NON_TRANSFERABLE = ("exemption", "transfer_in", "old_plan", "unknown_course", "practical", "thesis",
                    "provincial", "already_transferred")


@dataclass(frozen=True)
class Province:
    code: str
    name: str


@dataclass(frozen=True)
class Reason:
    name: str
    note_required: bool = False


@dataclass(frozen=True)
class Condition:
    id: str
    label: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TransferRules:
    provinces: tuple[Province, ...]
    reasons: tuple[Reason, ...]
    min_digits: int
    max_digits: int
    conditions: tuple[Condition, ...]
    transferable_sources: tuple[str, ...]
    transferable_kinds: tuple[str, ...]
    transferable_national: bool
    non_transferable: dict[str, str]
    # How a score passes: taken from the graduation policy (policy.yaml), never repeated here.
    pass_mark: int = 60
    passing_grades: tuple[str, ...] = ("优秀", "良好", "中等", "合格")

    def province_names(self) -> list[str]:
        return [p.name for p in self.provinces]

    def reason(self, name: str) -> Reason | None:
        return next((r for r in self.reasons if r.name == name), None)

    def exam_number_pattern(self) -> re.Pattern:
        return re.compile(rf"[0-9]{{{self.min_digits},{self.max_digits}}}")

    def with_policy(self, policy) -> TransferRules:
        """These rules with the pass mark and passing grades of the graduation policy in force."""
        return dataclasses.replace(self, pass_mark=policy.pass_mark, passing_grades=tuple(policy.passing_grades))


def current() -> TransferRules:
    """The rules of the bundle in force."""
    return bound.table(RULES_FILE, read)


def read(rel: str, doc) -> TransferRules:
    return _Reader(rel).read(doc)


def load_rules(path: Path) -> TransferRules:
    rel = RULES_FILE if path.as_posix().endswith(RULES_FILE) else path.name
    try:
        doc = parse_yaml(path.read_text(encoding="utf-8"), rel)
    except FileNotFoundError:
        raise RulesetError([Problem(rel, None, "(file)", "file is missing")]) from None
    except YamlSyntaxError as exc:
        raise RulesetError([exc.problem]) from None
    return read(rel, doc)


_TOP = {"source", "provinces", "reasons", "target_exam_number", "conditions", "transferable", "non_transferable"}


class _Reader(Reader):
    def keys(self, node, field_name: str, allowed: set, required: set, *, at=None) -> bool:
        """Report unknown and missing keys; go on reading any mapping (every value is read with ``get``)."""
        self.mapping(node, field_name, required=required, optional=allowed - required, at=at)
        return isinstance(node, dict)

    def listing(self, doc, key: str) -> list:
        value = doc.get(key)
        if not isinstance(value, list) or not value:
            self.bad(doc, key, key, "must be a non-empty list")
            return []
        return value

    def read(self, doc) -> TransferRules:
        if not self.keys(doc, "", _TOP, _TOP):
            raise RulesetError(self.problems)
        if not isinstance(doc.get("source"), list) or not doc.get("source"):
            self.bad(doc, "source", "source", "name where the rules come from (a non-empty list)")
        provinces = self._provinces(doc)
        reasons = self._reasons(doc)
        low, high = self._exam_number(doc)
        conditions = self._conditions(doc)
        sources, kinds, national = self._transferable(doc)
        labels = self._labels(doc)
        if self.problems:
            raise RulesetError(self.problems)
        return TransferRules(tuple(provinces), tuple(reasons), low, high, tuple(conditions), sources, kinds,
                             national, labels)

    def _provinces(self, doc) -> list[Province]:
        out: list[Province] = []
        items = self.listing(doc, "provinces")
        for i, p in enumerate(items):
            where = f"provinces[{i}]"
            if not self.keys(p, where, {"code", "name"}, {"code", "name"}, at=(items, i)):
                continue
            code, name = p.get("code"), p.get("name")
            if not (isinstance(code, str) and re.fullmatch(r"[0-9]{2}", code)):
                self.bad(p, "code", f"{where}.code", "a GB/T 2260 province code: two digits in quotes, e.g. \"11\"")
            if not isinstance(name, str) or not name:
                self.bad(p, "name", f"{where}.name", "required")
                continue
            if code == "14" or name.startswith("山西"):
                self.bad(p, "name", f"{where}.name", "山西 is the province transferred out of, not a target")
            if any(o.name == name or o.code == code for o in out):
                self.bad(p, "name", f"{where}", f"{name} ({code}) is listed twice")
            out.append(Province(str(code), name))
        return out

    def _reasons(self, doc) -> list[Reason]:
        out: list[Reason] = []
        items = self.listing(doc, "reasons")
        for i, r in enumerate(items):
            where = f"reasons[{i}]"
            if not self.keys(r, where, {"name", "note_required"}, {"name"}, at=(items, i)):
                continue
            if not isinstance(r.get("name"), str) or not r["name"]:
                self.bad(r, "name", f"{where}.name", "required")
                continue
            note_required = self.flag(r, "note_required", where, default=False)
            if any(o.name == r["name"] for o in out):
                self.bad(r, "name", where, f"{r['name']} is listed twice")
            out.append(Reason(r["name"], note_required))
        return out

    def _exam_number(self, doc) -> tuple[int, int]:
        node = doc.get("target_exam_number")
        keys = {"min_digits", "max_digits"}
        if not self.keys(node, "target_exam_number", keys, keys, at=(doc, "target_exam_number")):
            return 0, 0
        low, high = node.get("min_digits"), node.get("max_digits")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or not 4 <= low <= high <= 30:
            self.bad(node, None, "target_exam_number", "min_digits and max_digits are whole numbers, 4 <= min <= max <= 30")
            return 0, 0
        return low, high

    def _conditions(self, doc) -> list[Condition]:
        out: list[Condition] = []
        items = self.listing(doc, "conditions")
        for i, c in enumerate(items):
            where = f"conditions[{i}]"
            if not isinstance(c, dict):
                self.mapping(c, where, at=(items, i))  # its keys are known once its id is
                continue
            cid = c.get("id")
            if cid not in CONDITIONS:
                self.bad(c, "id", f"{where}.id", f"unknown condition {cid!r}", f"one of {', '.join(CONDITIONS)}")
                continue
            params = CONDITIONS[cid]
            if not self.keys(c, where, {"id", "label", *params}, {"id", "label", *params}):
                continue
            if not isinstance(c.get("label"), str) or not c["label"]:
                self.bad(c, "label", f"{where}.label", "a label people read is required")
            for name, kind in params.items():
                value = c.get(name)
                if kind is int and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                    self.bad(c, name, f"{where}.{name}", "must be a whole number, not negative")
                elif kind is bool:
                    self.flag(c, name, where)
                elif kind is list and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    self.bad(c, name, f"{where}.{name}", "must be a list of names")
            if any(o.id == cid for o in out):
                self.bad(c, "id", f"{where}.id", f"condition {cid} is listed twice")
            out.append(Condition(cid, str(c.get("label")),
                                 {k: (tuple(v) if isinstance(v, list) else v) for k, v in c.items()
                                  if k not in ("id", "label")}))
        return out

    def _transferable(self, doc) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
        node = doc.get("transferable")
        keys = {"sources", "kinds", "national"}
        if not self.keys(node, "transferable", keys, keys, at=(doc, "transferable")):
            return (), (), True
        sources, kinds = node.get("sources"), node.get("kinds")
        if not isinstance(sources, list) or not sources or any(s not in SOURCES for s in sources):
            self.bad(node, "sources", "transferable.sources", f"a non-empty list of {', '.join(SOURCES)}")
            sources = []
        if not isinstance(kinds, list) or not kinds or any(k not in KINDS for k in kinds):
            self.bad(node, "kinds", "transferable.kinds", f"a non-empty list of {', '.join(KINDS)}")
            kinds = []
        return tuple(sources), tuple(kinds), self.flag(node, "national", "transferable")

    def _labels(self, doc) -> dict[str, str]:
        node = doc.get("non_transferable")
        if not self.keys(node, "non_transferable", set(NON_TRANSFERABLE), set(NON_TRANSFERABLE),
                         at=(doc, "non_transferable")):
            return {}
        for key in NON_TRANSFERABLE:
            if not isinstance(node.get(key), str) or not node.get(key):
                self.bad(node, key, f"non_transferable.{key}", "the text the details page shows is required")
        return {k: str(node.get(k)) for k in NON_TRANSFERABLE}
