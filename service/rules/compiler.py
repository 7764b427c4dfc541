"""Compile a plan's requirement shape into a durable-rules ruleset definition.

The shape is what the allocation pass reduces a plan to: per requirement, the
terms that can meet it and their thresholds (from the YAML).  It does not
depend on the candidate, so one compiled ruleset serves every evaluation of a
plan under a bundle version.  The rules are built so that an eligible
candidate fires exactly one action (``eligible``) and an ineligible one fires
one action per requirement it fails (``u<j>`` unmet, ``p<j>`` pending): few
actions is what keeps durable-rules fast.
"""
from __future__ import annotations

from service.rules.canonical import content_hash

COMPILER_VERSION = "2"
VERIFIED = 2


def shape_of(allocation) -> list[list]:
    """[[requirement id, [[term name, threshold, is_status], ...]], ...] — candidate-independent."""
    return [[r.id, [[t.name, t.threshold, t.is_status] for t in r.terms]] for r in allocation.requirements]


def ruleset_name(bundle_version: str, shape) -> str:
    # durable-rules registers a ruleset name once per process: naming by content
    # hash makes a changed plan a new name and an unchanged one a cache hit.
    return "g" + content_hash([COMPILER_VERSION, bundle_version, shape])[:24]


_NAMED_LIMIT = 4096
_named: dict[tuple, tuple] = {}


def named(bundle_version: str, allocation) -> tuple[list, str, list]:
    """(shape, ruleset name, fact fields) of an allocation, cached by the shape itself.

    Hashing the shape for its name cost a fifth of a decision; the shape has few
    distinct values (one per plan and bundle version), so a dict keyed by it,
    as tuples, answers instead.
    """
    key = (bundle_version, tuple((r.id, tuple((t.name, t.threshold, t.is_status) for t in r.terms))
                                 for r in allocation.requirements))
    hit = _named.get(key)
    if hit is None:
        if len(_named) >= _NAMED_LIMIT:  # many reloaded versions: start again rather than grow
            _named.clear()
        shape = shape_of(allocation)
        hit = _named[key] = (shape, ruleset_name(bundle_version, shape), field_names(shape))
    return hit


def field_names(shape) -> list[list[tuple]]:
    """Per requirement, per term: the fact field(s) holding its measure."""
    out, n = [], 0
    for _rid, terms in shape:
        row = []
        for _name, _threshold, is_status in terms:
            row.append((f"s{n}",) if is_status else (f"v{n}", f"a{n}"))
            n += 1
        out.append(row)
    return out


def fact_of(allocation, fields) -> dict:
    fact = {}
    for req, row in zip(allocation.requirements, fields, strict=True):
        for term, names in zip(req.terms, row, strict=True):
            if term.is_status:
                fact[names[0]] = term.verified
            else:
                fact[names[0]], fact[names[1]] = term.verified, term.all
    return fact


def _cmp(op, field, value):
    return {op: {field: value}}


def _reached(names, threshold, is_status, verified: bool):
    """Condition: the term's measure reaches its threshold (verified, or counting pending)."""
    if is_status:
        return _cmp("$gte", names[0], VERIFIED if verified else 1)
    return _cmp("$gte", names[0] if verified else names[1], threshold)


def _short(names, threshold, is_status, verified: bool):
    if is_status:
        return _cmp("$lt", names[0], VERIFIED if verified else 1)
    return _cmp("$lt", names[0] if verified else names[1], threshold)


def _any(conds):
    return conds[0] if len(conds) == 1 else {"$or": conds}


def _all(conds):
    return conds[0] if len(conds) == 1 else {"$and": conds}


def compile_shape(shape) -> dict:
    """The durable-rules definition (its dict form) for a requirement shape."""
    fields = field_names(shape)
    met, rules = [], {}
    for j, ((_rid, terms), row) in enumerate(zip(shape, fields, strict=True)):
        spec = [(names, t[1], t[2]) for t, names in zip(terms, row, strict=True)]
        met.append(_any([_reached(n, th, st, True) for n, th, st in spec]))
        rules[f"u{j}"] = {"all": [{"m": _all([_short(n, th, st, False) for n, th, st in spec])}]}
        rules[f"p{j}"] = {"all": [{"m": _all([
            _all([_short(n, th, st, True) for n, th, st in spec]),
            _any([_reached(n, th, st, False) for n, th, st in spec]),
        ])}]}
    rules["eligible"] = {"all": [{"m": _all(met)}]}
    return rules
