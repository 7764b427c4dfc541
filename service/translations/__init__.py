"""Message catalogues: errors are raised in English message ids and rendered here in the reader's language.

The catalogues are ``<locale>/LC_MESSAGES/messages.po`` beside this file (compiled ``.mo`` committed);
``make messages`` extracts, updates and compiles them (docs/api-contract.md).  Chinese is the default
(candidates read the portal in Chinese).  Message ids are English, so the ``en`` catalogue translates only
the few written in Chinese at their source (the 毕业生登记表's, whose form is Chinese).

Nothing here needs Flask: the web layer passes Flask-Babel's translations of the request's locale, the
CLI passes ``catalogue(DEFAULT_LOCALE)``.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

from babel.support import NullTranslations, Translations

from service.errors import Msg, ServiceError

DIRECTORY = Path(__file__).parent
DOMAIN = "messages"
DEFAULT_LOCALE = "zh"
LOCALES = ("zh", "en")  # the first is the default when Accept-Language names neither

# What `pybabel extract` follows (the first argument unless told): the errors' messages, the field
# problems marked N_, validators' and marshmallow's messages.  The Makefile and the catalogue test read
# this list, so a new error class that takes a message is added once, here.
KEYWORDS = ("N_", "Msg", "ServiceError", "InvalidInput", "BadRequest", "Unauthorized", "Forbidden", "NotFound",
            "Conflict", "PayloadTooLarge", "UnsupportedMediaType", "TooManyRequests", "UnknownMajor", "NoPlan",
            "ValidationError", "TransferRefused", "invalid:2")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# "中文 / English", as the upload checks and some state tables write a message at its source (they are also
# stored, for staff, in both languages): the reader gets the side in their language
_BILINGUAL = re.compile(r"(?P<zh>.*[\u3400-\u9fff].*?) / (?P<en>[A-Za-z(\"'].*)", re.S)


@functools.cache
def catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (``NullTranslations``, the ids as they are, for an unknown one)."""
    return Translations.load(str(DIRECTORY), [locale], DOMAIN)


@functools.cache
def _templates(translations: NullTranslations) -> tuple[tuple[re.Pattern, str], ...]:
    """Catalogue entries whose id has ``{name}`` placeholders, as patterns over the formatted text.

    marshmallow formats its messages before we see them ("Must be one of: 男, 女."), so the sentence is
    found again by its shape and its values carried into the translation.
    """
    out = []
    for msgid, msgstr in getattr(translations, "_catalog", {}).items():
        if isinstance(msgid, str) and msgstr and _PLACEHOLDER.search(msgid):
            parts = _PLACEHOLDER.split(msgid)  # literal, name, literal, name, …, literal
            rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
            out.append((re.compile(rx + r"\Z", re.S), msgstr))
    # longest first: "Must be greater than … and less than …" before "Must be greater than …"
    out.sort(key=lambda t: -len(t[0].pattern))
    return tuple(out)


def translate(text, translations: NullTranslations, locale: str = DEFAULT_LOCALE):
    """One message in ``locale``, by ``translations`` (its catalogue); text it does not know comes back as it is."""
    if isinstance(text, Msg):
        params = {k: translate(v, translations, locale) if isinstance(v, Msg) else v for k, v in text.params.items()}
        return translations.gettext(text.msgid) % params if params else translations.gettext(text.msgid)
    if not isinstance(text, str) or not text:
        return text
    out = translations.gettext(text)
    if out != text:
        return out
    for rx, msgstr in _templates(translations):
        m = rx.match(text)
        if m:
            values = m.groupdict()
            return _PLACEHOLDER.sub(lambda p, values=values: values.get(p[1], p[0]), msgstr)
    both = _BILINGUAL.fullmatch(text)
    if both:
        return both["en"] if locale == "en" else both["zh"]
    return text


def translate_tree(value, translations: NullTranslations, locale: str = DEFAULT_LOCALE):
    """Field problems nested like the request: keys (field names) kept, every message translated."""
    if isinstance(value, dict):
        return {k: translate_tree(v, translations, locale) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [translate_tree(v, translations, locale) for v in value]
    return translate(value, translations, locale)


def render(body: dict, translations: NullTranslations, locale: str = DEFAULT_LOCALE) -> dict:
    """An error body (``ServiceError.to_dict`` or the web layer's own) with its message and fields translated."""
    out = dict(body)
    if "message" in out:
        out["message"] = translate(out["message"], translations, locale)
    if "fields" in out:
        out["fields"] = translate_tree(out["fields"], translations, locale)
    return out


def text(exc: ServiceError) -> str:
    """The CLI's line: Chinese first, then the English when they differ (an operator may read either)."""
    zh = translate(exc.message, catalogue(DEFAULT_LOCALE))
    en = translate(exc.message, catalogue("en"), "en")
    return zh if zh == en else f"{zh} / {en}"
