"""Fuzzing the strict YAML reader and the ruleset loader.

Curriculum staff edit these files by hand.  Whatever they type, the loader must
answer with a RulesetError whose every problem points at a file and a line of the
tree (``sxzk check`` and the reload endpoint print nothing else), or with a bundle;
never with a traceback.  The shipped tree is damaged one file at a time.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from service.errors import RulesetError
from service.rules.loader import bundle_paths, load_bundle
from service.yamlreader import LineDict, LineList, Problem, YamlSyntaxError, parse_yaml

ROOT = Path(__file__).resolve().parent.parent
BUNDLE_FILES = [p.relative_to(ROOT).as_posix() for p in bundle_paths(ROOT)]
SHIPPED = {rel: (ROOT / rel).read_text(encoding="utf-8") for rel in BUNDLE_FILES}
SHIPPED_VERSION = load_bundle(ROOT).version
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
# Problems that are about a whole file (missing, empty, not UTF-8, not a mapping) or
# about the rulesets folder (no file defines the policy) have no line to name; every
# other one has (the loader's docstring says so).
WHOLE_FILE_FIELDS = ("(file)", "(top)")
FOLDER_PROBLEM_FILE = "rulesets/"
# PyYAML counts these as line breaks (universal newlines already turned \r into \n).
YAML_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
# `key: value` and `- key: value` lines of the shipped files; the key may be quoted.
KEY_LINE = re.compile(r"^(?P<lead>[ ]*(?:- )?)(?P<key>\"[^\"\n]*\"|[^\s#:\"'\-\[{][^:#\n]*?):(?=[ \n]|$)", re.M)
CREDITS_LINE = re.compile(r"^[ ]+credits:[ ]*(?P<credits>\d+)", re.M)
COURSE_KEY = re.compile(r'^  "(?P<code>\d{5})":', re.M)


# -- the damaged tree ----------------------------------------------------------
class Damage:
    """One change to one shipped file; the repr says what was done, not the whole file."""

    def __init__(self, file: str, what: str, data: bytes):
        self.file, self.what, self.data = file, what, data

    def __repr__(self) -> str:
        return f"Damage({self.file}: {self.what})"


@contextmanager
def damaged_tree(damage: Damage | None = None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="loader-fuzz-") as tmp:
        root = Path(tmp)
        for part in ("curricula", "rulesets"):
            shutil.copytree(ROOT / part, root / part)
        if damage is not None:
            (root / damage.file).write_bytes(damage.data)
        yield root


def yaml_line_count(path: Path) -> int:
    text = path.read_text(encoding="utf-8", errors="replace")
    return len(YAML_BREAK.findall(text)) + 1


def assert_problem_is_located(root: Path, problem: Problem) -> None:
    assert isinstance(problem, Problem), problem
    assert problem.file and not Path(problem.file).is_absolute(), problem
    assert (root / problem.file).exists(), f"{problem} names a file that is not in the tree"
    assert isinstance(problem.field, str), problem
    assert isinstance(problem.message, str) and problem.message.strip(), problem
    assert problem.hint is None or (isinstance(problem.hint, str) and problem.hint.strip()), problem
    # every file of a damaged tree is there; an emptied one was once called missing
    assert (problem.field, problem.message) != ("(file)", "file is missing"), problem
    if problem.line is None:
        assert problem.field in WHOLE_FILE_FIELDS or problem.file == FOLDER_PROBLEM_FILE, f"{problem}: no line"
        return
    assert isinstance(problem.line, int) and not isinstance(problem.line, bool), problem
    assert 1 <= problem.line <= yaml_line_count(root / problem.file), f"{problem}: line outside the file"


def assert_loads_or_every_problem_is_located(root: Path) -> None:
    try:
        load_bundle(root)
    except RulesetError as exc:
        assert exc.problems, "a RulesetError with no problem"
        for problem in exc.problems:
            assert_problem_is_located(root, problem)


def assert_damaged_tree_loads_or_every_problem_is_located(damage: Damage) -> None:
    note(repr(damage))  # hypothesis prints a composite's value as nothing; the note says what was damaged
    with damaged_tree(damage) as root:
        assert_loads_or_every_problem_is_located(root)


# -- strategies ------------------------------------------------------------------
def typed_text(*, control: bool = True) -> st.SearchStrategy[str]:
    """Text as an officer's editor might produce it: CJK, tabs, YAML punctuation, control characters."""
    odd = "\0\x07\x1b\r\x85\u2028\ufeff" if control else ""
    return st.text(
        alphabet=st.one_of(
            st.sampled_from(list("\t\n :#-?[]{},&*!|>'\"%@`\\" + odd)),
            st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
            st.characters(blacklist_categories=("Cs",) if control else ("Cs", "Cc", "Co", "Cn")),
        ),
        min_size=1,
        max_size=30,
    )


