"""What changed between two ruleset versions, per major, in words a curriculum officer reads."""
from __future__ import annotations

from dataclasses import fields

from service.rules.loader import TABLE_FILES


def diff_bundles(old, new) -> dict:
    """{"majors": {"<uni> <code> <name>": [sentence, ...]}, "policy": [...], "catalogue": [...],
    "tables": {"<workflow or transfer file>": [sentence, ...]}}."""
    majors: dict[str, list[str]] = {}
    keys = sorted({(p.university, p.major) for p in old.plans + new.plans}
                  | {(m.university, m.code) for m in old.majors + new.majors})
    for uni, code in keys:
        lines = _major_lines(old, new, uni, code)
        if lines:
            majors[_title(new, old, uni, code)] = lines
    tables = {path: lines for path in TABLE_FILES
              if (lines := _file_lines(old.files.get(path), new.files.get(path)))}
    return {"majors": majors, "policy": _policy_lines(old.policy, new.policy),
            "catalogue": _catalogue_lines(old, new), "tables": tables}


def render(result: dict) -> list[str]:
    out = []
    for title, lines in result["majors"].items():
        out.append(title)
        out += [f"  - {line}" for line in lines]
    if result["catalogue"]:
        out.append("课程目录 (catalogue)")
        out += [f"  - {line}" for line in result["catalogue"]]
    if result["policy"]:
        out.append("政策 (policy, substitutions, equivalences)")
        out += [f"  - {line}" for line in result["policy"]]
    for path, lines in result.get("tables", {}).items():
        out.append(f"工作流程与转出规则 (workflow and transfer tables): {path}")
        out += [f"  - {line}" for line in lines]
    return out or ["no change that affects decisions"]


def _title(new, old, uni, code) -> str:
    major = new.major(uni, code) or old.major(uni, code)
    uni_name = (new.universities.get(uni) or old.universities.get(uni))
    name = f" {major.name}({major.level})" if major else ""
    return f"{uni_name.name if uni_name else uni} {code}{name}"


def _course(bundle, code) -> str:
    c = bundle.catalogue.get(code)
    return f"{code} {c.name} ({c.credits} credits)" if c else code


def _major_lines(old, new, uni, code) -> list[str]:
    lines = []
    om, nm = old.major(uni, code), new.major(uni, code)
    if om and not nm:
        lines.append("major removed from curricula/majors.yaml")
    elif nm and not om:
        lines.append(f"major added to curricula/majors.yaml ({nm.level}, {nm.status})")
    elif om and nm:
        for attr, what in (("name", "name"), ("level", "level"), ("status", "status")):
            if getattr(om, attr) != getattr(nm, attr):
                lines.append(f"{what} changed: {getattr(om, attr)} → {getattr(nm, attr)}")
        if om.no_plan != nm.no_plan:  # what GET /v1/majors tells candidates about a major without a plan
            lines.append("marked as having no plan (no_plan)" if om.no_plan is None else
                         "no_plan marker removed" if nm.no_plan is None else "no_plan reason changed")
    op = {p.edition: p for p in old.plans_for(uni, code)}
    np_ = {p.edition: p for p in new.plans_for(uni, code)}
    for edition in sorted(set(op) | set(np_)):
        a, b = op.get(edition), np_.get(edition)
        if a and not b:
            lines.append(f"edition {edition} removed (was in force {_span(a)})")
        elif b and not a:
            lines.append(f"edition {edition} added, in force {_span(b)}: {len(b.required)} required course(s), "
                         f"{len(b.groups)} group(s), min {b.min_credits} credits")
        else:
            lines += [f"edition {edition}: {line}" for line in _plan_lines(old, new, a, b)]
    return lines


def _span(plan) -> str:
    return f"from {plan.effective_from.isoformat()}" + (f" until {plan.effective_until.isoformat()}"
                                                        if plan.effective_until else "")


