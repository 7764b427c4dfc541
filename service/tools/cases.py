"""YAML test cases beside the rulesets: curriculum staff state what a decision must be.

A file ``rulesets/<area>/tests/<name>.yaml`` is a list of cases::

    - name: 00181 failed, everything else passed
      input:
        university: sxufe
        major: "630701"
        as_of: 2025-06-01
        transcript:
          - {code: "00009", score: 72, date: 2021-04-17}
      expected:
        status: not_eligible
        requirements: {course:00181: unmet}
        credits: {earned: 74}

``input`` is what the evaluation API takes for one choice (``candidate`` may be
left out: a fictitious one is used; ``prior_diploma`` names, ID number and
gender default to the candidate's; ``sanctions`` (延迟毕业: from, until, reason,
document_no) and ``conduct_appraisal`` (result: a level or null, recorded_by,
recorded_at) may be given too, though API callers cannot send them).  ``expected`` lists only what is checked:
``status`` always, ``eligible``, ``edition``, the ``requirements`` named and the
``credits`` keys given, ``unused`` and ``unused_inputs``.  A requirement is
its status, or a mapping of ``status`` and any of ``counted`` (entries giving
any of code, for, via, credits, verified: only the keys given are compared),
``missing``, ``notes`` and ``substitution`` (``accepted``, ``rejected``).
``input.exceptions`` gives staff-recorded exceptions for the case's major
(``{id, kind: substitute | waive, course[, by]}``), as the service loads them::

        requirements:
          "course:03708":
            status: met
            counted: [{code: "15043", for: "03708", via: "equivalence:history-03708-to-15043"}]  ``load_cases`` is strict: every problem is reported
with file, line and field, like the curriculum loader's.
"""
from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from marshmallow import ValidationError, fields, post_load, validate

from service.errors import RulesetError, ServiceError
from service.sanctions.schemas import SanctionSchema, as_decision_input
from service.web.schemas import StrictSchema
from service.yamlreader import Problem, Reader, YamlSyntaxError, flatten, kind_of, line_of, locate, parse_yaml

STATUSES = ("eligible", "pending_verification", "not_eligible")
REQUIREMENT_STATUSES = ("met", "pending", "unmet")
CREDIT_KEYS = ("earned", "earned_verified", "required")
CASE_KEYS = {"required": ("name", "input", "expected"), "optional": ("note",)}
INPUT_KEYS = {"required": ("university", "major", "as_of", "transcript"),
              "optional": ("edition", "substitution", "old_plan_records", "prior_diploma", "candidate", "exceptions",
                           "sanctions", "conduct_appraisal")}
EXCEPTION_KEYS = {"required": ("id", "kind", "course"), "optional": ("by", "note")}
# given to a case as input, though no API caller may send them: the service loads sanctions from the
# candidate's file and the county office records the appraisal (docs/rules-semantics.md 4.8-4.9)
CONDITION_KEYS = ("sanctions", "conduct_appraisal")
EXPECTED_KEYS = {"required": ("status",),
                 "optional": ("eligible", "requirements", "credits", "edition", "unused", "unused_inputs")}
REQUIREMENT_KEYS = {"required": ("status",), "optional": ("counted", "missing", "notes", "substitution")}
COUNTED_KEYS = ("code", "for", "via", "credits", "verified")

# Fictitious: a test case needs a valid candidate, and most cases are not about who it is.
DEFAULT_CANDIDATE = {"exam_number": "010119999901", "name": "测试考生", "id_number": "140105199801011244",
                     "gender": "女"}


