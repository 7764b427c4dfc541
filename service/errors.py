"""One error hierarchy for the whole service.

Every error knows its HTTP status, a stable machine code, a human message and,
where input was at fault, the problems keyed by field (marshmallow's shape:
``{"field": ["message", ...]}``, nested for nested input).  The mapping to JSON
lives in ``to_dict`` and is used by the single Flask error handler in
``service.app`` and by the CLI, so a problem reads the same everywhere.

Messages are English message ids, translated where they are shown, not where
they are raised: the rules core and the CLI raise these errors without a
request, and only the web layer knows the reader's language.  A message with
values is a ``Msg`` (its id keeps ``%(name)s`` placeholders, so a catalogue
translates the sentence once, whatever the values); a fixed one is a plain
string, marked with ``N_`` when it is not the first argument of an error
(``service/translations`` lists the marks ``pybabel extract`` follows).
"""
from __future__ import annotations

import re


def N_(msgid: str) -> str:  # noqa: N802 - gettext's conventional name for "mark, translate later"
    """Marks a message for the catalogue; it is translated when rendered (service.translations)."""
    return msgid


class Msg(str):
    """An English message with values, which a catalogue translates later by its id.

    As a ``str`` it is the English text, so code and logs that only read it need not know; the
    renderer (``service.translations.translate``) uses ``msgid`` and ``params`` instead.
    """

    def __new__(cls, msgid: str, **params):
        self = super().__new__(cls, msgid % params if params else msgid)
        self.msgid = msgid
        self.params = params
        return self


def joined(parts: list, separator: str = "; ") -> Msg:
    """Several messages as one value of another, each translated in turn: an id of placeholders only."""
    msgid = separator.replace("%", "%%").join(f"%(p{i})s" for i in range(len(parts)))
    return Msg(msgid, **{f"p{i}": part for i, part in enumerate(parts)})


def echoed(value: str, shape: str | re.Pattern, instead: str) -> str:
    """``value`` when it has the shape of what was asked for, else ``instead``.

    A path segment comes back in a 404's message only when it cannot be an ID
    number or a phone typed in the wrong place.  ``shape`` may be a validator's
    own pattern (``schemas.common.MAJOR_CODE.regex``).
    """
    return value if isinstance(value, str) and re.fullmatch(shape, value) else instead


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra

    def to_dict(self) -> dict:
        """The body in English ids; ``service.translations.render`` gives it in the reader's language."""
        body = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        body.update(self.extra)
        return body


class InvalidInput(ServiceError):
    status = 422
    code = "invalid_input"


class BadRequest(ServiceError):
    status = 400
    code = "bad_request"


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class UnknownMajor(NotFound):
    """The chosen university examines no such major: nothing to decide with, so 404.

    The rules core raises it knowing neither HTTP nor the request's shape: ``choice`` says what is wrong
    with the choice, and it is reported under ``choices``, where an evaluation request names its majors.
    """

    def __init__(self, message: str, *, choice: str | None = None):
        super().__init__(message, fields={"choices": [choice]} if choice else None)


class NoPlan(ServiceError):
    """The major exists but no exam plan of it is in force on the date asked: the choice cannot be decided.

    422, not 404: the major is there, and a client matching on ``error`` must tell this from "no such thing".
    """

    status = 422
    code = "no_plan_in_force"

    def __init__(self, message: str, *, choice: str | None = None):
        super().__init__(message, fields={"choices": [choice]} if choice else None)


class Conflict(ServiceError):
    """An action that the current state does not allow; ``extra`` carries the state."""

    status = 409
    code = "conflict"


class PayloadTooLarge(ServiceError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ServiceError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(ServiceError):
    status = 429
    code = "too_many_requests"


class RulesetError(ServiceError):
    """A curriculum or ruleset file is invalid.

    ``problems`` is a list of ``Problem`` (file, line, field, message, hint); the
    message lists them all, so a curriculum officer sees every mistake at once.
    """

    status = 422
    code = "invalid_ruleset"

    def __init__(self, problems):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems]
        super().__init__(
            Msg("%(count)d problem(s) in the rules:\n%(lines)s", count=len(self.problems), lines="\n".join(lines)),
            problems=[p.to_dict() for p in self.problems],
        )