def yaml_scalars() -> st.SearchStrategy[str]:
    """Scalars in YAML spelling, of every type a value can be mistyped as."""
    return st.one_of(
        st.integers(min_value=-(10**6), max_value=10**6).map(str),
        st.integers(min_value=1, max_value=6000).map(lambda n: "9" * n),
        st.sampled_from(["~", "null", '""', "''", "true", "no", "0", "-1", ".nan", "-.inf", "1e400", "0x1F",
                         "0o17", "00153", "1_000", "2024-01-01", "2021-02-30", "2024-13-01", "12:30:00"]),
        st.sampled_from(["!!int abc", "!!float x", "!!bool maybe", "!!timestamp soon", "!!binary ==x",
                         "!!binary aGVsbG8=", "!!set {a, b}", "!!str 1", "!!omap [a: 1]", "!!python/name:os.system"]),
        st.text(max_size=12).map(lambda text: json.dumps(text, ensure_ascii=False)),
    )


def yaml_keys() -> st.SearchStrategy[str]:
    return st.one_of(
        st.from_regex(r"[a-z_]{1,10}", fullmatch=True),
        st.integers(min_value=-5, max_value=99999).map(str),
        st.sampled_from(["~", "true", "1.5", "2024-01-01"]),
        st.text(min_size=1, max_size=8).map(lambda text: json.dumps(text, ensure_ascii=False)),
    )


def yaml_values() -> st.SearchStrategy[str]:
    """Flow-style YAML values: scalars, lists and mappings, nested a little."""
    return st.recursive(
        yaml_scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
            st.lists(st.tuples(yaml_keys(), inner), max_size=4).map(
                lambda pairs: "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"
            ),
        ),
        max_leaves=8,
    )


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


@st.composite
def line_damage(draw) -> Damage:
    """Delete, duplicate or re-indent a line; insert typed text; truncate; re-save in another encoding."""
    rel = draw(st.sampled_from(BUNDLE_FILES))
    text = SHIPPED[rel]
    lines = _lines(text)
    kind = draw(st.sampled_from(["delete", "duplicate", "indent", "insert", "truncate", "encoding"]))
    if kind in ("delete", "duplicate", "indent"):
        i = draw(st.integers(0, len(lines) - 1))
        if kind == "delete":
            new = lines[:i] + lines[i + 1:]
        elif kind == "duplicate":
            new = lines[: i + 1] + lines[i:]
        else:
            prefix = draw(st.sampled_from(["\t", " ", "   ", "- "]))
            new = lines[:i] + [prefix + lines[i]] + lines[i + 1:]
        return Damage(rel, f"{kind} line {i + 1}", "".join(new).encode("utf-8"))
    if kind == "insert":
        at = draw(st.integers(0, len(text)))
        typed = draw(typed_text())
        return Damage(rel, f"insert {typed!r} at {at}", (text[:at] + typed + text[at:]).encode("utf-8"))
    if kind == "truncate":
        at = draw(st.integers(0, len(text) - 1))
        return Damage(rel, f"truncate at {at}", text[:at].encode("utf-8"))
    encoding = draw(st.sampled_from(["gbk", "utf-16", "utf-8-sig"]))
    return Damage(rel, f"saved as {encoding}", text.encode(encoding, errors="replace"))


def _key_matches(text: str) -> list[re.Match]:
    return list(KEY_LINE.finditer(text))


