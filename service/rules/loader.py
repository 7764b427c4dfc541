"""Load curricula and rulesets strictly into a ``Bundle``.

Two entry points share one validator:
- ``load_bundle(root)`` reads the YAML files (line numbers known);
- ``bundle_from_files(files)`` rebuilds an archived version from its canonical
  data (for replay under the version a decision was made with).

Every problem is collected, not just the first, and names file, line and
field, with a "did you mean" hint where one helps.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from pathlib import Path

from service.errors import RulesetError
from service.rules.canonical import content_hash, plain
from service.rules.conditions import ConductPolicy
from service.rules.model import (
    KINDS,
    LEVELS,
    Bundle,
    Course,
    Equivalence,
    Group,
    Major,
    Plan,
    Policy,
    SubstituteLimits,
    Substitution,
    University,
)
from service.yamlreader import Problem, Reader, YamlSyntaxError, join, kind_of, parse_yaml, shown

COURSE_CODE = re.compile(r"^[0-9]{5}\Z")
MAJOR_CODE = re.compile(r"^[0-9]{6}[A-Z]{0,2}\Z")
SLUG = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
ID = re.compile(r"^[a-z][a-z0-9-]{0,47}$")
DEFAULT_AREA = "shanxi"
Check = Callable[[str, object], object]
# The workflow's tables and the transfer rules: part of every bundle and of its version,
# but read by the features that use them, which hand the loader their checks.
TABLE_FILES = (
    "rulesets/transfer/transfer_out.yaml",
    "rulesets/transfer/transfer_out_states.yaml",
    "rulesets/workflow/application_states.yaml",
    "rulesets/workflow/districts.yaml",
    "rulesets/workflow/exception_states.yaml",
    "rulesets/workflow/fees.yaml",
    "rulesets/workflow/identity_states.yaml",
    "rulesets/workflow/windows.yaml",
)


def bundle_paths(root: Path, area: str = DEFAULT_AREA) -> list[Path]:
    """Every file a decision or a workflow step depends on (rulesets' test cases are not among them)."""
    curricula = root / "curricula"
    paths = [curricula / "catalogue.yaml", curricula / "universities.yaml", curricula / "majors.yaml"]
    paths += sorted((curricula / "plans").rglob("*.yaml"))
    rules_dir = root / "rulesets" / area
    paths += sorted(p for p in rules_dir.glob("*.yaml"))
    paths += [root / rel for rel in TABLE_FILES]
    return paths


def read_files(root: Path, area: str = DEFAULT_AREA) -> dict:
    """Parse every bundle file; returns {relative path: line-annotated data}."""
    problems, files = [], {}
    for path in bundle_paths(root, area):
        rel = path.relative_to(root).as_posix()
        if not path.exists():
            problems.append(Problem(rel, None, "(file)", "file is missing"))
            continue
        try:
            text = path.read_text(encoding="utf-8")
            files[rel] = parse_yaml(text, rel)
        except YamlSyntaxError as exc:
            problems.append(exc.problem)
        except UnicodeDecodeError:
            problems.append(Problem(rel, None, "(file)", "file is not UTF-8 text",
                                    "save it as UTF-8 (not GBK or UTF-16)"))
        else:
            if files[rel] is None and not _has_content(text):
                problems.append(Problem(rel, None, "(file)", "file is empty (only comments or blank lines)"))
    if problems:
        raise RulesetError(problems)
    return files


def load_bundle(root: Path | str, area: str = DEFAULT_AREA, checks: Mapping[str, Check] | None = None) -> Bundle:
    return bundle_from_files(read_files(Path(root), area), checks)


def bundle_from_files(files: dict, checks: Mapping[str, Check] | None = None) -> Bundle:
    """Validate parsed files and build the bundle; raises RulesetError listing every problem.

    ``checks``: {path of a ``TABLE_FILES`` file: (path, parsed data) -> its table, raising
    RulesetError}; the rules core does not import the features that know those files.
    """
    return _Builder(files, checks or {}).build()


def table_of(bundle: Bundle, path: str, check: Check):
    """The table ``check`` reads from ``path`` of ``bundle``: checked when loaded, else read now and kept."""
    if path not in bundle.tables and path not in bundle.files:
        raise RulesetError([Problem(path, None, "(file)", f"version {bundle.version[:12]} has no such file: it was "
                                    "archived before the workflow tables joined the bundle; publish a current one")])
    if path not in bundle.tables:
        bundle.tables[path] = check(path, bundle.files[path])
    return bundle.tables[path]


class _FileReader(Reader):
    """The strict reader with what curricula and rulesets add: course codes, levels, sources."""

    TOP = "(top)"

    def code(self, node, key, field, *, known=None):
        """A course code: a quoted 5-digit string, present in ``known`` when given."""
        value = node[key] if isinstance(node, (dict, list)) else None
        if isinstance(value, int) and not isinstance(value, bool):
            self.bad(node, key, field, f"course code {value} is a number",
                     f'quote it as a 5-digit string, e.g. "{value:05d}"' if value < 100000 else None)
            return None
        if not isinstance(value, str) or not COURSE_CODE.match(value):
            self.bad(node, key, field, f"course code must be 5 digits, found {shown(value)}")
            return None
        if known is not None and value not in known:
            self.bad(node, key, field, f"course {value} is not in the catalogue", _code_hint(value, known))
            return None
        return value

    def code_list(self, node, key, field, known, *, optional=False):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and optional:
            return ()
        if not isinstance(value, list):
            self.bad(node, key, join(field, key), f"must be a list of course codes, found {kind_of(value)}")
            return ()
        out = []
        for i in range(len(value)):
            code = self.code(value, i, f"{join(field, key)}[{i}]", known=known)
            if code:
                out.append(code)
        return tuple(out)

    def codes_or_one(self, node, key, field, catalogue):
        if isinstance(node.get(key), list):
            return self.code_list(node, key, field, catalogue)
        code = self.code(node, key, join(field, key), known=catalogue)
        return (code,) if code else ()

    def levels(self, node, key, field):
        value = node.get(key)
        if not isinstance(value, list) or any(v not in LEVELS for v in value):
            self.bad(node, key, join(field, key), f"must be a list drawn from {', '.join(LEVELS)}")
            return ()
        return tuple(value)

    def citation(self, node, key="source"):
        """A source is required everywhere: a text, or {title, reference}, or a list of those."""
        value = node.get(key) if isinstance(node, dict) else None
        entries = value if isinstance(value, list) else [value]
        texts = []
        for i, entry in enumerate(entries):
            where = f"{key}[{i}]" if isinstance(value, list) else key
            if isinstance(entry, str) and entry.strip():
                texts.append(entry.strip())
            elif isinstance(entry, dict) and self.mapping(entry, where, required=("title",),
                                                          optional=("reference", "note")):
                texts.append(" - ".join(str(entry[k]) for k in ("title", "reference") if entry.get(k)))
            elif not isinstance(entry, dict):
                self.bad(node, key, where, "every file and plan names its source (title and reference)")
        return "; ".join(texts)


class _Builder:
    def __init__(self, files: dict, checks: Mapping[str, Check]):
        self.files = files
        self.checks = checks
        self.problems: list[Problem] = []
        self.readers: dict[str, _FileReader] = {}
        self.major_entries: dict[tuple[str, str], tuple[dict, int]] = {}  # (university, code) -> (entry, index)

    def on(self, file: str) -> _FileReader:
        """The reader of one file; all of them report into the bundle's one list of problems."""
        if file not in self.readers:
            self.readers[file] = _FileReader(file, self.problems)
        return self.readers[file]

    def build(self) -> Bundle:
        catalogue = self.catalogue()
        universities = self.universities()
        majors = self.majors(universities)
        plans = self.plans(catalogue, universities, majors)
        self.plans_where_none_is_declared(majors, plans)
        policy = self.policy(catalogue, plans)
        if policy is not None and policy.revision >= 2:
            self.theses_where_levels_have_them(plans, policy)
        tables = self.tables()
        if not self.problems:
            # only a tree that validates is hashed; what JSON cannot spell is caught here,
            # inside notes too, which the checks above never look into
            for path, data in sorted(self.files.items()):
                self.storable(path, data)
        if self.problems:
            raise RulesetError(self.problems)
        canonical = {path: plain(data) for path, data in sorted(self.files.items())}
        return Bundle(
            version=content_hash(canonical),
            catalogue=catalogue,
            universities=universities,
            majors=tuple(majors),
            plans=tuple(plans),
            policy=policy,
            files=canonical,
            tables=tables,
        )

    def tables(self) -> dict:
        out = {}
        for path, check in sorted(self.checks.items()):
            if path not in self.files:
                continue  # a version archived before the tables joined the bundle (read_files names missing files)
            try:
                out[path] = check(path, self.files[path])
            except RulesetError as exc:
                self.problems.extend(exc.problems)
        return out

    def theses_where_levels_have_them(self, plans, policy) -> None:
        for plan in plans:
            if plan.thesis and plan.level not in policy.thesis_levels:
                self.on(plan.path).bad(self.files[plan.path], "thesis", "thesis",
                                       f"a {plan.level} plan has no thesis (policy thesis_levels: "
                                       f"{', '.join(policy.thesis_levels) or 'none'})",
                                       "remove `thesis:` or correct the level")

    def storable(self, file, data) -> None:
        """Report values the canonical JSON of a version cannot hold (or would hold changed)."""
        r = self.on(file)
        pending = [(data, None, None, "")]
        while pending:
            node, parent, key, field = pending.pop()
            if isinstance(node, dict):
                kinds = sorted({_key_kind(k) for k in node})
                if len(kinds) > 1:
                    r.bad(parent if parent is not None else node, key, field or r.TOP,
                          f"mixes {' and '.join(kinds)} keys", "quote every key")
                    continue
                pending += [(v, node, k, join(field, k)) for k, v in node.items()]
            elif isinstance(node, list):
                pending += [(v, node, i, f"{field}[{i}]") for i, v in enumerate(node)]
            elif isinstance(node, (bytes, bytearray)):
                r.bad(parent, key, field, "bytes cannot be stored", "write it as text")
            elif isinstance(node, (set, frozenset)) and len({_key_kind(v) for v in node}) > 1:
                r.bad(parent, key, field, "a set mixes numbers and text", "write a list")
            elif isinstance(node, (set, frozenset)):
                pending += [(v, parent, key, field) for v in node]

    def _document(self, path: str, key: str):
        """(reader, data) of a curricula file, data None unless it is a mapping of source and ``key``."""
        r = self.on(path)
        if path not in self.files:
            r.bad(None, None, "(file)", "file is missing")
            return r, None
        data = self.files[path]
        if not r.mapping(data, "", required=("source", key)):
            return r, None
        r.citation(data)
        return r, data

    def catalogue(self) -> dict[str, Course]:
        r, data = self._document("curricula/catalogue.yaml", "courses")
        out: dict[str, Course] = {}
        if data is None:
            return out
        courses = data["courses"]
        if not r.mapping(courses, "courses", optional=courses if isinstance(courses, dict) else (),
                         at=(data, "courses")):
            return out
        for code, entry in courses.items():
            field = f'courses."{code}"'
            if not isinstance(code, str) or not COURSE_CODE.match(code):
                hint = f'quote it: "{code:05d}"' if isinstance(code, int) and code < 100000 else None
                r.bad(courses, code, field, "course code must be a quoted 5-digit string", hint)
                continue
            if not r.mapping(entry, field, required=("name", "credits", "kind"),
                             optional=("theory", "requires_passed", "national", "note"), at=(courses, code)):
                continue
            kind = r.choice(entry, "kind", field, KINDS)
            credits = r.integer(entry, "credits", field, minimum=0 if kind == "thesis" else 1)
            theory = entry.get("theory")
            # 0: a practical of its own that the plan opens without any course passed first
            # (人力资源管理高级实验（实践）); the key still says so, so that a forgotten theory is caught
            requires = r.integer(entry, "requires_passed", field, optional=True, minimum=0)
            if requires is not None and (kind != "practical" or theory is not None):
                r.bad(entry, "requires_passed", join(field, "requires_passed"),
                      "only a practical without a theory course counts passed courses before it",
                      "keep either theory or requires_passed")
            if kind == "practical" and theory is None and requires is None:
                r.bad(entry, "kind", join(field, "theory"),
                      "a practical names its theory course, or requires_passed: the number of plan courses passed first")
            elif theory is not None:
                theory = r.code(entry, "theory", join(field, "theory"))
            national = r.flag(entry, "national", field, default=True)
            out[code] = Course(code, r.text(entry, "name", field), credits or 0, kind or "theory",
                               theory if isinstance(theory, str) else None, national, requires)
        for code, course in out.items():
            if course.theory and course.theory not in out:
                r.bad(courses[code], "theory", f'courses."{code}".theory',
                      f"theory course {course.theory} is not in the catalogue")
        return out

    def universities(self) -> dict[str, University]:
        r, data = self._document("curricula/universities.yaml", "universities")
        out: dict[str, University] = {}
        if data is None:
            return out
        table = data["universities"]
        if not isinstance(table, dict):
            r.bad(data, "universities", "universities", "expected a mapping of slug to university")
            return out
        for slug, entry in table.items():
            field = f"universities.{slug}"
            if not isinstance(slug, str) or not SLUG.match(slug):
                r.bad(table, slug, field, "a university slug is lowercase letters, digits and dashes")
                continue
            if r.mapping(entry, field, required=("name",), optional=("note",), at=(table, slug)):
                out[slug] = University(slug, r.text(entry, "name", field))
        return out

    def majors(self, universities) -> list[Major]:
        r, data = self._document("curricula/majors.yaml", "majors")
        out: list[Major] = []
        if data is None:
            return out
        seen = {}
        for i, entry in enumerate(r.items(data, "majors", "majors")):
            field = f"majors[{i}]"
            if not r.mapping(entry, field, required=("university", "code", "name", "level"),
                             optional=("status", "discontinued_from", "note", "no_plan"), at=(data["majors"], i)):
                continue
            uni = r.choice(entry, "university", field, sorted(universities)) if universities else None
            code = entry.get("code")
            if not isinstance(code, str) or not MAJOR_CODE.match(code):
                r.bad(entry, "code", join(field, "code"),
                      f"major code must be a quoted text like \"630701\", found {shown(code)}")
                continue
            level = r.choice(entry, "level", field, LEVELS)
            status = r.choice(entry, "status", field, ("open", "closed_to_new"), optional=True, default="open")
            if (uni, code) in seen:
                r.bad(entry, "code", join(field, "code"), f"major {code} of {uni} is listed twice (first at majors[{seen[(uni, code)]}])")
                continue
            seen[(uni, code)] = i
            self.major_entries[(uni or "", code)] = (entry, i)
            no_plan = r.text(entry, "no_plan", field, optional=True, default=None)
            out.append(Major(uni or "", code, r.text(entry, "name", field), level or "", status, no_plan,
                             r.date(entry, "discontinued_from", field, optional=True)))
        return out

    def plans_where_none_is_declared(self, majors, plans) -> None:
        """A major marked as having no plan must not have one: the marker would tell candidates a falsehood."""
        on_file = {(p.university, p.major) for p in plans}
        r = self.on("curricula/majors.yaml")
        for m in majors:
            if m.no_plan is not None and (m.university, m.code) in on_file:
                entry, i = self.major_entries[(m.university, m.code)]
                r.bad(entry, "no_plan", f"majors[{i}].no_plan",
                      f"{m.university}/{m.code} has a plan under curricula/plans/, so it cannot be marked as "
                      "having none (remove no_plan, or the plan)")

    def plans(self, catalogue, universities, majors) -> list[Plan]:
        out: list[Plan] = []
        known_majors = {(m.university, m.code): m for m in majors}
        for f in sorted(p for p in self.files if p.startswith("curricula/plans/")):
            plan = self.plan(f, self.files[f], catalogue, universities, known_majors)
            if plan:
                out.append(plan)
        keys = {}
        for plan in out:
            if plan.key in keys:
                self.problems.append(Problem(plan.path, None, "edition", f"plan {plan.key} is also defined in {keys[plan.key]}"))
            keys[plan.key] = plan.path
        return out

    def plan(self, f, data, catalogue, universities, known_majors) -> Plan | None:
        r = self.on(f)
        required_keys = ("university", "major", "name", "level", "edition", "effective", "source", "min_credits", "required")
        if not r.mapping(data, "", required=required_keys, optional=("groups", "thesis", "note")):
            return None
        before = len(self.problems)
        uni = data["university"]
        if universities:
            uni = r.choice(data, "university", "", sorted(universities))
        elif not isinstance(uni, str):
            uni = None  # universities.yaml did not load; its own problems say why
        major = data["major"]
        level = r.choice(data, "level", "", LEVELS)
        name = r.text(data, "name", "")
        if not isinstance(major, str) or not MAJOR_CODE.match(major):
            r.bad(data, "major", "major",
                  f'must be a quoted major code such as "630701", found {kind_of(major)}')
        elif (uni, major) not in known_majors:
            r.bad(data, "major", "major", f"major {major!r} of {uni} is not in curricula/majors.yaml")
        elif level and known_majors[(uni, major)].level != level:
            r.bad(data, "level", "level", f"majors.yaml lists {major} as {known_majors[(uni, major)].level}")
        edition = data["edition"]
        if not isinstance(edition, str) or not edition.strip():
            r.bad(data, "edition", "edition", "must be a quoted text such as \"2024\"")
        eff = data["effective"]
        start = until = None
        if r.mapping(eff, "effective", required=("from",), optional=("until",), at=(data, "effective")):
            start = r.date(eff, "from", "effective")
            until = r.date(eff, "until", "effective", optional=True)
            if start and until and until < start:
                r.bad(eff, "until", "effective.until", "ends before it starts")
        source = r.citation(data)
        min_credits = r.integer(data, "min_credits", "")
        required = r.code_list(data, "required", "", catalogue)
        groups = []
        for i, g in enumerate(r.items(data, "groups", "groups", optional=True)):
            field = f"groups[{i}]"
            if not r.mapping(g, field, required=("id", "name", "courses"), optional=("pick", "min_credits", "note"),
                             at=(data["groups"], i)):
                continue
            gid = g["id"]
            if not isinstance(gid, str) or not ID.match(gid):
                r.bad(g, "id", join(field, "id"), "an id is lowercase letters, digits and dashes")
                gid = None
            pick = r.integer(g, "pick", field, optional=True)
            mc = r.integer(g, "min_credits", field, optional=True)
            if (pick is None) == (mc is None) and ("pick" in g) == ("min_credits" in g):
                r.bad(g, None, field, "a group has either pick or min_credits, not both or neither")
            courses = r.code_list(g, "courses", field, catalogue)
            if g["courses"] == []:
                r.bad(g, "courses", join(field, "courses"), "the group lists no courses",
                      "list the course codes it chooses from, or remove the group")
            elif pick and pick > len(courses):
                r.bad(g, "pick", join(field, "pick"), f"picks {pick} of only {len(courses)} courses")
            if mc and courses and sum(catalogue[c].credits for c in courses if c in catalogue) < mc:
                r.bad(g, "min_credits", join(field, "min_credits"), "more credits than all its courses hold")
            groups.append(Group(gid, r.text(g, "name", field), courses, pick, mc))
        ids = [g.id for g in groups]
        for gid in sorted({x for x in ids if x is not None and ids.count(x) > 1}):
            r.bad(data, "groups", "groups", f"group id {gid!r} is used twice")
        thesis = None
        if data.get("thesis") is not None:
            thesis = r.code(data, "thesis", "thesis", known=catalogue)
            if thesis and catalogue[thesis].kind != "thesis":
                r.bad(data, "thesis", "thesis", f"course {thesis} is not of kind thesis")
        codes = list(required) + [c for g in groups for c in g.courses] + ([thesis] if thesis else [])
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            r.bad(data, "required", "required", f"course {code} appears more than once in the plan")
        for code in required:
            course = catalogue.get(code)
            if course and course.kind == "thesis":
                r.bad(data, "required", "required", f"thesis {code} belongs under `thesis:`, not `required`")
            if course and course.kind == "practical" and course.theory and course.theory not in codes:
                r.bad(data, "required", "required",
                      f"practical {code} needs its theory course {course.theory} in the plan")
        total = sum(catalogue[c].credits for c in codes if c in catalogue)
        if min_credits and total and total < min_credits and not groups:
            r.bad(data, "min_credits", "min_credits", f"the plan's courses hold only {total} credits")
        if len(self.problems) > before:
            return None
        return Plan(uni, major, name, level, edition.strip(), start, until, min_credits, required,
                    tuple(groups), thesis, source, f)

    def policy(self, catalogue, plans) -> Policy | None:
        files = sorted(p for p in self.files if p.startswith("rulesets/") and p not in TABLE_FILES)
        policy_node = policy_file = policy_parent = _MISSING
        subs_nodes, eq_nodes = [], []
        for f in files:
            data = self.files[f]
            r = self.on(f)
            if not r.mapping(data, "", required=("source",),
                             optional=("id", "title", "policy", "substitutions", "equivalences", "note")):
                continue
            r.citation(data)
            if "policy" in data:
                if policy_node is not _MISSING:
                    r.bad(data, "policy", "policy", f"the policy is already defined in {policy_file}")
                policy_node, policy_file, policy_parent = data["policy"], f, data
            for i, node in enumerate(r.items(data, "substitutions", "substitutions", optional=True)):
                subs_nodes.append((f, data["substitutions"], i, node))
            for i, node in enumerate(r.items(data, "equivalences", "equivalences", optional=True)):
                eq_nodes.append((f, data["equivalences"], i, node))
        if policy_node is _MISSING:
            self.problems.append(Problem("rulesets/", None, "policy", "no ruleset file defines `policy:`"))
            return None
        f = policy_file
        r = self.on(f)
        keys = ("id", "title", "pass_mark", "practical_needs_theory", "thesis_levels", "prior_diploma")
        if not r.mapping(policy_node, "policy", required=keys,
                         optional=("passing_grades", "revision", "exceptions", "source", "note", "conduct_appraisal"),
                         at=(policy_parent, "policy")):
            return None
        pd = policy_node["prior_diploma"]
        pd_levels, pd_match = (), ()
        if r.mapping(pd, "policy.prior_diploma", required=("levels", "match"), optional=("note",),
                     at=(policy_node, "prior_diploma")):
            pd_levels = r.levels(pd, "levels", "policy.prior_diploma")
            pd_match = tuple(r.items(pd, "match", "policy.prior_diploma.match"))
            for i, m in enumerate(pd_match):
                if m not in ("name", "id_number", "gender"):
                    r.bad(pd["match"], i, f"policy.prior_diploma.match[{i}]", f"unknown field {m!r}",
                          "allowed: name, id_number, gender")
        subs = tuple(s for s in (self.substitution(*n, catalogue) for n in subs_nodes) if s)
        eqs = tuple(e for e in (self.equivalence(*n, catalogue) for n in eq_nodes) if e)
        for what, items in (("substitution", subs), ("equivalence", eqs)):
            ids = [x.id for x in items]
            for dup in sorted({x for x in ids if ids.count(x) > 1}):
                self.problems.append(Problem(f, None, f"{what}s", f"{what} id {dup!r} is used twice"))
        ptc = r.flag(policy_node, "practical_needs_theory", "policy")
        grades = list(r.items(policy_node, "passing_grades", "policy.passing_grades", optional=True)) \
            or ["优秀", "良好", "中等", "合格"]
        for i, grade in enumerate(grades if "passing_grades" in policy_node else ()):
            if not isinstance(grade, str) or not grade.strip():
                r.bad(policy_node["passing_grades"], i, f"policy.passing_grades[{i}]",
                      f"a grade is a non-empty text, found {kind_of(grade)}")
        return Policy(
            id=r.text(policy_node, "id", "policy"),
            title=r.text(policy_node, "title", "policy"),
            pass_mark=r.integer(policy_node, "pass_mark", "policy") or 60,
            passing_grades=tuple(grades),
            practical_needs_theory=ptc,
            thesis_levels=r.levels(policy_node, "thesis_levels", "policy"),
            prior_diploma_levels=pd_levels,
            prior_diploma_match=pd_match,
            substitutions=subs,
            equivalences=eqs,
            source=str(policy_node.get("source") or ""),
            revision=self.revision(r, policy_node),
            substitute_limits=self.substitute_limits(r, policy_node),
            conduct=self.conduct(r, policy_node),
        )

    @staticmethod
    def substitute_limits(r, policy_node) -> SubstituteLimits:
        """``policy.exceptions.substitute``: absent, every limit holds."""
        node = policy_node.get("exceptions")
        if node is None or not r.mapping(node, "policy.exceptions", optional=("substitute", "note"),
                                         at=(policy_node, "exceptions")):
            return SubstituteLimits()
        limits = node.get("substitute")
        flags = ("discontinued_major", "same_level", "credits_at_least")
        if limits is None or not r.mapping(limits, "policy.exceptions.substitute", required=(*flags, "source"),
                                           optional=("note",), at=(node, "substitute")):
            return SubstituteLimits()
        return SubstituteLimits(*(r.flag(limits, f, "policy.exceptions.substitute") for f in flags),
                                source=r.citation(limits))

    @staticmethod
    def conduct(r, policy_node) -> ConductPolicy | None:
        """policy.conduct_appraisal: the 思想品德鉴定 levels (data), which pass, from when it applies."""
        node = policy_node.get("conduct_appraisal")
        field = "policy.conduct_appraisal"
        if node is None or not r.mapping(node, field, required=("levels", "passing"),
                                         optional=("effective_from", "source", "note"),
                                         at=(policy_node, "conduct_appraisal")):
            return None
        levels = r.items(node, "levels", f"{field}.levels")
        passing = r.items(node, "passing", f"{field}.passing")
        for key, values in (("levels", levels), ("passing", passing)):
            for i, value in enumerate(values):
                if not isinstance(value, str) or not value.strip():
                    r.bad(node[key], i, f"{field}.{key}[{i}]", f"a level is a non-empty text, found {kind_of(value)}")
        if not levels:
            r.bad(node, "levels", f"{field}.levels", "list at least one level (e.g. 合格, 不合格)")
        if len(set(levels)) != len(levels):
            r.bad(node, "levels", f"{field}.levels", "a level is listed twice")
        for i, value in enumerate(passing):
            if value not in levels:
                r.bad(node["passing"], i, f"{field}.passing[{i}]", f"{value!r} is not one of the levels",
                      f"levels: {', '.join(map(str, levels))}")
        if not passing:
            r.bad(node, "passing", f"{field}.passing", "name the level(s) that pass (e.g. 合格)")
        return ConductPolicy(levels=tuple(map(str, levels)), passing=tuple(map(str, passing)),
                             effective_from=r.date(node, "effective_from", field, optional=True),
                             source=str(node.get("source") or ""))

    @staticmethod
    def revision(r, policy_node) -> int:
        value = r.integer(policy_node, "revision", "policy", optional=True)
        if value is not None and value > 2:
            r.bad(policy_node, "revision", "policy.revision", f"revision {value} is not known", "1 or 2")
        return value or 1

    def substitution(self, f, parent, i, node, catalogue):
        r = self.on(f)
        field = f"substitutions[{i}]"
        if not r.mapping(node, field, required=("id", "replaces", "min_credits", "levels", "source"),
                         optional=("majors", "note"), at=(parent, i)):
            return None
        sid = r.text(node, "id", field)
        replaces = r.code(node, "replaces", join(field, "replaces"), known=catalogue)
        mc = r.integer(node, "min_credits", field)
        levels = r.levels(node, "levels", field)
        majors = node.get("majors") or []
        if not isinstance(majors, list) or not all(isinstance(m, str) for m in majors):
            r.bad(node, "majors", join(field, "majors"), "must be a list of quoted major codes")
            majors = []
        if not (replaces and mc):
            return None
        if not sid:
            return None
        return Substitution(sid, replaces, mc, levels, tuple(majors), r.citation(node))

    def equivalence(self, f, parent, i, node, catalogue):
        r = self.on(f)
        field = f"equivalences[{i}]"
        if not r.mapping(node, field, required=("id", "old", "new", "source"),
                         optional=("kind", "direction", "effective", "credits_at_least", "passed_before", "note"),
                         at=(parent, i)):
            return None
        kind = r.choice(node, "kind", field, ("one-to-one", "pool"), optional=True, default="one-to-one")
        before = len(self.problems)
        eid = r.text(node, "id", field)
        old = r.codes_or_one(node, "old", field, catalogue)
        new = r.codes_or_one(node, "new", field, catalogue)
        if kind == "one-to-one" and (len(old) != 1 or len(new) != 1) and len(self.problems) == before:
            r.bad(node, "old", field, "a one-to-one equivalence maps one old course to one new course")
        if set(old) & set(new):
            r.bad(node, "new", join(field, "new"), "a course cannot stand for itself")
        cal = r.flag(node, "credits_at_least", field, default=False)
        passed_before = r.date(node, "passed_before", field, optional=True)
        direction = r.choice(node, "direction", field, ("old-to-new", "new-to-old", "both"),
                             optional=True, default="old-to-new")
        if kind == "pool" and direction != "old-to-new":
            r.bad(node, "direction", join(field, "direction"), "a pool stands old-to-new only")
        start = until = None
        if "effective" in node and r.mapping(node["effective"], join(field, "effective"),
                                             optional=("from", "until"), at=(node, "effective")):
            start = r.date(node["effective"], "from", join(field, "effective"), optional=True)
            until = r.date(node["effective"], "until", join(field, "effective"), optional=True)
            if start and until and until < start:
                r.bad(node["effective"], "until", join(field, "effective.until"), "ends before it starts")
        if len(self.problems) > before:
            return None
        return Equivalence(eid, kind, old, new, cal, passed_before, r.citation(node), direction, start, until)


def _code_hint(value: str, known) -> str:
    """Catalogue codes one slip away (a digit changed, two neighbours swapped), with their names.

    A mistyped code often has several such neighbours (00187: 00178 swapped; 00177, 00181,
    00182 one digit off); naming the first few with their course names lets the officer
    see which one was meant, where a single closest match would often be the wrong one.
    """
    swapped, changed = [], []
    for code in sorted(known):
        if len(code) != len(value):
            continue
        diff = [i for i, (a, b) in enumerate(zip(code, value, strict=True)) if a != b]
        if len(diff) == 1:
            changed.append(code)
        elif len(diff) == 2 and diff[1] == diff[0] + 1 and code[diff[0]] == value[diff[1]] \
                and code[diff[1]] == value[diff[0]]:
            swapped.append(code)
    near = (swapped + changed)[:3] or difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    if not near:
        return "add it to curricula/catalogue.yaml"
    named = [f"{c} {known[c].name}" if isinstance(known, dict) and hasattr(known[c], "name") else c for c in near]
    return "did you mean " + (named[0] if len(named) == 1 else ", ".join(named[:-1]) + " or " + named[-1]) + "?"


_MISSING = object()


def _has_content(text: str) -> bool:
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def _key_kind(key) -> str:
    if isinstance(key, str):
        return "text"
    if isinstance(key, (int, float)):
        return "number"
    return "empty" if key is None else type(key).__name__
