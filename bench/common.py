"""What every benchmark shares: the machine description, the results file, timing helpers."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results.jsonl"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    return {
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "durable_rules": version("durable_rules"),
        "commit": git_commit(),
        "load_before": load(),
        # when the measurement ran, in real time: a pinned service clock (SXZK_NOW) must not date it
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),  # noqa: TID251
    }


def record(name: str, figures: dict, settings: dict, started: dict) -> dict:
    """Print the figures and append one JSON line (``started`` is ``machine()`` taken at the start)."""
    line = {"bench": name, **started, "load_after": load(), "settings": settings, "figures": figures}
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"== {name}  (load {started['load_before']} -> {line['load_after']}, {started['cores']} cores, "
          f"{started['cpu']}, commit {started['commit']})")
    for key, value in figures.items():
        if key == "runs":
            continue
        print(f"  {key}: {value}")
    return line


def rss_mb() -> float:
    """Current resident set size of this process (MB), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
