"""Input rules of the 毕业生登记表: every field good and bad, all errors at once."""
from __future__ import annotations

import copy
from datetime import date

import pytest
from marshmallow.experimental.context import Context

from service import clock
from service.errors import InvalidInput
from service.forms.lists import ETHNICITIES, POLITICAL_STATUSES
from service.forms.registration import (
    RegistrationFormSchema,
    check_printable,
    count_cjk_ideographs,
    validate_registration,
)

TODAY = date(2024, 1, 1)
CJK_400 = "本人自参加高等教育自学考试以来刻苦学习遵纪守法" * 17  # 23 × 17 = 391
CJK_400 += "认真完成课程取得良好成绩"[:9]  # 400 ideographs exactly
LACKING = "䶮"  # U+4DAE, CJK Extension A: WenQuanYi Micro Hei has no glyph for it


def good_form() -> dict:
    return {
        "candidate": {"name": "张三", "gender": "男", "id_number": "140105199001011234",
                      "exam_number": "011234567890"},
        "ethnicity": "汉族",
        "political_status": "中国共产主义青年团团员",
        "occupation": "职员",
        "mobile": "13800000000",
        "education_obtained": "大学专科",
        "health": "健康",
        "work_start_date": "2012年07月01日",
        "overseas_relative": False,
        "native_place": "山西省太原市",
        "employer": "太原市某某科技有限公司",
        "home_address": "山西省太原市小店区平阳路1号",
        "resume": [{"from": "2009年09月01日", "to": "2012年07月01日", "place": "山西财经大学学习"}],
        "family_members": [{"name": "张父", "employer": "平遥县某村", "position": "务农"}],
        "rewards_punishments": "奖励：2015年度优秀员工",
        "self_evaluation": CJK_400,
    }


def errors_for(data: dict, today: date = TODAY) -> dict:
    with pytest.raises(InvalidInput) as info:
        validate_registration(data, today=today)
    assert info.value.status == 422
    return info.value.fields


def with_(**changes) -> dict:
    data = good_form()
    data.update(changes)
    return data


def test_count_of_the_cjk_fixture():
    assert count_cjk_ideographs(CJK_400) == 400


# --- the official lists ----------------------------------------------------------


def test_ethnicities_are_the_56_of_gbt_3304():
    assert len(ETHNICITIES) == len(set(ETHNICITIES)) == 56
    assert ETHNICITIES[0] == "汉族" and ETHNICITIES[-1] == "基诺族"
    assert "其他" not in ETHNICITIES


def test_political_statuses_are_the_13_of_gbt_4762():
    assert len(POLITICAL_STATUSES) == 13
    assert POLITICAL_STATUSES[0] == "中国共产党党员" and POLITICAL_STATUSES[-1] == "群众"


# --- a good form ----------------------------------------------------------------------


def test_good_form_is_returned_cleaned():
    data = with_(mobile=" 138 0000-0000 ", work_start_date="2012年7月1日", overseas_relative="否",
                 rewards_punishments=None, self_evaluation="", occupation="  职员  ")
    data["candidate"]["photo"] = b"\x89PNG..."
    out = validate_registration(data, today=TODAY)
    assert out["mobile"] == "13800000000"
    assert out["work_start_date"] == "2012年07月01日"
    assert out["overseas_relative"] is False
    assert out["rewards_punishments"] == ""
    assert out["self_evaluation"] is None  # to be handwritten on the printout
    assert out["occupation"] == "职员"
    assert out["resume"] == [{"from": "2009年09月01日", "to": "2012年07月01日", "place": "山西财经大学学习"}]
    assert "photo" not in out["candidate"]


def test_family_members_may_be_missing_or_empty():
    data = good_form()
    del data["family_members"]
    assert validate_registration(data, today=TODAY)["family_members"] == []
    assert validate_registration(with_(family_members=[]), today=TODAY)["family_members"] == []


def test_family_member_without_employer_or_position():
    out = validate_registration(with_(family_members=[{"name": "李母"}]), today=TODAY)
    assert out["family_members"] == [{"name": "李母", "employer": "", "position": ""}]


