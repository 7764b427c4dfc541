"""The printed 毕业生登记表: content, two copies, reproducible bytes, real glyphs."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
from PIL import Image
from pypdf import PdfReader

from service.errors import InvalidInput
from service.forms import fonts
from service.forms.pdf import NO_LINE_END, NO_LINE_START, PAGE_H, PAGE_W, TITLE, kinsoku_wrap, render_registration_pdf
from service.forms.registration import validate_registration

ID_NUMBER = "14010519900101123X"
SELF_EVALUATION = (
    "　　本人自参加高等教育自学考试以来，始终坚持学习马克思主义理论，拥护党的路线、方针、政策，"
    "遵纪守法，积极向上。在工作中，我认真负责，团结同事，努力提高业务水平；在学习上，我合理"
    "安排时间，克服工学矛盾，系统学习了专业课程，掌握了扎实的专业知识和技能。“学而不思则罔，"
    "思而不学则殆。”我始终以此自勉，今后将继续努力。\n"
) * 4


def form_data(**changes) -> dict:
    data = {
        "ethnicity": "汉族", "political_status": "中国共产主义青年团团员", "occupation": "会计",
        "mobile": "13800000000", "education_obtained": "大学专科", "health": "健康",
        "work_start_date": "2012年07月01日", "overseas_relative": False,
        "native_place": "山西省晋中市平遥县", "employer": "太原市某某科技有限公司",
        "home_address": "山西省太原市小店区平阳路某某小区3号楼2单元501室",
        "resume": [
            {"from": "2006年09月01日", "to": "2009年07月01日", "place": "山西省平遥中学学习"},
            {"from": "2012年07月01日", "to": "2023年12月31日", "place": "太原市某某科技有限公司财务部工作，任会计"},
        ],
        "family_members": [{"name": "张父", "employer": "平遥县某村", "position": "务农"}],
        "rewards_punishments": "奖励：2015年度公司优秀员工。",
        "self_evaluation": SELF_EVALUATION,
    }
    data.update(changes)
    return validate_registration(data, today=date(2024, 1, 1))


CANDIDATE = {"name": "张三丰", "gender": "男", "id_number": ID_NUMBER, "exam_number": "011234567890"}
APPLICATION = {"application_id": "SX2024-000123", "university": "山西财经大学", "major": "会计学",
               "level": "本科", "district": "太原市小店区", "submitted_at": datetime(2024, 5, 27, 9, 30)}


COURSES = [
    {"code": "03706", "name": "思想道德修养与法律基础", "credits": 2, "score": "76", "date": "2019-04-14", "note": ""},
    {"code": "00015", "name": "英语(二)", "credits": 14, "score": "免考", "date": "2019-10-01", "note": "免考"},
    {"code": "12656", "name": "毛泽东思想和中国特色社会主义理论体系概论", "credits": 4, "score": "61",
     "date": "2020-10-18", "note": ""},
    {"code": "00058", "name": "市场营销学", "credits": 5, "score": "88", "date": "2021-04-11",
     "note": "旧计划"},
]


def png_photo(fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (260, 360), (70, 120, 200)).save(buf, fmt)
    return buf.getvalue()


def render(form=None, candidate=None, application=None, courses=None) -> bytes:
    return render_registration_pdf(form or form_data(), candidate or CANDIDATE, application or APPLICATION,
                                   courses=COURSES if courses is None else courses)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render()


@pytest.fixture(scope="module")
def texts(pdf) -> list[str]:
    return page_texts(pdf)


# --- content --------------------------------------------------------------------------


def test_is_an_a4_pdf(pdf):
    reader = PdfReader(io.BytesIO(pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(PAGE_W), round(PAGE_H))


def test_contains_title_name_major_copies_and_self_evaluation(texts):
    whole = "\n".join(texts)
    for expected in (TITLE, "张三丰", "会计学", "第一份", "第二份", "山西财经大学"):
        assert expected in whole
    first_copy = squeeze("".join(texts[: len(texts) // 2]))
    assert squeeze(SELF_EVALUATION) in first_copy


def test_identity_block_is_complete(texts):
    page = texts[0]
    for expected in (ID_NUMBER, "011234567890", "汉族", "中国共产主义青年", "山西省晋中市平遥县",
                     "2012年07月01日", "大学专科", "健康", "会计", "太原市某某科技有限公司",
                     "13800000000", "山西省太原市小店区平阳路", "否", "本科", "太原市小店区",
                     "自何年月", "至何年月", "在何地何单位学习或工作", "2006年09月01日", "张父", "务农"):
        assert expected in page, expected


def test_signature_lines_and_office_box(texts):
    back = squeeze(texts[1])
    for expected in ("奖惩情况", "奖励：2015年度公司优秀员工。", "自我鉴定", "本人签字", "日期",
                     "县（市、区）自考办意见", "盖章"):
        assert expected in back, expected


def test_birth_month_is_read_from_the_id_number(texts):
    assert "出生年月" in texts[0] and "1990年01月" in texts[0]


def test_birth_month_is_blank_when_the_id_number_carries_no_real_date():
    first = page_texts(render(candidate={**CANDIDATE, "id_number": "140105199013011230"}))[0]
    assert "出生年月" in first and "1990年13月" not in first


def test_second_sheet_holds_the_scores_and_the_two_further_opinions(texts):
    sheet = squeeze(texts[2])
    for course in COURSES:
        assert squeeze(f"{course['code']}{course['name']}{course['credits']}{course['score']}{course['date']}") \
            in sheet, course["code"]
    assert "合计：4门课程，25学分" in sheet
    assert sheet.index("课程考试成绩") < sheet.index("主考学校意见") < sheet.index("省自考办意见")
    assert sheet.count("负责人签字") == 2 and sheet.count("盖章处") == 2
    assert "旧计划" in sheet and "免考" in sheet


def test_a_course_passed_twice_counts_its_credits_once():
    again = {**COURSES[0], "score": "81", "date": "2020-04-12"}
    sheet = squeeze(page_texts(render(courses=[*COURSES, again]))[2])
    assert "合计：5门课程，25学分" in sheet


def test_no_passed_courses_says_so():
    assert "无合格课程记录" in page_texts(render(courses=[]))[2]


def test_many_courses_continue_with_the_header_repeated():
    many = [{**COURSES[i % 4], "code": f"{i:05d}"} for i in range(60)]
    texts = page_texts(render(courses=many))
    assert_two_copies(texts)
    first_copy = squeeze("".join(texts[: len(texts) // 2]))
    assert all(f"{i:05d}" in first_copy for i in range(60))
    assert "课程考试成绩（续）" in first_copy and first_copy.count("合格时间") >= 2
    assert "合计：60门课程" in first_copy


def test_empty_photo_box_is_labelled(texts):
    assert "照片" in texts[0]


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_photo_is_drawn_when_given(fmt):
    pdf = render(candidate={**CANDIDATE, "photo": png_photo(fmt)})
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages[0].images) == 1
    assert "照片" not in reader.pages[0].extract_text()


def test_empty_self_evaluation_leaves_a_ruled_area_for_handwriting():
    texts = page_texts(render(form=form_data(self_evaluation="")))
    assert "手写" in texts[1]
    assert "本人签字" in texts[1]


def test_empty_rewards_print_as_none(texts):
    back = page_texts(render(form=form_data(rewards_punishments="")))[1]
    assert "无" in back


def test_metadata_is_fixed_and_holds_no_personal_data(pdf):
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == TITLE
    assert meta["/CreationDate"].startswith("D:2000")
    values = " ".join(str(v) for v in meta.values())
    assert ID_NUMBER not in values and "张三丰" not in values


# --- two copies, each from a fresh page ----------------------------------------------------


def assert_two_copies(texts: list[str]) -> None:
    assert len(texts) % 2 == 0
    half = len(texts) // 2
    assert all("第一份" in t and "第二份" not in t for t in texts[:half])
    assert all("第二份" in t and "第一份" not in t for t in texts[half:])
    # Only a copy's first page carries the full heading with 报考县（市、区）.
    starts = [i for i, t in enumerate(texts) if "报考县" in t]
    assert starts == [0, half]
    assert texts[:half] == [t.replace("第二份", "第一份") for t in texts[half:]]


def test_two_identical_copies_each_starting_a_page(texts):
    assert len(texts) == 8  # two sheets printed on both sides, twice
    assert_two_copies(texts)


def test_long_form_still_gives_two_copies_on_fresh_pages():
    rows = [{"from": f"{1990 + i}年09月01日", "to": f"{1991 + i}年07月01日",
             "place": "在某地某单位学习，工作（担任职务）。" * 5} for i in range(20)]
    family = [{"name": "成员" * 20, "employer": "单位" * 50, "position": "职务" * 50}] * 10
    long_text = ("本人在学习期间刻苦努力，认真完成各门课程的学习任务，成绩优良。\n" * 70)[:2000]
    form = form_data(resume=rows, family_members=family, self_evaluation=long_text,
                     rewards_punishments=("奖励：优秀学员。" * 80)[:500])
    texts = page_texts(render(form=form))
    assert len(texts) > 4
    assert_two_copies(texts)
    first_copy = "".join(texts[: len(texts) // 2])
    assert first_copy.count("成绩优良") == long_text.count("成绩优良")  # nothing lost at page ends
    assert "个人简历（续）" in squeeze("".join(texts))


# --- reproducible and thread-safe ----------------------------------------------------------


def test_two_renders_are_byte_identical(pdf):
    assert render() == pdf


def test_renders_with_a_photo_are_byte_identical():
    candidate = {**CANDIDATE, "photo": png_photo()}
    assert render(candidate=candidate) == render(candidate=candidate)


def test_concurrent_renders_give_identical_bytes(pdf):
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render(), range(8)))
    assert all(r == pdf for r in results)


def test_different_input_gives_different_bytes(pdf):
    assert render(candidate={**CANDIDATE, "name": "李四"}) != pdf


# --- refusals ------------------------------------------------------------------------------


def test_text_the_font_lacks_is_refused_not_printed_blank():
    with pytest.raises(InvalidInput) as info:
        render(candidate={**CANDIDATE, "name": "刘䶮"}, application={**APPLICATION, "major": "会计𠀀"})
    assert set(info.value.fields) == {"candidate", "application"}
    assert "name" in info.value.fields["candidate"]
    assert "major" in info.value.fields["application"]


def test_course_name_the_font_lacks_is_refused_by_its_row():
    with pytest.raises(InvalidInput) as info:
        render(courses=[COURSES[0], {**COURSES[1], "name": "英语𠀀"}])
    assert info.value.fields == {"courses": {1: {"name": [info.value.fields["courses"][1]["name"][0]]}}}


def test_refusal_does_not_repeat_the_id_number():
    with pytest.raises(InvalidInput) as info:
        render(candidate={**CANDIDATE, "name": "刘䶮"})
    assert ID_NUMBER not in str(info.value.to_dict())


def truncated_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (260, 360), (70, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()[:400]


@pytest.mark.parametrize("photo", [b"GIF89a....", b"\x89PNG\r\n\x1a\n-broken-", "not bytes", truncated_jpeg()])
def test_bad_photo_is_refused(photo):
    with pytest.raises(InvalidInput) as info:
        render(candidate={**CANDIDATE, "photo": photo})
    assert "photo" in info.value.fields["candidate"]


def test_missing_font_names_the_package(monkeypatch):
    monkeypatch.setattr(fonts, "FONT_PATH", "/nonexistent/wqy-microhei.ttc")
    monkeypatch.setattr(fonts, "_font", None)
    with pytest.raises(RuntimeError, match="fonts-wqy-microhei"):
        fonts.load_font()


# --- Chinese line breaking ---------------------------------------------------------------


def by_chars(s: str) -> float:
    return float(len(s))


def test_wrap_plain_text_fills_lines():
    assert kinsoku_wrap("一二三四五六七八九十", 4, by_chars) == ["一二三四", "五六七八", "九十"]


def test_closing_mark_pulls_the_previous_character_down():
    assert kinsoku_wrap("一二三四，五六", 4, by_chars) == ["一二三", "四，五六"]


def test_run_of_closing_marks_pulls_back_to_a_real_character():
    assert kinsoku_wrap("一二三好。”五六", 5, by_chars) == ["一二三", "好。”五六"]


def test_opening_mark_does_not_end_a_line():
    assert kinsoku_wrap("一二三“四五”", 4, by_chars) == ["一二三", "“四五”"]


def test_mark_hangs_when_pulling_down_would_empty_the_line():
    assert kinsoku_wrap("好。", 1, by_chars) == ["好。"]
    assert kinsoku_wrap("“是！”……好", 3, by_chars) == ["“是！”……", "好"]


def test_latin_and_numbers_are_not_split_when_they_fit():
    assert kinsoku_wrap("电话13800000000号", 12, by_chars) == ["电话", "13800000000号"]


def test_overlong_latin_run_is_cut():
    assert kinsoku_wrap("x" * 10, 4, by_chars) == ["xxxx", "xxxx", "xx"]


def test_paragraphs_and_indents_are_kept_wrapped_lines_start_at_margin():
    lines = kinsoku_wrap("　　一二三四五\n六 七八九", 4, by_chars)
    assert lines == ["　　一二", "三四五", "六 七八", "九"]


@pytest.mark.parametrize("width", [3, 5, 7, 11, 17, 23])
def test_no_line_starts_with_closing_or_ends_with_opening_mark(width):
    text = squeeze(SELF_EVALUATION) + "（见《自学考试条例》）。“是！”……——好、是；否：？"
    lines = kinsoku_wrap(text, width, by_chars)
    assert "".join(lines) == text
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, lines
    assert all(len(line) <= width or line[-1] in NO_LINE_START for line in lines)


def test_printed_self_evaluation_lines_obey_the_rules(texts):
    lines = [ln.strip() for ln in texts[1].splitlines() if ln.strip()]
    body = [ln for ln in lines if squeeze(ln) in squeeze(SELF_EVALUATION)]
    assert len(body) > 10
    assert all(ln[0] not in NO_LINE_START for ln in body)


# --- the glyphs really reach the page ---------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (Debian package poppler-utils) is not installed")
def test_title_glyphs_are_really_drawn(pdf, tmp_path):
    source = tmp_path / "form.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(source), str(tmp_path / "p")],
                   check=True, capture_output=True)
    (png,) = tmp_path.glob("p*.png")
    image = Image.open(png).convert("L")
    scale = 50 / 72
    # The title sits 62 pt below the top edge, 18 pt high, centred, about 190 pt wide.
    box = tuple(round(v * scale) for v in (PAGE_W / 2 - 120, 40, PAGE_W / 2 + 120, 70))
    title = image.crop(box)
    dark = sum(title.histogram()[:128])
    assert dark > 400, f"only {dark} dark pixels where the title should be"
    assert dark < 0.6 * title.width * title.height, "the title area is a dark block, not glyphs"
    # Blank paper beside it: the count is about glyphs, not a page that is dark everywhere.
    margin = image.crop(tuple(round(v * scale) for v in (5, 100, 30, 800)))
    assert sum(margin.histogram()[:128]) == 0
