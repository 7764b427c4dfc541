"""One request, both evaluators: the engine's decision, once it has agreed with the oracle's on every key."""
from __future__ import annotations

from service.rules import oracle
from service.rules.decide import decide


def agreed(bundle, request) -> dict:
    """The engine's decision for ``request``; asserts the oracle decided the same (labels are display text)."""
    decision, expected = decide(bundle, request), oracle.evaluate(bundle, request)
    for key in expected:
        got = decision[key]
        if key == "requirements":
            got = [{k: v for k, v in r.items() if k != "label"} for r in got]
        assert got == expected[key], key
    return decision