def test_candidate_block_is_optional():
    data = good_form()
    del data["candidate"]
    assert "candidate" not in validate_registration(data, today=TODAY)


@pytest.mark.parametrize("value", ["汉族", "基诺族", "维吾尔族", " 回族 "])
def test_ethnicity_good(value):
    assert validate_registration(with_(ethnicity=value), today=TODAY)["ethnicity"] == value.strip()


@pytest.mark.parametrize("value", POLITICAL_STATUSES)
def test_political_status_good(value):
    assert validate_registration(with_(political_status=value), today=TODAY)["political_status"] == value


@pytest.mark.parametrize("value, cleaned", [
    ("13912345678", "13912345678"),
    ("199 1234 5678", "19912345678"),
    ("１３８００００００００", "13800000000"),
])
def test_mobile_good(value, cleaned):
    assert validate_registration(with_(mobile=value), today=TODAY)["mobile"] == cleaned


@pytest.mark.parametrize("value, cleaned", [
    ("2012年7月1日", "2012年07月01日"),
    ("2020年02月29日", "2020年02月29日"),
    ("2024年01月01日", "2024年01月01日"),  # today itself is not the future
    (date(2010, 3, 5), "2010年03月05日"),
    ("２０１２年０７月０１日", "2012年07月01日"),
])
def test_work_start_date_good(value, cleaned):
    assert validate_registration(with_(work_start_date=value), today=TODAY)["work_start_date"] == cleaned


@pytest.mark.parametrize("value, cleaned", [(True, True), ("是", True), ("否", False), ("true", True)])
def test_overseas_relative_good(value, cleaned):
    assert validate_registration(with_(overseas_relative=value), today=TODAY)["overseas_relative"] is cleaned


@pytest.mark.parametrize("value", [
    "山西省太原市", "山西省晋中市平遥县", "北京市", "北京市海淀区", "重庆市城口县",
    "内蒙古自治区呼和浩特市", "内蒙古自治区锡林郭勒盟", "广西壮族自治区南宁市",
    "新疆维吾尔自治区伊犁哈萨克自治州", "吉林省延边朝鲜族自治州", "湖北省神农架林区",
    "海南省陵水黎族自治县", "香港特别行政区", "黑龙江省哈尔滨市",
])
def test_native_place_good(value):
    assert validate_registration(with_(native_place=value), today=TODAY)["native_place"] == value


def test_self_evaluation_counts_ideographs_only():
    text = CJK_400 + "，。“”abc 123\n" * 3
    assert validate_registration(with_(self_evaluation=text), today=TODAY)["self_evaluation"]


def test_self_evaluation_keeps_paragraphs_and_indent():
    text = "　　" + CJK_400[:200] + "\r\n　　" + CJK_400[200:]
    out = validate_registration(with_(self_evaluation=text), today=TODAY)["self_evaluation"]
    assert out == "　　" + CJK_400[:200] + "\n　　" + CJK_400[200:]


@pytest.mark.parametrize("value", [None, "", "   \n  "])
def test_self_evaluation_empty_means_handwritten(value):
    assert validate_registration(with_(self_evaluation=value), today=TODAY)["self_evaluation"] is None


def test_resume_twenty_rows_allowed():
    rows = [{"from": f"{1990 + i}年01月01日", "to": f"{1990 + i}年12月31日", "place": "某地"} for i in range(20)]
    assert len(validate_registration(with_(resume=rows), today=TODAY)["resume"]) == 20


def test_today_defaults_to_the_real_today():
    validate_registration(with_(work_start_date="2012年07月01日"))
    assert "work_start_date" in errors_for(with_(work_start_date="2999年01月01日"), today=None)


def test_today_is_read_from_the_schema_context():
    data = with_(work_start_date="2024年06月01日")
    assert "work_start_date" in errors_for(data, today=date(2024, 5, 31))
    with Context({"today": date(2024, 6, 1)}):
        assert RegistrationFormSchema().load(data)["work_start_date"] == "2024年06月01日"


