"""Evaluation-request files (fixtures/examples/*.json, cohorts): validated like the API, decided without storing."""
from __future__ import annotations

from marshmallow import ValidationError

from service import translations
from service.decisions.schemas import EvaluationRequestSchema
from service.errors import ServiceError
from service.rules.inputs import canonical_input, request_for


class RequestFileError(Exception):
    """A request that cannot be decided: ``lines`` says why, field by field."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def validated(body) -> dict:
    try:
        return EvaluationRequestSchema().load(body)
    except ValidationError as exc:
        raise RequestFileError([f"{field}: {message}" for field, message in _flatten(exc.messages)]) from None


def decide_file(bundle, body, *, choice: dict | None = None, edition: str | None = None, engine=None) -> list[dict]:
    """One decision per choice of the request (or for ``choice`` instead of them)."""
    from service.rules.decide import decide

    if choice is not None and isinstance(body, dict):
        body = {**body, "choices": [{k: v for k, v in choice.items() if v}]}
    data = validated(body)
    canon = canonical_input(data)
    out = []
    for c in data["choices"]:
        c = {k: v for k, v in sorted(c.items()) if v is not None}
        if edition:
            c["edition"] = edition
        try:
            out.append(decide(bundle, request_for(canon, c), engine))
        except ServiceError as exc:
            raise RequestFileError([f"choices: {translations.text(exc)}"]) from None
    return out


def _flatten(messages, path=""):
    if isinstance(messages, dict):
        for key, value in messages.items():
            sub = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
            yield from _flatten(value, sub)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        yield path or "(request)", "; ".join(messages)
    elif isinstance(messages, list):
        for value in messages:
            yield from _flatten(value, path)
    else:
        yield path or "(request)", str(messages)
