"""Chinese first: every error message and field problem in Chinese unless Accept-Language prefers English,
the codes the same in both; the catalogue complete; every error code in the OpenAPI document."""
from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from marshmallow import fields as ma_fields
from marshmallow import validate
from support.applications import ELIGIBLE, Driver, portal, prepare
from support.common import auth_headers, example

import service
from service import translations
from service.errors import InvalidInput, Msg, NotFound, ServiceError
from service.forms.registration import validate_registration
from service.translations import library
from service.web.error_schema import ERROR_CODES

CJK = re.compile(r"[\u3400-\u9fff]")
# what an English message may still hold in Chinese: values echoed from the request or the reference tables
ENGLISH_VALUES = re.compile(r"[\u3400-\u9fff（）「」：，。；、·]+")
PO = translations.DIRECTORY / "zh" / "LC_MESSAGES" / "messages.po"
EN_PO = translations.DIRECTORY / "en" / "LC_MESSAGES" / "messages.po"
# an id written in Chinese at its source (the 毕业生登记表's): no English words once placeholders are taken out
WRITTEN_IN_CHINESE = re.compile(r"^(?!.* / )(?!.*[A-Za-z]{4,}).*[\u3400-\u9fff]", re.S)
PORTAL = auth_headers("portal", "010119100001")
ZH = {"Accept-Language": ""}  # no preference: the default
EN = {"Accept-Language": "en-US,en;q=0.9,zh;q=0.5"}


@pytest.fixture
def client(app):
    made = app.test_client()
    made.environ_base.pop("HTTP_ACCEPT_LANGUAGE", None)  # the conftest's English default: not here
    return made


def problems(tree) -> list[str]:
    if isinstance(tree, dict):
        return [p for v in tree.values() for p in problems(v)]
    if isinstance(tree, list):
        return [p for v in tree for p in problems(v)]
    return [tree] if isinstance(tree, str) else []


def requests(client, drive) -> dict:
    """One request per 4xx the portal meets, as a function of extra headers."""
    draft = drive.create(ELIGIBLE)
    nested = example("marketing-complete")
    nested["choices"] = [{"university": 5}]
    nested["transcript"][1]["date"] = "yesterday"
    nested["bogus"] = 1
    return {
        400: lambda h: client.post("/v1/evaluations", data="{bad", content_type="application/json",
                                   headers={**PORTAL, **h}),
        401: lambda h: client.get("/v1/universities", headers=h),
        403: lambda h: client.post("/v1/evaluations", json=example("marketing-complete"),
                                   headers={**auth_headers("auditor"), **h}),
        404: lambda h: client.get("/v1/majors/sxufe/999999", headers={**PORTAL, **h}),
        405: lambda h: client.delete("/v1/universities", headers={**PORTAL, **h}),
        409: lambda h: client.put(f"/v1/applications/{draft['id']}/photo", headers={**portal(ELIGIBLE), **h},
                                  data={"photo": (io.BytesIO(b"x"), "p.jpg")},
                                  content_type="multipart/form-data"),
        413: lambda h: client.post("/v1/evaluations", data=b"[" + b"0," * 600_000 + b"0]",
                                   content_type="application/json", headers={**PORTAL, **h}),
        415: lambda h: client.post("/v1/evaluations", data="x", content_type="text/plain", headers={**PORTAL, **h}),
        422: lambda h: client.post("/v1/evaluations", json=nested, headers={**PORTAL, **h}),
    }


@pytest.fixture
def drive(app, client):
    prepare(app)
    return Driver(client)


def test_each_4xx_is_chinese_by_default_english_on_request_with_the_same_code(client, drive):
    for status, send in requests(client, drive).items():
        zh, en = send(ZH), send(EN)
        assert zh.status_code == en.status_code == status, (status, zh.json, en.json)
        assert zh.json["error"] == en.json["error"] == ERROR_CODES_BY_STATUS(status, zh.json["error"])
        assert zh.headers["Content-Language"] == "zh" and en.headers["Content-Language"] == "en"
        assert CJK.search(zh.json["message"]), (status, zh.json)
        assert not CJK.search(ENGLISH_VALUES.sub("", en.json["message"])) and en.json["message"] != zh.json["message"]
        for p in problems(zh.json.get("fields")):
            assert CJK.search(p), (status, p)
        assert len(problems(zh.json.get("fields"))) == len(problems(en.json.get("fields")))
        if status == 422:  # marshmallow's own messages too, nested by index
            assert zh.json["fields"]["choices"]["0"]["university"] == ["不是有效的字符串。"]
            assert en.json["fields"]["choices"]["0"]["university"] == ["Not a valid string."]
            assert zh.json["fields"]["bogus"] == ["未知字段。"]
            assert zh.json["fields"]["transcript"]["1"]["date"] == ["不是有效的日期。"]


def ERROR_CODES_BY_STATUS(status: int, code: str) -> str:  # noqa: N802 - reads as the table it checks
    assert ERROR_CODES[code][0] == status, (code, status)
    return code


def test_values_are_kept_in_a_translated_sentence(client):
    zh = client.get("/v1/majors/sxufe/999999", headers={**PORTAL, **ZH}).json
    assert zh["message"] == "sxufe 没有专业 999999"
    resp = client.get("/v1/applications?state=bogus", headers={**auth_headers("province"), **ZH})
    assert resp.status_code == 422 and resp.json["fields"]["state"][0].startswith("未知的状态：可选 draft, ")
    en = client.get("/v1/applications?state=bogus", headers={**auth_headers("province"), **EN}).json
    assert en["fields"]["state"][0].startswith("unknown state (状态): one of draft, ")


