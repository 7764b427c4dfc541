"""A fast path for ``Schema.load`` on large valid requests, stepping aside for everything else.

marshmallow spends tens of microseconds per nested record (field objects,
error stores, hook lookups): validating a 25-record transcript cost more than
deciding it.  ``FastLoad`` compiles a schema once into plain checks that call
the *same* validators and schema hooks, and returns exactly what
``Schema.load`` returns.  Whenever it is not certain — a value of another type
than JSON's plain one (``"5"`` for an integer, ``1`` for a boolean), a date
not spelt YYYY-MM-DD, an unknown or missing key, ``null`` where it is not
allowed, any validator complaining, a field type or hook it does not model —
it steps aside and the ordinary ``Schema.load`` runs, producing the result or
every error message as before.  So the fast path accepts a subset of what
marshmallow accepts, with the same result (tests/reliability/test_fastload.py
checks both on generated and mutated bodies).
"""
from __future__ import annotations

import datetime as dt
import re

from marshmallow import RAISE, ValidationError, fields, missing
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.validate import Validator

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _StepAside(Exception):  # noqa: N818 - a signal, not an error
    """The fast path is not sure: let marshmallow decide."""


class _Unsupported(Exception):  # noqa: N818
    """The schema uses something the fast path does not model."""


def _validated(validators):
    """A function running a field's validators the way marshmallow's ``And`` does."""
    if not validators:
        return None

    def check(value):
        for v in validators:
            try:
                result = v(value)
            except ValidationError:
                raise _StepAside from None
            if result is False and not isinstance(v, Validator):
                raise _StepAside
    return check


def _converter(field):
    """value -> loaded value for one present, non-null value; raises _StepAside when unsure."""
    kind = type(field)
    fast = getattr(field, "fast_convert", None)
    if fast is not None:  # a field that says how it loads a plain value (None: not sure)
        def convert(v):
            out = fast(v)
            if out is None:
                raise _StepAside
            return out
    elif kind is fields.String:
        def convert(v):
            if type(v) is not str:
                raise _StepAside
            return v
    elif kind is fields.Integer:
        def convert(v):
            if type(v) is not int:
                raise _StepAside
            return v
    elif kind is fields.Boolean:
        if field.truthy and (True not in field.truthy or False not in field.falsy):
            raise _Unsupported("custom boolean spellings")

        def convert(v):
            if type(v) is not bool:
                raise _StepAside
            return v
    elif kind is fields.Date:
        if field.format not in ("iso", "iso8601"):
            raise _Unsupported("date format")

        def convert(v):
            if type(v) is not str or not _ISO_DATE.fullmatch(v):
                raise _StepAside
            try:
                return dt.date.fromisoformat(v)
            except ValueError:
                raise _StepAside from None
    elif kind is fields.Nested:
        if field.many or field.unknown not in (None, field.schema.unknown):
            raise _Unsupported("nested many or unknown override")
        convert = compile_schema(field.schema)
    elif kind is fields.List:
        inner = _field_loader(field.inner)

        def convert(v):
            if type(v) is not list:
                raise _StepAside
            return [inner(x) for x in v]
    else:
        raise _Unsupported(f"field type {kind.__name__}")
    return convert


def _field_loader(field):
    """The whole of ``Field.deserialize`` for a present value (None included)."""
    if field.pre_load or field.post_load:
        raise _Unsupported("field processors")
    convert, check, allow_none = _converter(field), _validated(tuple(field.validators)), field.allow_none

    def load(v):
        if v is None:
            if allow_none:
                return None
            raise _StepAside
        value = convert(v)
        if check is not None:
            check(value)
        return value
    return load


def compile_schema(schema):
    """A function data -> what ``schema.load(data)`` returns, raising _StepAside when unsure."""
    hooks = schema._hooks
    if schema.many or schema.partial or schema.unknown != RAISE or hooks[PRE_LOAD] or hooks[VALIDATES]:
        raise _Unsupported("many, partial, unknown other than raise, pre_load or field validators")
    for tag in (VALIDATES_SCHEMA, POST_LOAD):
        for _name, hook_many, kwargs in hooks[tag]:
            if hook_many or kwargs.get("pass_original"):
                raise _Unsupported("collection or pass_original hooks")
    plan = []
    for attr_name, field in schema.load_fields.items():
        key = field.attribute or attr_name
        if "." in key:
            raise _Unsupported("dotted attribute")
        data_key = field.data_key if field.data_key is not None else attr_name
        plan.append((data_key, key, field.required, field.load_default, _field_loader(field)))
    known = frozenset(p[0] for p in plan)
    validators = [getattr(schema, name) for name, _, _ in hooks[VALIDATES_SCHEMA]]
    processors = [getattr(schema, name) for name, _, _ in hooks[POST_LOAD]]
    partial, unknown = schema.partial, schema.unknown

    def load(data):
        if type(data) is not dict or not known.issuperset(data):
            raise _StepAside
        out = {}
        for data_key, key, required, default, loader in plan:
            if data_key in data:
                out[key] = loader(data[data_key])
            elif required:
                raise _StepAside
            else:
                value = default() if callable(default) else default
                if value is not missing:
                    out[key] = value
        for validator in validators:
            try:
                validator(out, partial=partial, many=False, unknown=unknown)
            except ValidationError:
                raise _StepAside from None
        for processor in processors:
            try:
                out = processor(out, many=False, partial=partial, unknown=unknown)
            except ValidationError:
                raise _StepAside from None
        return out
    return load


class FastLoad:
    """Mixin for a marshmallow Schema: ``load`` tries the compiled fast path first."""

    def load(self, data, *, many=None, partial=None, unknown=None):
        if many is None and partial is None and unknown is None:
            fast = self.__dict__.get("_fast_load")
            if fast is None:
                try:
                    fast = compile_schema(self)
                except _Unsupported:
                    fast = False
                self._fast_load = fast
            if fast:
                try:
                    return fast(data)
                except _StepAside:
                    pass
        return super().load(data, many=many, partial=partial, unknown=unknown)
