"""Decisions of a period as JSON Lines, with the archived ruleset files they were made under.

One object a line, each with a ``type``:

- ``export``: the header (format, period, counts, when);
- ``ruleset_version``: an archived version with its canonical files — every
  version a decision of the file names, before the decisions;
- ``decision``: a stored row as in the log (input and output as JSON objects,
  with ``prev_hash`` and ``row_hash``);
- ``end``: the trailer (count again), so a truncated file is recognised.

With it, another machine replays the decisions offline (``sxzk replay
--from-export``) and checks each row's hash.  The file holds personal data
(names, ID numbers in the inputs): it is written readable by its owner only.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from service.rules.canonical import canonical_json
from service.store import decision_log, ruleset_archive
from service.store.db import read_snapshot
from service.store.decision_log import CHAINED, now_iso, row_hash

FORMAT = "sxzk-decisions/1"


class ExportError(Exception):
    """The file is not a usable export; ``lines`` says where and why."""

    def __init__(self, lines: list[str]):
        super().__init__("; ".join(lines))
        self.lines = lines


def export(db, out, *, since: str | None, until: str | None) -> dict:
    """Write the decisions with since <= created_at < until to the text stream ``out``; returns the counts."""
    chosen = {"since": since, "until": until}
    with read_snapshot(db):  # the versions listed are exactly those of the rows written
        count = decision_log.count(db, **chosen)
        versions = decision_log.ruleset_versions(db, **chosen)
        _line(out, {"type": "export", "format": FORMAT, "since": since, "until": until, "exported_at": now_iso(),
                    "decisions": count, "ruleset_versions": versions})
        for version in versions:
            record = ruleset_archive.record(db, version)
            if not record:
                _line(out, {"type": "ruleset_version", "version": version, "missing": True})
                continue
            del record["published_at"]  # not part of format 1
            _line(out, {"type": "ruleset_version", **record, "files": ruleset_archive.files_of(db, version)})
        written, head = 0, None
        for row in decision_log.select(db, **chosen):
            row["type"] = "decision"
            _line(out, row)
            written += 1
            head = row["row_hash"]
        _line(out, {"type": "end", "decisions": written, "last_row_hash": head})
    return {"decisions": written, "ruleset_versions": len(versions)}


def export_to_file(db, path: Path, *, since, until) -> dict:
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        return export(db, out, since=since, until=until)


def _line(out, value) -> None:
    out.write(json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n")


def read_export(path: Path) -> tuple[dict, dict, list[dict]]:
    """(header, {version: files}, decision rows) of an export; raises ExportError when it is not whole."""
    header, versions, rows, end, problems = None, {}, [], None, []
    with open(path, encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            if not text.strip():
                continue
            try:
                item = json.loads(text)
            except json.JSONDecodeError as exc:
                problems.append(f"line {n}: not JSON ({exc.msg})")
                continue
            kind = item.get("type") if isinstance(item, dict) else None
            if n == 1 and (kind != "export" or item.get("format") != FORMAT):
                raise ExportError([f"line 1: not a decisions export of format {FORMAT}"])
            if kind == "export":
                header = item
            elif kind == "ruleset_version":
                if item.get("missing"):
                    problems.append(f"line {n}: ruleset version {item['version']} was not in the archive")
                else:
                    versions[item["version"]] = item["files"]
            elif kind == "decision":
                rows.append(item)
            elif kind == "end":
                end = item
            else:
                problems.append(f"line {n}: unknown line type {kind!r}")
    if header is None:
        problems.append("the file is empty")
    elif end is None:
        problems.append("the file ends early (no `end` line): it was truncated")
    elif end["decisions"] != len(rows) or header["decisions"] != len(rows):
        problems.append(f"the file announces {header['decisions']} decision(s) and holds {len(rows)}")
    if problems:
        raise ExportError(problems)
    return header, versions, rows


def integrity(rows: list[dict]) -> dict:
    """Each row's hash against its content, and the chain where rows follow each other in the log."""
    altered, broken = [], []
    previous = None
    for row in rows:
        stored = {k: row[k] for k in CHAINED}
        stored.update(input=canonical_json(row["input"]), output=canonical_json(row["output"]),
                      eligible=int(row["eligible"]))
        if row_hash(row["prev_hash"], stored) != row["row_hash"]:
            altered.append(row["id"])
        if previous is not None and row["seq"] == previous["seq"] + 1 and row["prev_hash"] != previous["row_hash"]:
            broken.append(row["id"])
        previous = row
    return {"rows_checked": len(rows), "altered": altered, "chain_broken_at": broken}
