"""gunicorn's access log without personal data: ID numbers and phones typed into URLs are masked.

The service never logs bodies, but the access log records the path and query as
the client sent them, and a 身份证号 or phone number can end up there (a lookup
by the wrong number, a query parameter).  ``make run`` starts gunicorn with
``--logger-class service.web.access_log.RedactingLogger``.
"""
from __future__ import annotations

import re

from gunicorn.glogging import Logger

from service.idnumber import mask, mask_phone

# 18 characters (17 digits and a digit or X) or a mainland mobile number, not inside a longer digit run:
# a 12-digit 准考证号 is neither and stays readable
_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")
_PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_REDACTED_ATOMS = ("U", "q", "r", "f", "{raw_uri}e")


def redact(text: str) -> str:
    text = _ID_NUMBER.sub(lambda m: mask(m.group()), text)
    return _PHONE.sub(lambda m: mask_phone(m.group()), text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in _REDACTED_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
