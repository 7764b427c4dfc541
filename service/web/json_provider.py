"""Response bodies encoded by orjson.

A decision is a few kilobytes of small nested objects; the standard library's
encoder spent about a tenth of a request's CPU on it.  orjson writes the same
JSON (UTF-8, Chinese unescaped, keys in insertion order) several times faster.
Responses need no canonical spelling, so this is only about speed: the
canonical JSON of versions and the decision log (``service.rules.canonical``) is
unchanged.  Whatever orjson declines (integers beyond 64 bits, a key that is
not text), and every other spelling (indented in debug mode, dumps() itself) goes to Flask's own encoder, and
dates, dataclasses and the like still go through Flask's ``default``.
"""
from __future__ import annotations

import orjson
from flask.json.provider import DefaultJSONProvider

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_COMPACT = (",", ":")


class OrjsonProvider(DefaultJSONProvider):
    ensure_ascii = False  # Chinese stays readable in every response
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        # only the compact spelling response() asks for: plain dumps() keeps json's ", " and ": "
        if kwargs == {"separators": _COMPACT} and not self.sort_keys and not self.ensure_ascii:
            try:
                return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode("utf-8")
            except TypeError:  # orjson.JSONEncodeError: what it cannot spell, json.dumps can
                pass
        return super().dumps(obj, **kwargs)