def test_marshmallow_templates_carry_their_values():
    zh = translations.catalogue("zh")
    assert translations.translate("Must be one of: 男, 女.", zh) == "须为以下之一：男, 女。"
    assert translations.translate("Length must be between 1 and 2.", zh) == "长度须在 1 到 2 之间。"
    assert translations.translate("Must be greater than or equal to 0 and less than or equal to 9.", zh) == \
        "须大于等于 0 且小于等于 9。"
    assert translations.translate("Must be greater than or equal to 0.", zh) == "须大于等于 0。"
    assert translations.translate("something no catalogue has", zh) == "something no catalogue has"


def test_the_cli_reads_chinese_then_english_without_a_request():
    exc = NotFound(Msg("no order %(id)s", id="abc"))
    assert translations.text(exc) == "没有订单 abc / no order abc"
    assert exc.message == "no order abc" and exc.to_dict()["message"] == "no order abc"  # library code sees ids
    assert translations.text(InvalidInput("文件为空 / The file is empty")) == "文件为空 / The file is empty"


# --- the catalogue ------------------------------------------------------------------------------


def _extracted() -> set[str]:
    keywords = {}
    for k in translations.KEYWORDS:
        name, _, arg = k.partition(":")
        keywords[name] = (int(arg),) if arg else None
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(Path(service.__file__).parent), method_map=[("**.py", "service.translations.extract:extract")],
            keywords=keywords,
            comment_tags=(), strip_comment_tags=True):
        if message:
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_the_code_marks_has_a_chinese_translation():
    with PO.open("rb") as f:
        catalogue = read_po(f)
    translated = {m.id: m.string for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_extracted() - set(translated))
    assert not missing, f"untranslated or stale catalogue (run `make messages`): {missing}"
    untranslated = sorted(m.id for m in catalogue if m.id and (not m.string or m.fuzzy))
    assert not untranslated


def test_every_message_written_in_chinese_has_an_english_translation():
    with EN_PO.open("rb") as f:
        catalogue = read_po(f)
    chinese = [m for m in catalogue if m.id and WRITTEN_IN_CHINESE.match(re.sub(r"%\(\w+\)[sdr]|x+", "", m.id))]
    # an English sentence, which may quote what the candidate types (xxxx年xx月xx日, 是 / 否)
    assert len(chinese) > 20
    assert not [m.id for m in chinese if m.fuzzy or not re.search(r"[A-Za-z]{3,}.*[A-Za-z]{3,}", m.string or "")]


@pytest.mark.parametrize("po", [PO, EN_PO], ids=["zh", "en"])
def test_the_compiled_catalogue_is_the_po_file(po):
    with po.open("rb") as f:
        source = {m.id: m.string for m in read_po(f) if m.id and m.string}
    with po.with_suffix(".mo").open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    assert compiled == source, f"{po.with_suffix('.mo')} is stale: run `make messages`"


def test_the_registration_form_problems_read_in_both_languages():
    with pytest.raises(InvalidInput) as exc:
        validate_registration({"ethnicity": "火星族", "resume": []})
    zh = translations.render(exc.value.to_dict(), translations.catalogue("zh"))
    en = translations.render(exc.value.to_dict(), translations.catalogue("en"), "en")
    assert zh["message"] == "毕业生登记表填写有误，请按提示逐项修改。"
    assert zh["fields"]["mobile"] == ["此项为必填项。"] and zh["fields"]["resume"] == ["学习或工作经历至少填写一栏。"]
    assert en["message"] == "The 毕业生登记表 has problems; correct each field as indicated."
    assert en["fields"]["mobile"] == ["This field is required."]
    assert en["fields"]["resume"] == ["Fill in at least one row of study or work history."]
    assert en["fields"]["ethnicity"] == ["Choose the ethnicity from the list (GB/T 3304)."]
    with pytest.raises(InvalidInput) as exc:
        validate_registration({"occupation": "x" * 101})
    en = translations.render(exc.value.to_dict(), translations.catalogue("en"), "en")
    assert en["fields"]["occupation"] == ["At most 100 characters (now 101)."]


def _library_messages() -> set[str]:
    """marshmallow's messages as a client can read them; those completed per class ({obj_type}: Not a valid
    date.) are listed completed, and a TimeDelta, which no schema here uses, is left out."""
    found = set()
    for module in (ma_fields, validate):
        for _name, cls in vars(module).items():
            if inspect.isclass(cls) and isinstance(getattr(cls, "default_error_messages", None), dict):
                found.update(m for m in cls.default_error_messages.values()
                             if not re.search(r"\{(obj_type|awareness|input!r)\}", m))
    return found


def test_marshmallow_messages_are_all_listed_for_the_catalogue():
    assert _library_messages() <= set(library.MARSHMALLOW)


# --- error codes --------------------------------------------------------------------------------


def _service_errors() -> set[type]:
    for info in pkgutil.walk_packages(service.__path__, "service."):
        if not info.name.endswith("__main__"):  # running it would run the CLI
            importlib.import_module(info.name)
    seen, todo = set(), [ServiceError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen | {ServiceError}


def test_every_error_code_is_listed_with_its_status():
    for cls in _service_errors():
        assert cls.code in ERROR_CODES, f"{cls.__module__}.{cls.__name__}: add {cls.code!r} to ERROR_CODES"
        assert ERROR_CODES[cls.code][0] == cls.status, cls


def test_the_openapi_document_lists_the_codes(client):
    spec = client.get("/v1/openapi.json").json
    listed = spec["components"]["schemas"]["ErrorCode"]
    assert listed["enum"] == list(ERROR_CODES)
    assert {e["code"]: e["status"] for e in listed["x-error-codes"]} == {c: s for c, (s, _) in ERROR_CODES.items()}
    assert spec["components"]["schemas"]["Error"]["properties"]["error"]["enum"] == list(ERROR_CODES)