def _plan_lines(old, new, a, b) -> list[str]:
    lines = []
    if (a.effective_from, a.effective_until) != (b.effective_from, b.effective_until):
        lines.append(f"in force {_span(a)} → {_span(b)}")
    if a.min_credits != b.min_credits:
        lines.append(f"threshold changed: minimum credits {a.min_credits} → {b.min_credits}")
    for code in b.required:
        if code not in a.required:
            lines.append(f"course added (required): {_course(new, code)}")
    for code in a.required:
        if code not in b.required:
            lines.append(f"course removed (required): {_course(old, code)}")
    for code in sorted(set(a.codes()) & set(b.codes())):
        oc, nc = old.catalogue.get(code), new.catalogue.get(code)
        if oc and nc and oc.credits != nc.credits:
            lines.append(f"credits changed: {code} {nc.name} {oc.credits} → {nc.credits}")
        if oc and nc and oc.name != nc.name:
            lines.append(f"course renamed: {code} {oc.name} → {nc.name}")
    if a.thesis != b.thesis:
        lines.append(f"thesis changed: {_course(old, a.thesis) if a.thesis else 'none'} → "
                     f"{_course(new, b.thesis) if b.thesis else 'none'}")
    og, ng = {g.id: g for g in a.groups}, {g.id: g for g in b.groups}
    for gid in ng.keys() - og.keys():
        g = ng[gid]
        lines.append(f"group added: {g.name} ({_rule(g)} of {', '.join(g.courses)})")
    for gid in og.keys() - ng.keys():
        lines.append(f"group removed: {og[gid].name}")
    for gid in sorted(og.keys() & ng.keys()):
        x, y = og[gid], ng[gid]
        if _rule(x) != _rule(y):
            lines.append(f"group {y.name}: threshold changed: {_rule(x)} → {_rule(y)}")
        for code in y.courses:
            if code not in x.courses:
                lines.append(f"group {y.name}: course added: {_course(new, code)}")
        for code in x.courses:
            if code not in y.courses:
                lines.append(f"group {y.name}: course removed: {_course(old, code)}")
        if x.name != y.name:
            lines.append(f"group renamed: {x.name} → {y.name}")
    if a.required != b.required and set(a.required) == set(b.required):
        lines.append("required courses reordered (the order in which courses are counted)")
    return lines


def _rule(group) -> str:
    return f"pick {group.pick}" if group.pick else f"at least {group.min_credits} credits"


def _catalogue_lines(old, new) -> list[str]:
    lines = []
    for code in sorted(new.catalogue.keys() - old.catalogue.keys()):
        lines.append(f"course added to the catalogue: {_course(new, code)}")
    for code in sorted(old.catalogue.keys() - new.catalogue.keys()):
        lines.append(f"course removed from the catalogue: {_course(old, code)}")
    for code in sorted(old.catalogue.keys() & new.catalogue.keys()):
        a, b = old.catalogue[code], new.catalogue[code]
        for attr in ("credits", "name", "kind", "theory", "national"):
            if getattr(a, attr) != getattr(b, attr):
                lines.append(f"{code} {b.name}: {attr} {getattr(a, attr)} → {getattr(b, attr)}")
    return lines


def _policy_lines(a, b) -> list[str]:
    lines = []
    for f in fields(a):
        if f.name in ("substitutions", "equivalences", "source"):
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if x != y:
            lines.append(f"policy {f.name}: {_show(x)} → {_show(y)}")
    lines += _items("substitution", a.substitutions, b.substitutions)
    lines += _items("equivalence", a.equivalences, b.equivalences)
    return lines


def _items(what, old, new) -> list[str]:
    lines = []
    o, n = {x.id: x for x in old}, {x.id: x for x in new}
    for key in sorted(n.keys() - o.keys()):
        lines.append(f"{what} added: {key} ({_summary(n[key])})")
    for key in sorted(o.keys() - n.keys()):
        lines.append(f"{what} removed: {key} ({_summary(o[key])})")
    for key in sorted(o.keys() & n.keys()):
        for f in fields(o[key]):
            if f.name == "source":
                continue
            x, y = getattr(o[key], f.name), getattr(n[key], f.name)
            if x != y:
                lines.append(f"{what} {key}: {f.name} {_show(x)} → {_show(y)}")
    return lines


def _summary(item) -> str:
    if hasattr(item, "replaces"):
        return f"replaces {item.replaces} with at least {item.min_credits} credits, levels {_show(item.levels)}"
    return f"{item.kind}: {_show(item.old)} stands for {_show(item.new)}"


def _show(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _file_lines(a, b) -> list[str]:
    """Every value of a workflow or transfer file that differs, by its field path (their canonical data)."""
    if a is None or b is None:
        return [] if a is b else ["file added" if a is None else "file removed"]
    old, new = dict(_leaves(a)), dict(_leaves(b))
    lines = []
    for field in sorted(old.keys() | new.keys()):
        if field not in new:
            lines.append(f"{field} removed (was {_show(old[field])})")
        elif field not in old:
            lines.append(f"{field} added: {_show(new[field])}")
        elif old[field] != new[field]:
            lines.append(f"{field}: {_show(old[field])} → {_show(new[field])}")
    return lines


def _leaves(node, field=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{field}.{key}" if field else str(key))
    elif isinstance(node, list) and node:
        for i, value in enumerate(node):
            yield from _leaves(value, f"{field}[{i}]")
    else:
        yield field, node