# --- one bad field at a time: exactly that field is named ------------------------------

BAD = [
    ("ethnicity", "汉"), ("ethnicity", "其他"), ("ethnicity", ""), ("ethnicity", None), ("ethnicity", 1),
    ("political_status", "党员"), ("political_status", "共青团员"), ("political_status", ""),
    ("occupation", ""), ("occupation", "   "), ("occupation", "职" * 101), ("occupation", "a\nb"),
    ("mobile", "12800000000"), ("mobile", "1380000000"), ("mobile", "138000000001"),
    ("mobile", "abc"), ("mobile", "+8613800000000"), ("mobile", ""),
    ("education_obtained", ""), ("education_obtained", "学" * 101),
    ("health", ""), ("health", "健" * 101),
    ("work_start_date", "2012-07-01"), ("work_start_date", "2012年02月30日"),
    ("work_start_date", "2012年13月01日"), ("work_start_date", "2024年01月02日"),
    ("work_start_date", "1899年12月31日"), ("work_start_date", 20120701), ("work_start_date", ""),
    ("work_start_date", "12年07月01日"),
    ("overseas_relative", "maybe"), ("overseas_relative", None), ("overseas_relative", "华侨"),
    ("native_place", "山西太原"), ("native_place", "太原市"), ("native_place", "山西省"),
    ("native_place", "晋省太原市"), ("native_place", "北京"), ("native_place", "内蒙古呼和浩特市"),
    ("native_place", "山西省太原"), ("native_place", "Shanxi"), ("native_place", ""),
    ("employer", ""), ("employer", "某\u200b公司"), ("employer", "某\x00公司"), ("employer", "单" * 101),
    ("home_address", ""), ("home_address", "址" * 201),
    ("rewards_punishments", "奖" * 501), ("rewards_punishments", 5),
    ("self_evaluation", CJK_400[:399] + "。" * 50), ("self_evaluation", "a" * 600),
    ("self_evaluation", "好" * 2001),
    ("resume", []), ("resume", None), ("resume", "2009年至2012年在校学习"),
    ("family_members", "父亲"), ("family_members", [{"name": "某"}] * 11),
]


@pytest.mark.parametrize("field, value", BAD)
def test_bad_value_names_its_field(field, value):
    errors = errors_for(with_(**{field: value}))
    assert list(errors) == [field]
    assert errors[field]


@pytest.mark.parametrize("field", ["ethnicity", "political_status", "occupation", "mobile",
                                   "education_obtained", "health", "work_start_date",
                                   "overseas_relative", "native_place", "employer",
                                   "home_address", "resume"])
def test_required_field_missing(field):
    data = good_form()
    del data[field]
    assert errors_for(data) == {field: ["此项为必填项。"]}


def test_address_allows_200():
    assert validate_registration(with_(home_address="址" * 200), today=TODAY)


def test_self_evaluation_under_400_reports_the_count():
    messages = errors_for(with_(self_evaluation="好" * 10))["self_evaluation"]
    assert any("400" in m and "10" in m for m in messages)


# --- rows ---------------------------------------------------------------------------------


def test_resume_row_rules():
    rows = [
        {"from": "2012年07月01日", "to": "2012年07月01日", "place": "同一天"},
        {"from": "2013年01月01日", "to": "2012年01月01日", "place": "倒序"},
        {"from": "2012年2月30日", "to": "2013年01月01日", "place": "假日期"},
        {"from": "2010年01月01日", "to": "2011年01月01日"},
        {"from": "2010年01月01日", "to": "2011年01月01日", "place": "某地", "note": "x"},
        "not a row",
        {"from": "2010年01月01日", "to": "2011年01月01日", "place": "好"},
    ]
    errors = errors_for(with_(resume=rows))["resume"]
    assert set(errors) == {0, 1, 2, 3, 4, 5}
    assert "to" in errors[0] and "to" in errors[1]
    assert list(errors[2]) == ["from"]
    assert list(errors[3]) == ["place"]
    assert list(errors[4]) == ["note"]
    assert errors[5]


