"""Validators and fields used by several schemas; messages are overridable."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service import clock, idnumber
from service.errors import N_, Msg

# SQLite's integers are 64-bit: a larger offset overflowed in the query (a 500)
SQLITE_MAX_INT = 2**63 - 1
OFFSET = validate.Range(min=0, max=SQLITE_MAX_INT, error=N_("must be between {min} and {max}"))


class Exact(validate.Regexp):
    """A Regexp whose ``$`` lets no trailing newline through (Python's does; the JSON Schema the
    OpenAPI document shows, ECMA-262, does not) — so the check is what the document says."""

    def __call__(self, value):
        if isinstance(value, str) and value.endswith("\n"):
            raise ValidationError(self._format_error(value))
        return super().__call__(value)


# [0-9], not \d: \d also matches full-width and other scripts' digits, which would be stored as given
COURSE_CODE = Exact(r"^[0-9]{5}$", error=N_("a course code is 5 digits, e.g. 00181"))
EXAM_NUMBER = Exact(r"^[0-9]{12}$", error=N_("a 准考证号 is 12 digits"))
GENDER = validate.OneOf(["男", "女"], error=N_("must be 男 or 女"))
MAJOR_CODE = Exact(r"^[0-9]{6}[A-Z]{0,2}$", error=N_("a major code is 6 digits and up to two letters, e.g. 030101K"))
SLUG = Exact(r"^[a-z][a-z0-9-]{1,31}$", error=N_("a university is given by its slug, e.g. sxufe"))
NAME_CHARS = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·A-Za-z ]{1,30}\Z")


def id_number(value):
    errs = idnumber.problems(value, clock.today())
    if errs:
        raise ValidationError(errs)


def person_name(value):
    if not NAME_CHARS.match(value or ""):
        raise ValidationError("a name is 1 to 30 Chinese or Latin letters (· allowed)")


def upload_body(field: str, description: str) -> dict:
    """The OpenAPI requestBody of a one-file multipart upload (the view reads ``request.files[field]``)."""
    return {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": [field],
        "properties": {field: {"type": "string", "format": "binary", "description": description}}}}}}


def file_response(description: str, *mimetypes: str) -> dict:
    """The OpenAPI 200 of a view answering a stored file's bytes."""
    return {"200": {"description": description,
                    "content": {m: {"schema": {"type": "string", "format": "binary"}} for m in mimetypes}}}


def enumeration(name: str, **metadata) -> dict:
    """Field metadata naming the value list the field takes (served by GET /v1/enumerations/{name})."""
    return {**metadata, "x-enumeration": f"/v1/enumerations/{name}"}


class StrictSchema(Schema):
    """Unknown fields are errors (a typo must not silently drop data)."""

    class Meta:
        unknown = "raise"


class OneOfNow(validate.Validator):
    """A OneOf whose choices come from the rules files, so they are read when a value is checked."""

    def __init__(self, choices: Callable[[], Iterable[str]], zh: str, en: str):
        self._choices = choices  # not `choices`: apispec would read it as a fixed enum
        self.zh, self.en = zh, en

    def __call__(self, value):
        allowed = list(self._choices())
        if value not in allowed:
            raise ValidationError(Msg("unknown %(what)s (%(what_zh)s): one of %(allowed)s", what=self.en, what_zh=self.zh,
                                      allowed=", ".join(allowed)))
        return value


class PageQuerySchema(StrictSchema):
    """``limit`` and ``offset`` of every list; the answer is ``page_schema``'s envelope."""

    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))
    offset = fields.Integer(load_default=0, validate=OFFSET)


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The envelope of a list: ``{total, limit, offset, items}`` (``total`` counts every match)."""
    return type(name, (Schema,), {
        "total": fields.Integer(metadata={"description": "how many match, over all pages"}),
        "limit": fields.Integer(), "offset": fields.Integer(),
        "items": fields.List(fields.Nested(item)),
    })


def page(query: dict, total: int, items: list) -> dict:
    return {"total": total, "limit": query.get("limit", 50), "offset": query.get("offset", 0), "items": items}


class CandidateSchema(StrictSchema):
    exam_number = fields.String(required=True, validate=EXAM_NUMBER, metadata={"description": "准考证号", "example": "010119100001"})
    name = fields.String(required=True, validate=person_name, metadata={"example": "张三"})
    id_number = fields.String(required=True, validate=id_number, metadata={"description": "身份证号 (GB 11643)", "example": "11010519491231002X"})
    gender = fields.String(required=True, validate=GENDER, metadata={"example": "女"})

    @validates_schema
    def _gender_matches_id(self, data, **kwargs):
        idn, gender = data.get("id_number"), data.get("gender")
        if idn and gender and not idnumber.problems(idn, clock.today()) and idnumber.gender_of(idn) != gender:
            raise ValidationError("does not match the gender encoded in the ID number", "gender")


class EventSchema(Schema):
    """One step of a record's history as service/statemachine.py writes it."""

    id = fields.Integer()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    action = fields.String()
    actor = fields.String()
    role = fields.String()
    at = fields.String()
    reason = fields.String(allow_none=True)
