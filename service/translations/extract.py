"""pybabel's extractor for this code base: the message of every marked call, however deeply nested.

Babel's own Python extractor loses a mark nested in another marked call's arguments
(``InvalidInput("…", fields={"x": [N_("…")]})``, the shape of most field problems here), so the
catalogue would miss it silently.  This one reads the syntax tree: every call of a keyword, at any
depth, yields its message argument when that is a literal string (an f-string is not a message id:
``Msg`` with placeholders is).  babel.cfg maps the sources to it.
"""
from __future__ import annotations

import ast


def extract(fileobj, keywords, comment_tags, options):
    """Babel's extractor interface: ``(lineno, funcname, messages, comments)`` per marked call, ``messages``
    the positional arguments (a literal string, else None); Babel picks the one each keyword names."""
    tree = ast.parse(fileobj.read())
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in keywords:
            yield node.lineno, name, tuple(
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args), []
