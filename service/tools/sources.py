"""Where a ruleset version comes from: a folder, or a git revision of the service's repository."""
from __future__ import annotations

import subprocess
from pathlib import Path

from service.errors import RulesetError, ServiceError
from service.rules.loader import DEFAULT_AREA, TABLE_FILES, bundle_from_files, load_bundle
from service.tools.tables import table_checks
from service.yamlreader import Problem, YamlSyntaxError, parse_yaml


class SourceError(ServiceError):
    status = 400
    code = "bad_ruleset_source"


def bundle_at(spec: str, repo: Path | str, area: str = DEFAULT_AREA):
    """The bundle of ``spec``: a folder holding curricula/ and rulesets/, or a git revision of ``repo``."""
    path = Path(spec)
    if path.is_dir():
        return load_bundle(path, area, table_checks())
    return bundle_from_files(files_at_revision(spec, Path(repo), area), table_checks())


def describe(spec: str) -> str:
    return f"folder {spec}" if Path(spec).is_dir() else f"revision {spec}"


def files_at_revision(rev: str, repo: Path, area: str = DEFAULT_AREA) -> dict:
    """The bundle's files as they were at ``rev`` (git show), parsed like the loader parses files."""
    if rev.startswith("-"):
        raise SourceError(f"{rev!r} is neither a folder nor a git revision")
    commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if commit is None:
        raise SourceError(f"{rev!r} is neither a folder nor a git revision of {repo}")
    commit = commit.strip()
    listing = _git(repo, "ls-tree", "-r", "--name-only", commit, "--", "curricula", f"rulesets/{area}",
                   *TABLE_FILES) or ""
    wanted = []
    for name in listing.splitlines():
        if not name.endswith(".yaml"):
            continue
        in_curricula = name in ("curricula/catalogue.yaml", "curricula/universities.yaml", "curricula/majors.yaml") \
            or name.startswith("curricula/plans/")
        in_rules = name.startswith(f"rulesets/{area}/") and name.count("/") == 2  # not the tests/ folder
        if in_curricula or in_rules or name in TABLE_FILES:
            wanted.append(name)
    files, problems = {}, []
    for name in wanted:
        text = _git(repo, "show", f"{commit}:{name}")
        try:
            files[name] = parse_yaml(text or "", name)
        except YamlSyntaxError as exc:
            problems.append(exc.problem)
    if not files:
        problems.append(Problem(f"{rev}:curricula/", None, "(file)", "the revision holds no curriculum files"))
    if problems:
        raise RulesetError(problems)
    return files


def _git(repo: Path, *args) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False,
                              encoding="utf-8")
    except FileNotFoundError:
        raise SourceError("git is not installed") from None
    return done.stdout if done.returncode == 0 else None
