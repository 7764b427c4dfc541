"""The guides' shell blocks as a script a test runs (the sqlite-utils habit: docs that drift fail the tests).

A guide is a Markdown file whose ```sh / ```bash blocks a reader types in order. Conventions the parser
knows (docs/README "Guides that run"):
- the block that starts the server (``… make run``) is not typed into the script: the test runs that
  command itself, on a database of its own, and the guide's other blocks talk to it;
- a block preceded by ``<!-- not run: why -->`` is shown, not run (an alternative, a production path);
- ``# → 409 …`` or ``# → {"state": "paid", …}`` under a command is what the command answers: the status
  (first number) and every ``"key": value`` pair written there must be in the answer.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

FENCE = re.compile(r"^```(sh|bash|shell)\s*$")
NOT_RUN = re.compile(r"<!--\s*not run\b")
ARROW = re.compile(r"^\s*#\s*→\s?(.*)$")
CONTINUED = re.compile(r"^\s*#\s{2,}(\S.*)$")  # an expectation's next line, indented under it
STATUS = re.compile(r"^(\d{3})\b")
# a "key": value pair as the guides write them; values are strings, numbers, true/false/null
PAIR = re.compile(r'"([A-Za-z_][\w]*)":\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false|null)')
HEREDOC = re.compile(r"<<-?\s*'?\"?(\w+)'?\"?")


@dataclass
class Command:
    text: str
    line: int  # in the guide, 1-based
    expect: list[str] = field(default_factory=list)

    @property
    def expected_status(self) -> int | None:
        for e in self.expect:
            m = STATUS.match(e.strip())
            if m:
                return int(m.group(1))
        return None

    @property
    def expected_values(self) -> list:
        """Answers the guide writes whole as JSON (``# → "paid"``, ``# → ["eligible"]``, ``# → {"id":1}``)."""
        out = []
        for e in self.expect:
            text = STATUS.sub("", e.strip(), count=1).strip()
            try:
                out.append(json.loads(text))
            except ValueError:
                continue
        return out

    @property
    def expected_pairs(self) -> list[tuple[str, str]]:
        """``"key": value`` pairs of the expectations that are not whole JSON values (``{"state": "paid", …}``)."""
        pairs = []
        for e in self.expect:
            text = STATUS.sub("", e.strip(), count=1).strip()
            try:
                json.loads(text)
            except ValueError:
                pairs += PAIR.findall(text)
        return pairs


@dataclass
class Guide:
    path: Path
    server: str | None  # the command line that starts the server, as written
    commands: list[Command]


def blocks(text: str) -> list[tuple[int, list[str], bool]]:
    """(first line number, lines, runnable) per shell block."""
    out, lines = [], text.splitlines()
    i = 0
    while i < len(lines):
        if FENCE.match(lines[i]):
            skipped = any(NOT_RUN.search(lines[j]) for j in range(max(0, i - 3), i))
            start, body = i + 2, []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            out.append((start, body, not skipped))
        i += 1
    return out


def split_commands(start: int, body: list[str]) -> list[Command]:
    """Top-level commands of a block, each with the ``# →`` lines that follow it."""
    commands: list[Command] = []
    i = 0
    after_arrow = False
    while i < len(body):
        line = body[i]
        arrow = ARROW.match(line)
        if arrow:
            if commands:
                commands[-1].expect.append(arrow.group(1))
            after_arrow = True
            i += 1
            continue
        if after_arrow and CONTINUED.match(line) and commands and commands[-1].expect:
            commands[-1].expect[-1] += " " + CONTINUED.match(line).group(1)
            i += 1
            continue
        after_arrow = False
        if not line.strip() or line.lstrip().startswith("#"):
            i += 1
            continue
        first = i
        chunk = [line]
        m = HEREDOC.search(_strip_comment(line))
        if m:
            end = m.group(1)
            i += 1
            while i < len(body) and body[i].strip() != end:
                chunk.append(body[i])
                i += 1
            chunk.append(body[i] if i < len(body) else end)
        while (not _complete("\n".join(_strip_comment(c) for c in chunk)) or _open_compound(chunk)) \
                and i + 1 < len(body):
            i += 1
            chunk.append(body[i])
        cmd = Command("\n".join(chunk), start + first)
        inline = ARROW.match(chunk[-1][len(_strip_comment(chunk[-1])):])
        if inline:
            cmd.expect.append(inline.group(1))
        commands.append(cmd)
        i += 1
    return commands


OPENS = re.compile(r"^\s*(for|while|until|if|case)\b")
CLOSES = re.compile(r"^\s*(done|fi|esac)\b")


def _open_compound(chunk: list[str]) -> bool:
    """A for/while/if whose done/fi/esac has not come yet."""
    depth = 0
    for k, line in enumerate(chunk):
        # a keyword counts where a statement starts, not inside a quoted text that spans lines
        if _complete("\n".join(_strip_comment(c) for c in chunk[:k])):
            depth += bool(OPENS.match(line)) - bool(CLOSES.match(line))
    return depth > 0


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` outside quotes."""
    single = double = False
    for k, ch in enumerate(line):
        if ch == "'" and not double:
            single = not single
        elif ch == '"' and not single and (k == 0 or line[k - 1] != "\\"):
            double = not double
        elif ch == "#" and not single and not double and (k == 0 or line[k - 1] in " \t"):
            return line[:k]
    return line


def _complete(text: str) -> bool:
    single = double = False
    depth = 0
    for k, ch in enumerate(text):
        if single:
            single = ch != "'"
            continue
        if ch == '"' and (k == 0 or text[k - 1] != "\\"):
            double = not double
        elif ch == "'" and not double:
            single = True
        elif not double and ch == "(":
            depth += 1
        elif not double and ch == ")":
            depth -= 1
    return not single and not double and depth <= 0 and not text.rstrip().endswith("\\")


def parse(path: Path) -> Guide:
    server, commands = None, []
    for start, body, runnable in blocks(path.read_text(encoding="utf-8")):
        if not runnable:
            continue
        for cmd in split_commands(start, body):
            if re.search(r"(^|\s)make run\b", _strip_comment(cmd.text)):
                if server is None:
                    server = _strip_comment(cmd.text).strip()
                continue
            commands.append(cmd)
    return Guide(path, server, commands)


def canonical(output: str) -> str:
    """JSON output re-written the way the guides write it (", " and ": ", Chinese as itself)."""
    try:
        return json.dumps(json.loads(output), ensure_ascii=False)
    except ValueError:
        return output


def answers(output: str) -> list:
    """The answer as JSON values: one document, or one per line (``jq -c``), else its lines as text."""
    try:
        return [json.loads(output)]
    except ValueError:
        pass
    values = []
    for line in output.splitlines():
        if line.strip():
            try:
                values.append(json.loads(line))
            except ValueError:
                values.append(line.strip())
    return values


def holds(expected, got) -> bool:
    """``got`` has what the guide shows: an object's keys at least (a guide shows the part that matters),
    a text ending in … (or ...) as its beginning, lists item by item, anything else equal."""
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(k in got and holds(v, got[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(got, list) and len(got) == len(expected) and all(map(holds, expected, got))
    for dots in ("…", "..."):
        if isinstance(expected, str) and expected.endswith(dots):
            return isinstance(got, str) and got.startswith(expected[:-len(dots)].rstrip())
    return expected == got and type(expected) is type(got)


def mismatches(cmd: Command, output: str) -> list[str]:
    """What the guide says the answer holds and it does not."""
    got = answers(output)
    wrong = [json.dumps(v, ensure_ascii=False) for v in cmd.expected_values if not any(holds(v, g) for g in got)]
    text = canonical(output)
    # "GA…" stands for a value the guide cannot know in full: it begins with GA
    return wrong + [f'"{k}": {v}' for k, v in cmd.expected_pairs
            if (f'"{k}": {v[:-2]}' if v.endswith('…"') else f'"{k}": {v}') not in text]