def value_end(text: str, key: re.Match) -> int:
    """Where the value of ``key`` ends: its line, and the lines indented deeper below it."""
    column = len(key["lead"])
    end = text.find("\n", key.end())
    while end != -1:
        following = text.find("\n", end + 1)
        line = text[end + 1: following if following != -1 else len(text)]
        if line.strip() and len(line) - len(line.lstrip(" ")) <= column:
            break
        end = following
    return len(text) if end == -1 else end


def with_value(text: str, key: re.Match, value: str) -> str:
    return text[: key.end()] + " " + value + text[value_end(text, key):]


@st.composite
def value_damage(draw) -> Damage:
    """Replace the value of one `key:` (a scalar, or a whole nested block) with a value of another type."""
    rel = draw(st.sampled_from(BUNDLE_FILES))
    text = SHIPPED[rel]
    key = draw(st.sampled_from(_key_matches(text)))
    new_value = draw(yaml_values())
    line = text.count("\n", 0, key.start()) + 1
    new = with_value(text, key, new_value)
    return Damage(rel, f"line {line}: {key['key']}: {new_value[:80]!r}", new.encode("utf-8"))


@st.composite
def key_damage(draw) -> Damage:
    """Rename one key (a typo, another language, a number, nothing at all)."""
    rel = draw(st.sampled_from(BUNDLE_FILES))
    text = SHIPPED[rel]
    key = draw(st.sampled_from(_key_matches(text)))
    new_key = draw(st.one_of(yaml_keys(), st.just('""'), typed_text()))
    line = text.count("\n", 0, key.start()) + 1
    new = text[: key.start("key")] + new_key + text[key.end("key"):]
    return Damage(rel, f"line {line}: {key['key']} renamed {new_key!r}", new.encode("utf-8"))


def nested_text() -> st.SearchStrategy[str]:
    """Deep nesting: flow openers, block sequences, and mappings indented one more space each."""
    openers = st.builds(
        lambda opener, depth, tail: opener * depth + tail,
        st.sampled_from(["[", "{", "- ", "{a: ", "[{x: ", "? ", "!!seq ["]),
        st.integers(min_value=1, max_value=5000),
        st.sampled_from(["", "x", "]" * 3, "}"]),
    )
    indented = st.integers(min_value=1, max_value=600).map(
        lambda depth: "".join(f"{' ' * i}k{i}:\n" for i in range(depth)) + " " * depth + "end"
    )
    return st.one_of(openers, indented)


def long_lines() -> st.SearchStrategy[str]:
    return st.builds(
        lambda lead, ch, width: lead + ch * width,
        st.sampled_from(["", "a: ", "- ", '"', "[", "# "]),
        st.sampled_from(["x", "山", "\t", " ", "\0", "[", "a: "]),
        st.integers(min_value=1000, max_value=50_000),
    )


def any_yaml_text() -> st.SearchStrategy[str]:
    # mostly printable, so that structure (not the first NUL) is what gets exercised
    fragments = st.one_of(
        typed_text(control=False), yaml_values(), st.sampled_from(["\n", "\n  ", ": ", "- ", "&a ", "*a", "<<: "])
    )
    return st.one_of(
        st.text(max_size=200),
        typed_text(),
        st.lists(fragments, max_size=20).map("".join),
        nested_text(),
        long_lines(),
    )


# -- 1. the loader on a damaged tree -----------------------------------------------
@pytest.mark.slow
@FUZZ
@given(damage=line_damage())
def test_a_damaged_line_loads_or_names_file_and_line(damage):
    assert_damaged_tree_loads_or_every_problem_is_located(damage)


@pytest.mark.slow
@FUZZ
@given(damage=value_damage())
def test_a_value_of_another_type_loads_or_names_file_and_line(damage):
    assert_damaged_tree_loads_or_every_problem_is_located(damage)


@pytest.mark.slow
@FUZZ
@given(damage=key_damage())
def test_a_renamed_key_loads_or_names_file_and_line(damage):
    assert_damaged_tree_loads_or_every_problem_is_located(damage)


