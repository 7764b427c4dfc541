"""A problem found in a curriculum or ruleset file, located by file, line and field."""
from __future__ import annotations

from dataclasses import dataclass


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
