"""The bundle in force for this context, bound by whoever runs it (the web layer, per app context).

Lookups deep inside the workflow (is this a district? which window is open? which
transition does the table allow? what does the application cost?) read the tables
of the bundle in force without its being handed down every call chain.  The web
layer binds a *provider* (``Rulebook.current``) and a *resolver* of archived
versions; the provider is asked once per binding, so one request sees one version.
``pinned(version)`` binds an archived version for a block: an application keeps
the version it was checked with (docs/workflow-applications.md).
"""
from __future__ import annotations

import contextlib
import contextvars
import functools
from collections.abc import Callable, Iterator

from service import config
from service.rules.loader import TABLE_FILES, Check, load_bundle, table_of
from service.rules.model import Bundle


class _Binding:
    def __init__(self, provider: Callable[[], Bundle], resolve: Callable[[str], Bundle] | None):
        self.provider, self.resolve = provider, resolve
        self._bundle: Bundle | None = None

    def bundle(self) -> Bundle:
        if self._bundle is None:
            self._bundle = self.provider()
        return self._bundle


_bound: contextvars.ContextVar[_Binding | None] = contextvars.ContextVar("bundle", default=None)


def bind(provider: Callable[[], Bundle], resolve: Callable[[str], Bundle] | None = None) -> contextvars.Token:
    """Bind the bundle ``provider()`` returns (asked on first use) and ``resolve(version)`` of archived ones."""
    return _bound.set(_Binding(provider, resolve))


def unbind(token: contextvars.Token) -> None:
    _bound.reset(token)


def bundle() -> Bundle:
    """The bundle bound for this context, else the working files of the rules root (library use, tests)."""
    binding = _bound.get()
    return binding.bundle() if binding else _working(config.rules_root())


def version() -> str:
    return bundle().version


def table(path: str, check: Check):
    """The table ``check`` reads from ``path`` of the bundle in force."""
    return table_of(bundle(), path, check)


@contextlib.contextmanager
def pinned(version: str | None) -> Iterator[Bundle]:
    """Bind the archived ``version`` for the block (the bundle in force when ``version`` is None)."""
    binding = _bound.get()
    if version is None or version == bundle().version or binding is None or binding.resolve is None:
        yield bundle()
        return
    kept = binding.resolve(version)
    if not set(TABLE_FILES) <= kept.files.keys():
        # archived before the workflow tables joined the bundle: it has none to keep
        yield bundle()
        return
    token = bind(lambda: kept, binding.resolve)
    try:
        yield kept
    finally:
        unbind(token)


@functools.lru_cache(maxsize=4)
def _working(root: str) -> Bundle:
    return load_bundle(root)
