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
- a fact no rule matches still opens a session, and deleting that session
  can segfault → the fact is checked against the fields the compiled rules
  read before it is asserted (a complete fact always fires a rule, see
  compiler.py), and a not-handled fact is reported without touching it;
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

from service.rules.compiler import COMPILER_VERSION

ENGINE_VERSION = f"durable_rules-{version('durable_rules')}/compiler-{COMPILER_VERSION}"


class EngineError(RuntimeError):
    """The engine misbehaved; never a candidate's fault."""


class _QuietHost(_durable.Host):
    def _run(self):  # the stock Host starts two dispatcher threads here
        pass


def _never_called(c):  # pragma: no cover - agenda is read, actions never dispatched
    raise EngineError("durable-rules dispatched an action it should not have")


def fields_read(definition) -> frozenset:
    """Every fact field a ruleset definition compares."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.startswith("$") and isinstance(value, dict) and key not in ("$and", "$or"):
                    found.update(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(definition)
    return frozenset(found)


class RulesEngine:
    def __init__(self):
        self._host = _QuietHost()
        self._lock = threading.Lock()
        self._handles: dict[str, tuple[int, frozenset]] = {}
        self._ids = itertools.count(1)

    def _handle(self, name: str, definition_factory) -> tuple[int, frozenset]:
        entry = self._handles.get(name)
        if entry is None:
            definition = definition_factory()
            fields = fields_read(definition)
            for rule in definition.values():
                rule["run"] = _never_called
            try:
                self._host.register_rulesets({name: definition})
            except Exception as exc:
                raise EngineError(f"durable-rules refused ruleset {name}: {exc}") from exc
            entry = self._handles[name] = (self._host.get_ruleset(name)._handle, fields)
        return entry

    def fire(self, name: str, definition_factory, fact: dict) -> list[str]:
        """Assert one fact in a fresh session; return the names of the rules it fires, sorted."""
        with self._lock:
            handle, fields = self._handle(name, definition_factory)
            if set(fact) != fields or not all(type(v) is int for v in fact.values()):
                raise EngineError(f"fact does not fit ruleset {name}: fields {sorted(set(fact) ^ fields)} "
                                  "missing or unexpected, or a value is not a whole number")
            n = next(self._ids)
            sid = str(n)
            message = dict(fact, id=n, sid=sid)
            fired: list[str] = []
            try:
                result = _dre.assert_fact(handle, json.dumps(message))
            except Exception as exc:
                raise EngineError(f"durable-rules refused the fact: {exc}") from exc
            if result[0] == 1:
                # deleting a not-handled session can crash the process: leave it
                raise EngineError("no rule matched the fact: the compiled ruleset is incomplete")
            try:
                code = result[0]
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