def test_resume_too_many_rows_and_a_bad_row_both_reported():
    rows = [{"from": "2010年01月01日", "to": "2011年01月01日", "place": "某地"}] * 21
    rows[3] = {"from": "2011年01月01日", "to": "2010年01月01日", "place": "某地"}
    errors = errors_for(with_(resume=rows))["resume"]
    assert "to" in errors[3]
    assert any("20" in m for m in errors["_schema"])


def test_family_member_row_rules():
    errors = errors_for(with_(family_members=[{"employer": "无"}, {"name": "某", "position": "职" * 101}]))
    assert errors == {"family_members": {0: {"name": ["此项为必填项。"]},
                                         1: {"position": [errors["family_members"][1]["position"][0]]}}}


# --- everything at once ----------------------------------------------------------------


def test_all_problems_are_collected_in_one_error():
    data = with_(ethnicity="其他", political_status="", occupation="", mobile="123",
                 education_obtained="", health="", work_start_date="2012年2月30日",
                 overseas_relative="?", native_place="太原", employer="", home_address="",
                 resume=[{"from": "x", "to": "y", "place": ""}], family_members=[{}],
                 rewards_punishments="奖" * 501, self_evaluation="太短", unexpected="x")
    data["candidate"]["name"] = "刘" + LACKING
    with pytest.raises(InvalidInput) as info:
        validate_registration(data, today=TODAY)
    fields = info.value.fields
    assert set(fields) == {
        "candidate", "ethnicity", "political_status", "occupation", "mobile", "education_obtained",
        "health", "work_start_date", "overseas_relative", "native_place", "employer", "home_address",
        "resume", "family_members", "rewards_punishments", "self_evaluation", "unexpected",
    }
    assert set(fields["resume"][0]) == {"from", "to", "place"}
    assert info.value.to_dict()["fields"] is fields
    assert info.value.to_dict()["error"] == "invalid_input"


def test_not_a_dict():
    assert "_schema" in errors_for(["not", "a", "form"])


# --- what the font cannot print is refused at input ---------------------------------------


def test_check_printable():
    assert check_printable("张三，（山西）“好”\n　") == []
    assert check_printable("刘" + LACKING) == [LACKING]
    assert check_printable("𠀀a𠀀😀") == ["𠀀", "😀"]  # distinct, in order of appearance
    assert check_printable("a\x00b") == ["\x00"]


def test_name_the_font_cannot_print_is_refused():
    data = good_form()
    data["candidate"]["name"] = "刘" + LACKING
    errors = errors_for(data)
    assert list(errors) == ["candidate"]
    assert list(errors["candidate"]) == ["name"]
    assert LACKING in errors["candidate"]["name"][0]
    assert "U+4DAE" in errors["candidate"]["name"][0]


@pytest.mark.parametrize("path, value", [
    (("employer",), "𠀀𠀀公司"),
    (("home_address",), "山西省太原市😀路"),
    (("resume", 0, "place"), "在" + LACKING + "地学习"),
    (("family_members", 0, "name"), "王" + LACKING),
    (("rewards_punishments",), "奖励：" + LACKING),
    (("self_evaluation",), CJK_400 + LACKING),
])
def test_unprintable_text_is_refused_where_it_was_typed(path, value):
    data = good_form()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    errors = errors_for(copy.deepcopy(data))
    for key in path:
        assert key in errors, errors
        errors = errors[key]
    assert any("无法打印" in m for m in errors)


def test_without_a_given_today_the_service_clock_says_what_is_future():
    with clock.using(clock.Clock({clock.CONFIG_KEY: "2012-07-01T10:00:00"})):
        assert validate_registration(good_form())["work_start_date"] == "2012年07月01日"
    with clock.using(clock.Clock({clock.CONFIG_KEY: "2012-06-30T10:00:00"})), pytest.raises(InvalidInput) as info:
        validate_registration(good_form())
    assert info.value.fields == {"work_start_date": ["不能晚于今天（2012年06月30日）。"]}