@dataclass(frozen=True)
class Case:
    file: str
    line: int | None
    name: str
    body: dict  # the evaluation request body (one choice), as the API would receive it
    expected: dict

    @property
    def label(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f'{where}: case "{self.name}"'


def case_files(root: Path) -> list[Path]:
    return sorted((Path(root) / "rulesets").glob("*/tests/*.yaml"))


def load_cases(path: Path | str, *, display: str | None = None) -> list[Case]:
    """Read and validate one case file; raises RulesetError listing every problem."""
    path = Path(path)
    name = display or path.as_posix()
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"), name)
    except YamlSyntaxError as exc:
        raise RulesetError([exc.problem]) from None
    except UnicodeDecodeError:
        raise RulesetError([Problem(name, None, "(file)", "file is not UTF-8 text")]) from None
    return _CaseReader(name).read(data)


def load_all(root: Path | str) -> tuple[list[Case], list[Problem]]:
    """Every case under ``root``'s rulesets, and the problems of the files that do not load."""
    cases, problems = [], []
    for path in case_files(Path(root)):
        try:
            cases += load_cases(path, display=path.relative_to(root).as_posix())
        except RulesetError as exc:
            problems += exc.problems
    return cases, problems


class _CaseReader(Reader):
    def read(self, data) -> list[Case]:
        if data is None:
            data = []
        if not isinstance(data, list) or not data:
            self.bad(data, None, "(top)", "a test-case file is a list of cases (each line starting with `- name:`)")
            raise RulesetError(self.problems)
        cases, seen = [], {}
        for i, node in enumerate(data):
            case = self.case(data, i, node)
            if case is None:
                continue
            if case.name in seen:
                self.bad(node, "name", f"[{i}].name", f"the name {case.name!r} is used twice",
                         f"first at line {seen[case.name]}")
                continue
            seen[case.name] = case.line
            cases.append(case)
        if self.problems:
            raise RulesetError(self.problems)
        return cases

    def case(self, parent, i, node) -> Case | None:
        field = f"[{i}]"
        before = len(self.problems)
        if not self.mapping(node, field, **CASE_KEYS):
            return None
        name = node["name"]
        if not isinstance(name, str) or not name.strip():
            self.bad(node, "name", f"{field}.name", "a case is named by a non-empty text")
        body = self.body(node["input"], f"{field}.input")
        expected = self.expected(node["expected"], f"{field}.expected")
        if len(self.problems) > before:
            return None
        return Case(self.file, line_of(parent, i), name.strip(), body, expected)

    def body(self, node, field) -> dict | None:
        if not self.mapping(node, field, **INPUT_KEYS):
            return None
        body = request_body(node)
        from service.decisions.schemas import EvaluationRequestSchema

        self.exceptions(node, field)
        request, conditions = _split_conditions(_without_exceptions(body))
        for schema, part in ((EvaluationRequestSchema(), request), (_ConditionsSchema(), conditions)):
            try:
                schema.load(copy.deepcopy(part))
            except ValidationError as exc:
                for path, message in flatten(exc.messages):
                    node_at, key, named = _locate(node, path)
                    self.bad(node_at, key, f"{field}.{named}" if named else field, message)
        return body

    def exceptions(self, node, field) -> None:
        """Staff-recorded exceptions a case gives as input (docs/rules-semantics.md section 3a)."""
        from service.rules.exceptions import KINDS

        seen = set()
        for i, entry in enumerate(self.items(node, "exceptions", f"{field}.exceptions", optional=True)):
            where = f"{field}.exceptions[{i}]"
            if not self.mapping(entry, where, at=(node["exceptions"], i), **EXCEPTION_KEYS):
                continue
            exc_id = entry["id"]
            if isinstance(exc_id, bool) or not isinstance(exc_id, int) or exc_id < 1 or exc_id in seen:
                self.bad(entry, "id", f"{where}.id", "a whole number >= 1, once per case")
            seen.add(exc_id)
            self.choice(entry, "kind", where, KINDS)
            for key in ("course", "by"):
                code = _code(entry.get(key))
                if (key == "course" or entry.get("kind") == "substitute" or key in entry) and \
                        not (isinstance(code, str) and len(code) == 5 and code.isdigit()):
                    self.bad(entry, key, f"{where}.{key}", "a course code is 5 digits, e.g. \"00229\"")

    def expected(self, node, field) -> dict | None:
        if not self.mapping(node, field, **EXPECTED_KEYS):
            return None
        out = {}
        status = node["status"]
        self.choice(node, "status", field, STATUSES)
        out["status"] = status
        if "eligible" in node:
            eligible = node["eligible"]
            if not isinstance(eligible, bool):
                self.bad(node, "eligible", f"{field}.eligible", f"must be true or false, found {kind_of(eligible)}")
            elif status in STATUSES and eligible != (status == "eligible"):
                self.bad(node, "eligible", f"{field}.eligible",
                         f"eligible: {str(eligible).lower()} contradicts status: {status}")
            out["eligible"] = eligible
        if "edition" in node:
            edition = node["edition"]
            if isinstance(edition, int) and not isinstance(edition, bool):
                edition = str(edition)
            if not isinstance(edition, str) or not edition.strip():
                self.bad(node, "edition", f"{field}.edition", "an edition is a text such as \"2021\"")
            out["edition"] = edition
        reqs = node.get("requirements")
        if reqs is not None:
            if not isinstance(reqs, dict):
                self.bad(node, "requirements", f"{field}.requirements",
                         "a mapping of requirement id to met, pending or unmet, e.g. course:00181: unmet")
            else:
                for rid in reqs:
                    if not isinstance(rid, str) or not _requirement_id_shape(rid):
                        self.bad(reqs, rid, f"{field}.requirements.{rid}",
                                 "a requirement id is course:<code>, group:<id>, thesis:<code>, "
                                 "prior-diploma, credits, conduct or sanction")
                    if isinstance(reqs[rid], dict):
                        self.requirement(reqs[rid], f"{field}.requirements.{rid}", (reqs, rid))
                    else:
                        self.choice(reqs, rid, f"{field}.requirements", REQUIREMENT_STATUSES)
                out["requirements"] = {str(k): _plain(v) for k, v in reqs.items()}
        for key in ("unused", "unused_inputs"):
            if key in node:
                value = node[key]
                if not isinstance(value, list):
                    self.bad(node, key, f"{field}.{key}", f"must be a list, found {kind_of(value)}")
                out[key] = [_code(v) for v in value] if key == "unused" else _plain(value)
        credits = node.get("credits")
        if credits is not None:
            if self.mapping(credits, f"{field}.credits", optional=CREDIT_KEYS):
                for key, value in credits.items():
                    if key in CREDIT_KEYS and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                        self.bad(credits, key, f"{field}.credits.{key}",
                                 f"must be a whole number of credits, found {kind_of(value)}")
                out["credits"] = dict(credits)
        return out


    def requirement(self, node, field, at) -> None:
        """A requirement's detailed expectation: status and the fields candidates read."""
        if not self.mapping(node, field, at=at, **REQUIREMENT_KEYS):
            return
        self.choice(node, "status", field, REQUIREMENT_STATUSES)
        for i, entry in enumerate(self.items(node, "counted", f"{field}.counted", optional=True)):
            self.mapping(entry, f"{field}.counted[{i}]", optional=COUNTED_KEYS, at=(node["counted"], i))
        for key in ("missing", "notes"):
            self.items(node, key, f"{field}.{key}", optional=True)
        if "substitution" in node:
            self.mapping(node["substitution"], f"{field}.substitution", optional=("accepted", "rejected"),
                         at=(node, "substitution"))


def _split_conditions(body: dict) -> tuple[dict, dict]:
    return ({k: v for k, v in body.items() if k not in CONDITION_KEYS},
            {k: v for k, v in body.items() if k in CONDITION_KEYS})


class _CaseAppraisalSchema(StrictSchema):
    result = fields.String(required=True, allow_none=True, validate=validate.Length(1, 20),
                           metadata={"description": "null: not recorded yet (pending)"})
    recorded_by = fields.String(load_default="")
    recorded_at = fields.String(load_default="")


class _ConditionsSchema(StrictSchema):
    """A case's sanctions and appraisal, checked as the service's own records are."""

    sanctions = fields.List(fields.Nested(SanctionSchema))
    conduct_appraisal = fields.Nested(_CaseAppraisalSchema, allow_none=True)

    @post_load
    def _as_input(self, data, **kwargs):
        if "sanctions" in data:
            data["sanctions"] = [as_decision_input(s) for s in data["sanctions"]]
        return data


def request_body(node: dict) -> dict:
    """The evaluation request a case (or a transcript file) stands for, friendly spellings accepted.

    Unquoted scores and codes (``score: 72``, ``code: 13000``) and YAML dates are
    turned into the API's texts; a missing candidate is the fictitious default; a
    prior diploma's identity defaults to the candidate's.
    """
    candidate = _plain(node.get("candidate")) or dict(DEFAULT_CANDIDATE)
    choice = {"university": _text(node.get("university")), "major": _text(node.get("major"))}
    if node.get("edition") is not None:
        choice["edition"] = _text(node["edition"])
    body = {
        "candidate": candidate,
        "choices": [choice],
        "transcript": [_record(r) for r in node.get("transcript") or []],
        "old_plan_records": [_record(r) for r in node.get("old_plan_records") or []],
        "substitution": [_code(c) for c in node.get("substitution") or []],
        "prior_diploma": None,
        "as_of": _text(node.get("as_of")),
    }
    if node.get("exceptions"):
        body["exceptions"] = [{"id": e.get("id"), "kind": e.get("kind"), "course": _code(e.get("course")),
                               "university": choice["university"], "major": choice["major"],
                               **({"by": _code(e["by"])} if e.get("by") is not None else {})}
                              for e in node["exceptions"] if isinstance(e, dict)]
    for key in CONDITION_KEYS:
        if key in node:
            body[key] = _plain(node[key])
    pd = node.get("prior_diploma")
    if isinstance(pd, dict):
        who = candidate if isinstance(candidate, dict) else {}
        body["prior_diploma"] = {**{k: who.get(k) for k in ("name", "id_number", "gender")}, **_plain(pd)}
    elif pd is not None:
        body["prior_diploma"] = pd
    return body


def _without_exceptions(body: dict) -> dict:
    return {k: v for k, v in body.items() if k != "exceptions"}


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _text(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _code(value):
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 100000:
        return f"{value:05d}"
    return value


def _record(node):
    if not isinstance(node, dict):
        return node
    out = _plain(node)
    if "code" in out:
        out["code"] = _code(node["code"])
    if isinstance(out.get("score"), int) and not isinstance(out["score"], bool):
        out["score"] = str(out["score"])
    return out


def _locate(node, path):
    """The YAML node and key a request-field path came from, and the field as the case spells it."""
    if path and path[0] == "choices":  # the case's university/major/edition are the request's one choice
        path = path[2:]
    if "_schema" in path:  # a message about a whole object is reported at that object
        path = path[:path.index("_schema")]
    here, key = locate(node, path)
    parts = [int(p) if isinstance(p, str) and p.isdigit() else p for p in path]
    return here, key, "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


def _requirement_id_shape(rid: str) -> bool:
    kind, _, rest = rid.partition(":")
    if rid in ("prior-diploma", "credits", "conduct", "sanction"):
        return True
    return kind in ("course", "group", "thesis") and bool(rest)


def case_request(case: Case):
    """The rules core's request for a case's input."""
    from service.decisions.schemas import EvaluationRequestSchema
    from service.rules.inputs import canonical_input, request_for

    request, conditions = _split_conditions(_without_exceptions(case.body))
    data = EvaluationRequestSchema().load(copy.deepcopy(request))
    data.update(_ConditionsSchema().load(copy.deepcopy(conditions)))
    if case.body.get("exceptions"):  # not the API's to take: the service loads them, a case gives them
        data["exceptions"] = copy.deepcopy(case.body["exceptions"])
    choice = {k: v for k, v in sorted(data["choices"][0].items()) if v is not None}
    return request_for(canonical_input(data), choice)


def decide_case(bundle, case: Case) -> dict:
    """The decision for a case's input under ``bundle`` (raises ServiceError when it cannot be decided)."""
    from service.rules.decide import decide

    return decide(bundle, case_request(case))


def run_case(bundle, case: Case) -> list[str]:
    """What differs between the expectation and the decision, one line each (empty: the case passes)."""
    try:
        decision = decide_case(bundle, case)
    except ServiceError as exc:
        return [f"the decision could not be made: {exc.message}"]
    return compare(case.expected, decision)


def compare(expected: dict, decision: dict) -> list[str]:
    out = []
    if decision["status"] != expected["status"]:
        out.append(f"status: expected {expected['status']}, got {decision['status']}")
    elif "eligible" in expected and decision["eligible"] != expected["eligible"]:
        out.append(f"eligible: expected {str(expected['eligible']).lower()}, got {str(decision['eligible']).lower()}")
    if "edition" in expected and decision["edition"] != expected["edition"]:
        out.append(f"edition: expected {expected['edition']}, got {decision['edition']}")
    actual = {r["id"]: r for r in decision["requirements"]}
    for rid, want in (expected.get("requirements") or {}).items():
        got = actual.get(rid)
        if got is None:
            close = difflib.get_close_matches(rid, list(actual), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            out.append(f"{rid}: expected {want}, but the decision (edition {decision['edition']}) has no such "
                       f"requirement{hint}")
        else:
            out += _compare_requirement(rid, want if isinstance(want, dict) else {"status": want}, got)
    for key, want in (expected.get("credits") or {}).items():
        got = decision["credits"].get(key)
        if got != want:
            out.append(f"credits.{key}: expected {want}, got {got}")
    for key in ("unused", "unused_inputs"):
        if key in expected and decision.get(key) != expected[key]:
            out.append(f"{key}: expected {_shown(expected[key])}, got {_shown(decision.get(key))}")
    return out


def _compare_requirement(rid: str, want: dict, got: dict) -> list[str]:
    out = []
    if got["status"] != want["status"]:
        out.append(f"{rid}: expected {want['status']}, got {got['status']}{_why(got)}")
    if "counted" in want:
        actual = [{k: c.get(k) for k in w} for c, w in zip(got["counted"], want["counted"], strict=False)]
        if len(got["counted"]) != len(want["counted"]) or actual != want["counted"]:
            out.append(f"{rid}.counted: expected {_shown(want['counted'])}, got {_shown(got['counted'])}")
    for key in ("missing", "notes"):
        if key in want and [_code(v) for v in want[key]] != got.get(key):
            out.append(f"{rid}.{key}: expected {_shown(want[key])}, got {_shown(got.get(key))}")
    for key, value in (want.get("substitution") or {}).items():
        actual = (got.get("substitution") or {}).get(key)
        if [_code(v) for v in value] != actual:
            out.append(f"{rid}.substitution.{key}: expected {_shown(value)}, got {_shown(actual)}")
    return out


def _shown(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _why(requirement: dict) -> str:
    """A short reason to print beside a requirement's actual status."""
    bits = []
    if requirement.get("missing"):
        bits.append("missing " + ", ".join(requirement["missing"]))
    if requirement.get("measure"):
        m = requirement["measure"]
        bits.append(f"{m['verified']} verified / {m['all']} of {m['required']}")
    sub = requirement.get("substitution")
    if sub:
        m = sub["measure"]
        bits.append(f"substitution {', '.join(sub['accepted']) or 'none accepted'}: {m['all']} of {m['required']} credits")
    bits += requirement.get("notes") or []
    return f" ({'; '.join(bits)})" if bits else ""
