"""The only module that imports durable-rules (2.0.28): every hazard is handled here.

Hazards of this old C engine, and what holds against each:
- the stock Host starts dispatcher timer threads that segfault the process
  (error 307) when sessions are deleted → ``_QuietHost`` never starts them;
- at most 1024 live sessions per ruleset → one session per evaluation,
  deleted in ``finally``;
- a ruleset name registers once per process → names are content hashes and
  compiled rulesets are cached by name;
- no aggregates, at most 16 facts per join → the allocation pass asserts one
  derived fact per evaluation and the rules only compare it with thresholds;
- an action's exception is swallowed into the state, and Python actions cost
  a JSON round trip each → no Python actions run: the agenda the engine
  computes is read directly (the rule names it fires), then completed;
- identical facts raise MessageObservedException (and colliding ones
  sometimes do) → every fact carries a fresh id and session id;
- firing order is not input order → the fired names are returned sorted;
- no thread safety, the GIL is never released → one lock around every call.
"""
from __future__ import annotations

import itertools
import json
import threading
from importlib.metadata import version

import durable_rules_engine as _dre
from durable import engine as _durable

from .compiler import COMPILER_VERSION

ENGINE_VERSION = f"durable_rules-{version('durable_rules')}/compiler-{COMPILER_VERSION}"


class EngineError(RuntimeError):
    """The engine misbehaved; never a candidate's fault."""


class _QuietHost(_durable.Host):
    def _run(self):  # the stock Host starts two dispatcher threads here
        pass


def _never_called(c):  # pragma: no cover - agenda is read, actions never dispatched
    raise EngineError("durable-rules dispatched an action it should not have")


class RulesEngine:
    def __init__(self):
        self._host = _QuietHost()
        self._lock = threading.Lock()
        self._handles: dict[str, int] = {}
        self._ids = itertools.count(1)

    def _handle(self, name: str, definition_factory) -> int:
        handle = self._handles.get(name)
        if handle is None:
            definition = definition_factory()
            for rule in definition.values():
                rule["run"] = _never_called
            try:
                self._host.register_rulesets({name: definition})
            except Exception as exc:
                raise EngineError(f"durable-rules refused ruleset {name}: {exc}") from exc
            handle = self._host.get_ruleset(name)._handle
            self._handles[name] = handle
        return handle

    def fire(self, name: str, definition_factory, fact: dict) -> list[str]:
        """Assert one fact in a fresh session; return the names of the rules it fires, sorted."""
        with self._lock:
            handle = self._handle(name, definition_factory)
            n = next(self._ids)
            sid = str(n)
            message = dict(fact, id=n, sid=sid)
            fired: list[str] = []
            try:
                result = _dre.assert_fact(handle, json.dumps(message))
                code = result[0]
                if code == 1:
                    raise EngineError("no rule matched the fact: the compiled ruleset is incomplete")
                if code == 2:
                    raise EngineError("durable-rules reported the fact as already observed")
                if code != 0:
                    raise EngineError(f"durable-rules assert_fact returned code {code}")
                state = result[1]
                action = _dre.start_action_for_state(handle, state)
                pending = action[1] if action else None
                while pending:
                    fired.extend(json.loads(pending))
                    pending = _dre.complete_and_start_action(handle, state)
            except EngineError:
                raise
            except Exception as exc:
                raise EngineError(f"durable-rules failed: {exc}") from exc
            finally:
                _dre.delete_state(handle, sid)
            return sorted(fired)

    @property
    def compiled_count(self) -> int:
        return len(self._handles)


_default: RulesEngine | None = None
_default_lock = threading.Lock()


def default_engine() -> RulesEngine:
    """One engine per process (a forked worker builds its own on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = RulesEngine()
        return _default
