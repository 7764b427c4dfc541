"""The one strict YAML reader for every file under curricula/ and rulesets/.

It remembers where every key and item came from; ``Reader`` checks a parsed
document (allowed and required keys, kinds, sources) and collects every
``Problem`` (file, line, field, message, hint) of a file, raised at once.
Where a marshmallow schema checks the values instead (test cases, candidate
files), ``flatten`` and ``locate`` put its messages on the lines they are about.

PyYAML silently keeps the last of two duplicate keys; curriculum staff would
never see their mistake, so duplicates are an error here.  Mappings and lists
come back as ``dict`` / ``list`` subclasses carrying the line of each key or
item, which the validator uses to name ``file:line: field`` in its messages.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

import yaml

from service.errors import RulesetError


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.field}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_dict(self) -> dict:
        out = {"file": self.file, "line": self.line, "field": self.field, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        return out


# PyYAML composes and constructs nodes recursively: a few thousand `[` exhaust
# Python's stack.  No curriculum file comes near this depth.
MAX_DEPTH = 100
# Aliases share one node, but everything that walks the data afterwards (the
# content hash, JSON) expands them: ten levels of ten aliases are 10^10 values.
MAX_VALUES = 200_000
# What PyYAML counts as a line break, so a reader position turns into its line.
_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# Constructors raise these (not YAMLError) when a tag cannot hold its scalar:
# `!!int abc`, `2021-02-30`, `!!bool maybe`, 5,000 digits.
_CONSTRUCT_FAILURES = (ValueError, KeyError, AttributeError, TypeError, OverflowError, IndexError)


class LineDict(dict):
    """A mapping with ``line`` (its own start) and ``lines`` (line of each key)."""

    line: int | None = None
    lines: dict


class LineList(list):
    line: int | None = None
    lines: list


class _StrictLoader(yaml.SafeLoader):
    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except _CONSTRUCT_FAILURES as exc:
            raise yaml.constructor.ConstructorError(None, None, _cannot_read(node, exc), node.start_mark) from None


def _cannot_read(node, exc: Exception) -> str:
    value = node.value if isinstance(node.value, str) else ""
    shown = repr(value if len(value) <= 40 else value[:40] + "…")
    message = f"cannot read {shown} as {str(node.tag).rsplit(':', 1)[-1]}"
    if isinstance(exc, (ValueError, OverflowError)):
        # Python's own wording ("invalid literal", "day is out of range for month",
        # "Exceeds the limit (4300 digits) ..."), without its advice to programmers
        message += ": " + str(exc).split(";")[0].strip()
    return message


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"unhashable or complex key {key!r}", key_node.start_mark
            )
        if key in out:
            first = out.lines[key]
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first defined on line {first})", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: _StrictLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


def _construct_int(loader: _StrictLoader, node: yaml.ScalarNode):
    # YAML 1.1 reads 00153 as octal 107: an unquoted course code would silently
    # become another number.  A leading-zero integer is kept as written.
    text = node.value.replace("_", "")
    if len(text) > 1 and text.startswith("0") and text.isdigit():
        return node.value
    return loader.construct_yaml_int(node)


_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class YamlSyntaxError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def parse_yaml(text: str, filename: str):
    """Parse one YAML document; a syntax error or duplicate key raises YamlSyntaxError.

    Every error names a line: a character PyYAML refuses is located from its
    position, a value its tag cannot hold from its node.
    """
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlSyntaxError(Problem(filename, line, "(yaml)", str(exc.problem or exc).strip())) from None
    except yaml.reader.ReaderError as exc:
        line = len(_BREAK.findall(text, 0, exc.position)) + 1 if isinstance(exc.position, int) else None
        message = exc.reason
        if isinstance(exc.character, int):
            message = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        raise YamlSyntaxError(Problem(filename, line, "(yaml)", message,
                                      "delete it or retype the line")) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(filename, None, "(yaml)", str(exc).strip())) from None
    _check_expansion(data, filename)
    return data


def _check_expansion(data, filename: str) -> None:
    """Refuse a document whose aliases expand it beyond MAX_VALUES values."""
    count, pending = 0, [data]
    while pending:
        node = pending.pop()
        count += 1
        if count > MAX_VALUES:
            raise YamlSyntaxError(Problem(
                filename, getattr(data, "line", None), "(yaml)",
                f"aliases (*name) expand the document beyond {MAX_VALUES:,} values",
                "write the repeated values out, or alias less",
            ))
        if isinstance(node, dict):
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)


def line_of(node, key=None) -> int | None:
    """The line of ``node[key]`` (or of the node itself) when known."""
    if key is not None:
        lines = getattr(node, "lines", None)
        if isinstance(lines, dict) and key in lines:
            return lines[key]
        if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
            return lines[key]
    return getattr(node, "line", None)


class Reader:
    """Collects the problems of one file; ``done()`` raises them all at once.

    A reading method takes the containing node and the key (so a problem names the
    line of the key, which a scalar has no other way to know), and the field the
    node sits under; a value it reports is returned as the default, so reading can
    go on and every problem of the file is found in one pass.
    """

    # The field a problem with the whole document names (a top-level field is "").
    TOP = "(file)"

    def __init__(self, file: str, problems: list[Problem] | None = None):
        self.file = file
        # Shared when one validation spans files (the bundle): their problems come out together.
        self.problems: list[Problem] = [] if problems is None else problems

    def bad(self, node, key, field: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.file, line_of(node, key), field, message, hint))

    def mapping(self, node, field: str, *, required=(), optional=(), at=None) -> bool:
        """Is ``node`` a mapping holding every required key (so the caller may index them)?

        Reports what is not: an unknown key with the allowed key it is closest to (a typo)
        or the allowed list, missing keys in the order given (a set: sorted).  ``at`` =
        (parent, key) locates a ``node`` that is no mapping at all.
        """
        if not isinstance(node, dict):
            parent, key = at if at is not None else (node, None)
            self.bad(parent, key, field or self.TOP, f"expected a mapping, found {kind_of(node)}")
            return False
        allowed = {*required, *optional}
        for key in node:
            if key not in allowed:
                listed = sorted(map(str, allowed))
                close = difflib.get_close_matches(str(key), listed, n=1)
                self.bad(node, key, join(field, key), "unknown key",
                         f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(listed)}")
        missing = [key for key in _in_order(required) if key not in node]
        for key in missing:
            self.bad(node, None, join(field, key), "required key is missing")
        return not missing

    def text(self, node, key, field: str, *, optional=False, default=""):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None:
            if not optional:
                self.bad(node, key, join(field, key), "must be a non-empty text")
            return default
        if not isinstance(value, str) or not value.strip():
            self.bad(node, key, join(field, key), f"must be a non-empty text, found {kind_of(value)}")
            return default
        return value.strip()

    def integer(self, node, key, field: str, *, minimum=1, optional=False):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(node, key, join(field, key), f"must be a whole number, found {kind_of(value)}")
            return None
        if value < minimum:
            what = "positive" if minimum == 1 else f"at least {minimum}"
            self.bad(node, key, join(field, key), f"must be {what}, found {value}")
            return None
        return value

    def date(self, node, key, field: str, *, optional=False):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and optional:
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.bad(node, key, join(field, key), f"must be a date YYYY-MM-DD, found {kind_of(value)}")
        return None

    def choice(self, node, key, field: str, allowed, *, optional=False, default=None):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and optional:
            return default
        if value not in allowed:
            self.bad(node, key, join(field, key),
                     f"must be one of {', '.join(map(str, allowed))}, found {shown(value)}")
            return default
        return value

    def flag(self, node, key, field: str, *, default=None) -> bool:
        """A yes/no (absent: ``default``, when there is one); anything else is reported."""
        value = node.get(key, default) if isinstance(node, dict) else default
        if not isinstance(value, bool):
            self.bad(node, key, join(field, key), "must be true or false")
            return bool(default)
        return value

    def items(self, node, key, field: str, *, optional=False) -> list:
        """The list under ``key``; anything else is reported and reads as empty."""
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and optional:
            return []
        if not isinstance(value, list):
            self.bad(node, key, field, f"must be a list, found {kind_of(value)}")
            return []
        return value

    def source(self, doc) -> None:
        """Every reference file says where its values come from."""
        src = doc.get("source") if isinstance(doc, dict) else None
        items = src if isinstance(src, list) else [src]
        if not src or not all(isinstance(s, dict) and s.get("title") and s.get("reference") for s in items):
            self.bad(doc, "source", "source", "each source needs a title and a reference")

    def done(self) -> None:
        if self.problems:
            raise RulesetError(self.problems)


def join(field: str, key) -> str:
    """The field of ``key`` under ``field`` as problems name it: ``groups[0].pick``."""
    return f"{field}.{key}" if field else str(key)


def shown(value, limit: int = 60) -> str:
    """``repr`` cut short: a message quotes what was found, not a whole paragraph."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind_of(value) -> str:
    """What a value is, as a message to curriculum staff names it ("found the number 5")."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r} (a yes/no)"
    if isinstance(value, (int, float)):
        return f"the number {shown(value)}"
    if isinstance(value, str):
        return f"the text {shown(value)}"
    return type(value).__name__.replace("LineDict", "mapping").replace("LineList", "list")


def _in_order(keys) -> list:
    # a tuple or dict lists keys in the order the file documents them; a set has none
    return sorted(keys, key=str) if isinstance(keys, (set, frozenset)) else list(keys)


def flatten(messages, path: tuple = ()):
    """marshmallow's nested error messages as (path, message) pairs; a path is the tuple of keys.

    ``_schema`` (a whole-object message) is kept in the path: where it is reported is the caller's choice.
    """
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from flatten(value, (*path, key))
    elif isinstance(messages, list):
        for value in messages:
            yield from flatten(value, path)
    else:
        yield path, str(messages)


def locate(node, path) -> tuple:
    """(container, key) of the deepest value along ``path`` that the line-annotated data has.

    ``path`` is a request's (marshmallow's) field path: list positions may come as digit
    texts.  The key is None when not even the first step is there: report at ``node``.
    """
    here, key = node, None
    for part in path:
        below = node if key is None else here[key]
        index = int(part) if isinstance(part, str) and part.isdigit() and isinstance(below, list) else part
        if not _has(below, index):
            break
        here, key = below, index
    return here, key


def _has(node, key) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
