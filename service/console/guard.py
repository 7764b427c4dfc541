"""The role guard and form checks the console's pages share (the blueprint is in ``api``)."""
from __future__ import annotations

from functools import wraps

from flask import g
from marshmallow import ValidationError

from service.errors import Forbidden, InvalidInput

# the highest page number a list page takes: beyond it the offset would not fit SQLite's integers
MAX_PAGE = 1_000_000


def principal():
    return g.principal


def staff(*roles):
    """Only these roles see the page (403 page otherwise)."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            if g.principal.role not in roles:
                raise Forbidden(f"role {g.principal.role} may not open this page")
            return view(*args, **kwargs)
        return inner
    return wrap


def validated(schema, data: dict) -> dict:
    """The API's own schema applied to the form: the same fields, checks and messages."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise InvalidInput("the form has invalid fields; see fields", fields=exc.messages) from None
