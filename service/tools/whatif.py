"""What-if: decide stored decisions (or a cohort) again under a draft bundle and name who flips.

Nothing is written: the decision log is opened read-only, and the draft's
decisions are only compared, never recorded.
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from service import translations
from service.errors import ServiceError
from service.rules.inputs import canonical_input, request_for
from service.store import decision_log
from service.tools.requests import RequestFileError, validated


@dataclass
class Item:
    """One (candidate, choice) to decide again, with the status it has now."""

    exam_number: str
    university: str
    major: str
    input: dict  # canonical input with its "choice"
    before: str  # eligible / pending_verification / not_eligible
    source: str  # the decision id, or "cohort[3]"


@dataclass
class Flip:
    item: Item
    after: str
    unmet: list[str] = field(default_factory=list)  # the draft's unmet requirement ids

    @property
    def direction(self) -> str:
        return f"{self.item.before} → {self.after}"


@dataclass
class Report:
    total: int = 0
    flips: list[Flip] = field(default_factory=list)  # eligible ↔ not (eligible)
    changed: list[Flip] = field(default_factory=list)  # other status changes (not_eligible ↔ pending)
    errors: list[Flip] = field(default_factory=list)  # the draft cannot decide it (e.g. no plan in force)


def latest_stored(db) -> list[Item]:
    """The latest decision of each (candidate, university, major) in the log."""
    return [Item(r["exam_number"], r["university"], r["major"], r["input"], r["status"], r["id"])
            for r in decision_log.latest_per_choice(db)]


def cohort_items(base, path: Path) -> list[Item]:
    """Evaluation requests from a JSON array or JSON Lines file, decided under ``base`` for the 'before'."""
    from service.rules.decide import decide

    text = path.read_text(encoding="utf-8")
    try:
        bodies = json.loads(text) if text.lstrip().startswith("[") else \
            [json.loads(line) for line in text.splitlines() if line.strip()]
    except ValueError as exc:
        raise RequestFileError([f"not JSON or JSON Lines: {exc}"]) from None
    items = []
    for i, body in enumerate(bodies):
        try:
            data = validated(body)
        except RequestFileError as exc:
            raise RequestFileError([f"[{i}] {line}" for line in exc.lines]) from None
        canon = canonical_input(data)
        for choice in data["choices"]:
            choice = {k: v for k, v in sorted(choice.items()) if v is not None}
            inp = {**canon, "choice": choice}
            try:
                before = decide(base, request_for(inp, choice))["status"]
            except ServiceError as exc:
                raise RequestFileError([f"[{i}] choices: {translations.text(exc)}"]) from None
            items.append(Item(canon["candidate"]["exam_number"], choice["university"], choice["major"], inp,
                              before, f"cohort[{i}]"))
    return items


def what_if(draft, items: list[Item], progress=None) -> Report:
    from service.rules.decide import decide

    report = Report()
    for item in items:
        report.total += 1
        try:
            decision = decide(draft, request_for(item.input, item.input["choice"]))
        except ServiceError as exc:
            report.errors.append(Flip(item, f"error: {exc.code}: {translations.text(exc)}"))
        else:
            after = decision["status"]
            unmet = [r["id"] for r in decision["requirements"] if r["status"] == "unmet"]
            if (after == "eligible") != (item.before == "eligible"):
                report.flips.append(Flip(item, after, unmet))
            elif after != item.before:
                report.changed.append(Flip(item, after, unmet))
        if progress:
            progress(1)
    return report


def render(report: Report, bundle) -> list[str]:
    out = [f"{report.total} decision(s) re-evaluated: {len(report.flips)} flip(s) between eligible and not, "
           f"{len(report.changed)} other status change(s), {len(report.errors)} not decidable under the draft"]
    groups: dict[tuple, list[Flip]] = {}
    for flip in report.flips + report.changed + report.errors:
        groups.setdefault((flip.item.university, flip.item.major), []).append(flip)
    for (uni, code), flips in sorted(groups.items()):
        major = bundle.major(uni, code)
        uni_name = bundle.universities[uni].name if uni in bundle.universities else uni
        out.append(f"{uni_name} {code}{' ' + major.name if major else ''}: {len(flips)} candidate(s)")
        for f in flips:
            why = f" (unmet: {', '.join(f.unmet)})" if f.unmet else ""
            out.append(f"  {f.item.exam_number}  {f.direction}{why}  [{f.item.source}]")
    return out


CSV_FIELDS = ("exam_number", "university", "major", "before", "after", "kind", "unmet", "source")


def write_csv(report: Report, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_FIELDS)
        for kind, flips in (("flip", report.flips), ("changed", report.changed), ("error", report.errors)):
            for f in flips:
                writer.writerow([f.item.exam_number, f.item.university, f.item.major, f.item.before, f.after,
                                 kind, " ".join(f.unmet), f.item.source])