# -- 2. the strict YAML reader on any text -------------------------------------------
def assert_every_node_knows_its_lines(data, line_count: int) -> None:
    seen: set[int] = set()
    pending = [data]
    while pending:
        node = pending.pop()
        if id(node) in seen:  # an alias shares the node; visiting once keeps this linear
            continue
        seen.add(id(node))
        if isinstance(node, LineDict):
            assert set(node.lines) == set(node), node
            children, lines = list(node.values()), [node.line, *node.lines.values()]
        elif isinstance(node, LineList):
            assert len(node.lines) == len(node), node
            children, lines = list(node), [node.line, *node.lines]
        else:
            continue
        assert all(isinstance(n, int) and 1 <= n <= line_count for n in lines), (node, lines)
        pending.extend(children)


@FUZZ
@given(text=any_yaml_text())
def test_the_strict_reader_returns_data_or_a_located_syntax_error(text):
    line_count = len(YAML_BREAK.findall(text)) + 1
    try:
        data = parse_yaml(text, "fuzz.yaml")
    except YamlSyntaxError as exc:
        problem = exc.problem
        assert problem.file == "fuzz.yaml" and problem.field == "(yaml)", problem
        assert problem.message.strip(), problem
        assert isinstance(problem.line, int) and 1 <= problem.line <= line_count, problem
    else:
        assert_every_node_knows_its_lines(data, line_count)


# -- 3. versions are content hashes --------------------------------------------------
def courses_with_credits(text: str) -> list[tuple[str, int, int]]:
    """(code, credits, offset of the credits digits) for every catalogue entry."""
    starts = list(COURSE_KEY.finditer(text))
    out = []
    for here, after in zip(starts, [*starts[1:], None], strict=True):
        end = after.start() if after else len(text)
        credits = CREDITS_LINE.search(text, here.end(), end)
        if credits:
            out.append((here["code"], int(credits["credits"]), credits.start("credits")))
    return out


CATALOGUE = "curricula/catalogue.yaml"
CATALOGUE_CREDITS = courses_with_credits(SHIPPED[CATALOGUE])


@pytest.mark.slow
@FUZZ
@given(course=st.sampled_from(CATALOGUE_CREDITS), more=st.integers(min_value=1, max_value=10**12))
def test_raising_a_course_credit_loads_under_a_new_version(course, more):
    # Only a rise: a lower figure may leave a plan short of its min_credits, which is
    # a real problem, not the round trip under test.
    code, credits, at = course
    text = SHIPPED[CATALOGUE]
    new = text[:at] + str(credits + more) + text[at + len(str(credits)):]
    with damaged_tree(Damage(CATALOGUE, f"{code} credits {credits + more}", new.encode("utf-8"))) as root:
        bundle = load_bundle(root)
        assert bundle.catalogue[code].credits == credits + more
        assert bundle.version != SHIPPED_VERSION


def test_the_catalogue_scan_finds_every_course():
    assert len(CATALOGUE_CREDITS) == len(load_bundle(ROOT).catalogue)


def test_an_unchanged_copy_loads_under_the_shipped_version_every_time():
    with damaged_tree() as root:
        first = load_bundle(root).version
        assert load_bundle(root).version == first == SHIPPED_VERSION


# -- regressions: what the properties above found ------------------------------------
def shipped_with(rel: str, old: str, new: str) -> Damage:
    text = SHIPPED[rel]
    assert old in text, f"{old!r} not in {rel}"
    return Damage(rel, f"{old!r} -> {new!r}", text.replace(old, new, 1).encode("utf-8"))


def problems_after(damage: Damage) -> list[Problem]:
    with damaged_tree(damage) as root:
        with pytest.raises(RulesetError) as info:
            load_bundle(root)
        for problem in info.value.problems:
            assert_problem_is_located(root, problem)
        return info.value.problems


def shipped_with_value(rel: str, key: str, value: str) -> Damage:
    """The top-level ``key`` of a shipped file given ``value`` in place of its whole value."""
    [match] = [m for m in _key_matches(SHIPPED[rel]) if m["key"] == key and not m["lead"]]
    return Damage(rel, f"{key}: {value!r}", with_value(SHIPPED[rel], match, value).encode("utf-8"))


def line_in(rel: str, needle: str) -> int:
    return SHIPPED[rel][: SHIPPED[rel].index(needle)].count("\n") + 1


