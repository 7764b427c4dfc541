"""The guide parser: what a reader types is what the test runs, and the `# →` lines are what it checks."""
from __future__ import annotations

from support.guides import mismatches, parse

GUIDE = """# A guide

```sh
make demo && SXZK_NOW=2026-11-20T10:00 make run
```

<!-- not run: an alternative -->
```sh
SXZK_NOW=2025-11-20T10:00 make run
```

```sh
cat > form.json <<'EOF'
{"a": 1}
EOF
curl -s -X POST $B/x -d '{
  "k": "v"}'
# → 422 {"error": "invalid_input", "fields": {"k": ["…"]}}
for who in 1 2; do
  echo "[$who]"
done
# → [1]
# → [2]
curl -s $B/y | jq .state   # → "paid"
# → {"type":"省际转出",
#    "city":"太原市"}
```
"""


def _guide(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(GUIDE, encoding="utf-8")
    return parse(path)


def test_blocks_split_into_the_commands_a_shell_runs(tmp_path):
    guide = _guide(tmp_path)
    assert guide.server == "make demo && SXZK_NOW=2026-11-20T10:00 make run"
    texts = [c.text.splitlines()[0] for c in guide.commands]
    assert texts == ["cat > form.json <<'EOF'", "curl -s -X POST $B/x -d '{", "for who in 1 2; do",
                     "curl -s $B/y | jq .state   # → \"paid\""]
    heredoc, post, loop, state = guide.commands
    assert heredoc.text.endswith("EOF") and post.expected_status == 422
    assert loop.expected_values == [[1], [2]]
    assert state.expected_values == ["paid", {"type": "省际转出", "city": "太原市"}]


def test_an_answer_that_drifted_is_named(tmp_path):
    post = _guide(tmp_path).commands[1]
    assert mismatches(post, '{"error": "invalid_input", "fields": {"k": ["必填"]}, "message": "x"}') == []
    assert mismatches(post, '{"error": "conflict"}') == ['{"error": "invalid_input", "fields": {"k": ["…"]}}']


def test_a_keyword_inside_a_quoted_text_opens_nothing(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text('```sh\npython -c "import x\nfor k in (1, 2): print(k)"\necho next\n# → "next"\n```\n',
                    encoding="utf-8")
    first, second = parse(path).commands
    assert first.text.endswith('print(k)"') and second.expected_values == ["next"]
