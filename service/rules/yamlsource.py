"""Strict YAML reading that remembers where every key and item came from.

PyYAML silently keeps the last of two duplicate keys; curriculum staff would
never see their mistake, so duplicates are an error here.  Mappings and lists
come back as ``dict`` / ``list`` subclasses carrying the line of each key or
item, which the validator uses to name ``file:line: field`` in its messages.
"""
from __future__ import annotations

import yaml

from .problems import Problem


class LineDict(dict):
    """A mapping with ``line`` (its own start) and ``lines`` (line of each key)."""

    line: int | None = None
    lines: dict


class LineList(list):
    line: int | None = None
    lines: list


class _StrictLoader(yaml.SafeLoader):
    pass


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
    """Parse one YAML document; a syntax error or duplicate key raises YamlSyntaxError."""
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise YamlSyntaxError(Problem(filename, line, "(yaml)", str(exc.problem or exc).strip())) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(Problem(filename, None, "(yaml)", str(exc).strip())) from None


def line_of(node, key=None) -> int | None:
    """The line of ``node[key]`` (or of the node itself) when known."""
    if key is not None:
        lines = getattr(node, "lines", None)
        if isinstance(lines, dict) and key in lines:
            return lines[key]
        if isinstance(lines, list) and isinstance(key, int) and 0 <= key < len(lines):
            return lines[key]
    return getattr(node, "line", None)
