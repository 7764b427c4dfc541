"""Response bodies go through orjson; what it cannot spell falls back to Flask's encoder, unchanged."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from flask import Flask

from service.web.json_provider import OrjsonProvider


@pytest.fixture
def app():
    app = Flask(__name__)
    app.json = OrjsonProvider(app)
    return app


@dataclass
class Point:
    x: int
    label: str


VALUES = [
    {"status": "eligible", "major_name": "市场营销", "credits": {"earned": 78, "required": 70}, "notes": []},
    {"b": 1, "a": [None, True, False, "引号\"与\\反斜杠\n换行\u2028"]},
    {"control": "\x00\x1f\x7f", "emoji": "🎓"},
]


@pytest.mark.parametrize("value", VALUES)
def test_the_body_is_what_flask_wrote_before(app, value):
    with app.app_context():
        body = app.json.response(value).get_data(as_text=True)
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert body == expected


def test_keys_keep_their_order_and_chinese_stays_readable(app):
    with app.app_context():
        assert app.json.response({"z": 1, "a": "中"}).get_data(as_text=True) == '{"z":1,"a":"中"}\n'
        assert app.json.dumps({"z": 1, "a": "中"}) == '{"z": 1, "a": "中"}'  # dumps() as json.dumps spells it


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Flask's own default: dates as HTTP dates, dataclasses as objects
        ({"on": dt.date(2026, 6, 30)}, '{"on":"Tue, 30 Jun 2026 00:00:00 GMT"}'),
        ({"p": Point(1, "甲")}, '{"p":{"x":1,"label":"甲"}}'),
        # what orjson refuses goes to json.dumps
        ({"big": 2**70}, '{"big":1180591620717411303424}'),
        ({1: "one"}, '{"1":"one"}'),
    ],
)
def test_what_orjson_does_not_spell_like_flask_goes_to_flask(app, value, expected):
    with app.app_context():
        assert app.json.response(value).get_data(as_text=True) == expected + "\n"


def test_debug_output_is_still_indented(app):
    app.debug = True
    with app.app_context():
        assert app.json.response({"a": 1}).get_data(as_text=True) == '{\n  "a": 1\n}\n'


def test_an_unserialisable_value_is_still_a_type_error(app):
    with app.app_context(), pytest.raises(TypeError):
        app.json.dumps({"x": object()})