PLAN = "curricula/plans/sxufe/630701-2021.yaml"
POLICY = "rulesets/shanxi/policy.yaml"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2021-02-30", "cannot read '2021-02-30' as timestamp: day is out of range for month"),
        ("!!int abc", "cannot read 'abc' as int: invalid literal"),
        ("!!bool maybe", "cannot read 'maybe' as bool"),
        ("!!timestamp soon", "cannot read 'soon' as timestamp"),
        ("9" * 5000, "as int: Exceeds the limit (4300 digits)"),
    ],
)
def test_a_value_its_tag_cannot_hold_is_a_yaml_problem_on_its_line(value, message):
    # PyYAML raised ValueError / KeyError / AttributeError straight through the loader
    [problem] = problems_after(shipped_with(PLAN, "from: 2021-01-01", f"from: {value}"))
    assert (problem.file, problem.line, problem.field) == (PLAN, line_in(PLAN, "from: 2021-01-01"), "(yaml)")
    assert message in problem.message


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_deep_nesting_is_a_syntax_error_not_a_recursion_error(opener):
    with pytest.raises(YamlSyntaxError) as info:
        parse_yaml("note: ok\nx:\n  " + opener * 5000, "deep.yaml")
    assert info.value.problem.line == 3 and "nested more than 100 levels deep" in info.value.problem.message


def test_nesting_up_to_the_limit_still_parses():
    deepest = []
    for _ in range(99):
        deepest = [deepest]
    assert parse_yaml("[" * 100 + "]" * 100, "deep.yaml") == deepest
    with pytest.raises(YamlSyntaxError):
        parse_yaml("[" * 101 + "]" * 101, "deep.yaml")


@pytest.mark.parametrize("character", ["\0", "\x07", "\x1b"])
def test_a_control_character_is_reported_on_its_line(character):
    with pytest.raises(YamlSyntaxError) as info:
        parse_yaml(f"a: 1\nb: 2\r\nc: x{character}y\n", "ctl.yaml")
    assert info.value.problem.line == 3
    assert info.value.problem.message.startswith(f"unacceptable character #x{ord(character):04x}")


def test_a_major_written_as_a_list_is_a_problem_not_a_type_error():
    [problem] = problems_after(shipped_with(PLAN, 'major: "630701"', "major: [630701]"))
    assert (problem.line, problem.field) == (line_in(PLAN, 'major: "630701"'), "major")
    assert problem.message == 'must be a quoted major code such as "630701", found list'


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("match: [name, id_number, gender]", "match: true", "policy.prior_diploma.match"),
        ("passing_grades: [优秀, 良好, 中等, 合格]", "passing_grades: 1", "policy.passing_grades"),
        ("match: [name, id_number, gender]", "match: name", "policy.prior_diploma.match"),
    ],
)
def test_a_list_written_as_a_scalar_is_a_problem_on_its_line(old, new, field):
    [problem] = problems_after(shipped_with(POLICY, old, new))
    assert (problem.line, problem.field) == (line_in(POLICY, old), field)
    assert problem.message.startswith("must be a list, found")


def test_an_emptied_mapping_is_reported_on_its_key_line():
    # `effective:` left with nothing under it: None has no line of its own
    [problem] = problems_after(shipped_with_value(PLAN, "effective", ""))
    assert (problem.line, problem.field) == (line_in(PLAN, "effective:"), "effective")
    assert problem.message == "expected a mapping, found nothing"


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("{1: a, b: c}", "mixes number and text keys", "quote every key"),
        ("!!binary aGVsbG8=", "bytes cannot be stored", "write it as text"),
    ],
)
def test_a_note_json_cannot_spell_is_a_problem_not_a_type_error(value, message, hint):
    # the validator never looks inside a note; the content hash did, and raised TypeError
    [problem] = problems_after(shipped_with_value(PLAN, "note", value))
    assert (problem.file, problem.line, problem.message, problem.hint) == (
        PLAN, line_in(PLAN, "note: >-"), message, hint
    )


def test_an_empty_file_is_called_empty_not_missing():
    universities = "curricula/universities.yaml"
    [problem] = problems_after(Damage(universities, "comments only", b"# nothing here yet\n"))
    assert (problem.file, problem.line, problem.field) == (universities, None, "(file)")
    assert problem.message == "file is empty (only comments or blank lines)"
