"""Input rules of the 毕业生登记表 (screens 9 and 10 of the authority's procedure).

Every problem is collected and reported at once, keyed by field (nested rows by
index), in marshmallow's ``ValidationError.messages`` shape, through
``service.errors.InvalidInput``.  Messages are in Chinese because candidates
read them.  Cleaned values are strings ready to print: dates come back as
"YYYY年MM月DD日", the 是否华侨、港澳、台属 answer as a bool, and an empty
自我鉴定 as ``None`` (the candidate will write it by hand on the printout).
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import ClassVar

from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validates_schema,
)
from marshmallow.experimental.context import Context
from marshmallow.validate import OneOf

from service import clock
from service.errors import N_, InvalidInput, Msg
from service.forms.fonts import check_printable, describe_chars
from service.forms.lists import (
    AUTONOMOUS_REGIONS,
    ETHNICITIES,
    MUNICIPALITIES,
    POLITICAL_STATUSES,
    PROVINCES,
    SPECIAL_REGIONS,
)
from service.web.schemas import enumeration

__all__ = [
    "RegistrationFormSchema",
    "check_printable",
    "count_cjk_ideographs",
    "parse_cn_date",
    "validate_registration",
]

TEXT_MAX = 100
ADDRESS_MAX = 200
NAME_MAX = 50
REWARDS_MAX = 500
SELF_EVALUATION_MIN_CJK = 400
SELF_EVALUATION_MAX = 2000
RESUME_MIN_ROWS = 1
RESUME_MAX_ROWS = 20
FAMILY_MAX_ROWS = 10

# Written in Chinese, as the form is: the English is service/translations/en's (Msg and N_ mark them for it)
REQUIRED = N_("此项为必填项。")
_FIELD_MESSAGES = {"required": REQUIRED, "null": REQUIRED, "invalid": N_("请填写文字。")}

# Candidates using a Chinese input method in full-width mode type "２０１２".
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_CN_DATE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")

# 籍贯, the screen's "xxx省xxx市", read as: a province-level division, then the
# places below it.
#  * 省 and 自治区 (listed by name in lists.py, so "晋省" or "山西" alone fail)
#    need a second-level unit: a city (市), 地区, 自治州 or 盟, or one of the
#    county-level units a province governs directly (湖北省神农架林区,
#    海南省陵水黎族自治县).  Its name is 1-15 ideographs, lazily matched so the
#    unit suffix is not swallowed.
#  * the four 直辖市 (北京市 …) are complete by themselves; a district or county
#    may follow (北京市海淀区, 重庆市城口县).
#  * 香港/澳门特别行政区 stand alone.
#  * any of them may end with a county-level unit (山西省晋中市平遥县), since
#    that is how many candidates' household registers state it.
_IDEOGRAPHS = r"[\u3400-\u4dbf\u4e00-\u9fff]"
_PREFECTURE = rf"{_IDEOGRAPHS}{{1,15}}?(?:市|地区|自治州|盟|自治县|县|林区)"
_COUNTY = rf"{_IDEOGRAPHS}{{1,15}}?(?:市|区|自治县|县|自治旗|旗|特区|林区)"
_NATIVE_PLACE = re.compile(
    "(?:"
    rf"(?:{'|'.join(PROVINCES + AUTONOMOUS_REGIONS)}){_PREFECTURE}(?:{_COUNTY})?"
    rf"|(?:{'|'.join(MUNICIPALITIES)})(?:{_COUNTY})?"
    rf"|(?:{'|'.join(SPECIAL_REGIONS)})"
    ")"
)

# CJK Unified Ideographs (basic, Extension A, Extensions B onwards) and the
# compatibility block: what "不得少于400字" counts; punctuation and Latin do not.
_CJK_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def count_cjk_ideographs(text: str) -> int:
    return len(_CJK_IDEOGRAPH.findall(text or ""))


def parse_cn_date(text: str) -> date:
    """Parse "YYYY年M月D日" (padding optional); ValueError if malformed or not a real day."""
    m = _CN_DATE.fullmatch(text.strip().translate(_FULLWIDTH_DIGITS))
    if not m:
        raise ValueError(text)
    return date(int(m[1]), int(m[2]), int(m[3]))


def format_cn_date(d: date) -> str:
    return f"{d.year:04d}年{d.month:02d}月{d.day:02d}日"


def _today() -> date:
    return Context.get({}).get("today") or clock.today()


class Text(fields.String):
    """A text box: trimmed, capped, and drawable by the form's font.

    Single-line fields refuse line breaks because they print in one table cell;
    invisible format characters (zero-width spaces, direction overrides) are
    refused everywhere because they cannot be seen on paper yet change what
    the string compares equal to.
    """

    def __init__(self, *, max_length: int = TEXT_MAX, multiline: bool = False,
                 allow_empty: bool = False, **kwargs):
        kwargs.setdefault("error_messages", _FIELD_MESSAGES)
        # the OpenAPI document states the limit the check applies (it is not a marshmallow validator)
        kwargs["metadata"] = {"maxLength": max_length, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.max_length = max_length
        self.multiline = multiline
        self.allow_empty = allow_empty

    def _deserialize(self, value, attr, data, **kwargs):
        text = self._normalise(super()._deserialize(value, attr, data, **kwargs))
        if not text:
            if self.allow_empty:
                return ""
            raise ValidationError(REQUIRED)
        problems = self._problems(text)
        if problems:
            raise ValidationError(problems)
        return text

    def _normalise(self, text: str) -> str:
        if not self.multiline:
            return text.strip()
        lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        # Tabs come from pasting out of word processors; they have no glyph.
        return "\n".join(line.replace("\t", " ").rstrip() for line in lines).strip("\n ")

    def _problems(self, text: str) -> list[str]:
        problems = []
        if len(text) > self.max_length:
            problems.append(Msg("不能超过%(max)d个字符（当前%(count)d个）。", max=self.max_length, count=len(text)))
        breaks = "\n" in text or "\r" in text
        if breaks and not self.multiline:
            problems.append(N_("不能换行。"))
        invisible = [ch for ch in dict.fromkeys(text)
                     if ch not in "\r\n" and unicodedata.category(ch) in ("Cc", "Cf")]
        if invisible:
            problems.append(Msg("含有不可见的控制字符%(chars)s，请删除。", chars=describe_chars(invisible)))
        unprintable = [ch for ch in check_printable(text) if ch not in invisible]
        if unprintable:
            problems.append(Msg("含有登记表字库无法打印的字符%(chars)s，请改用规范汉字，或持证件到县（市、区）自考办现场办理。",
                                chars=describe_chars(unprintable)))
        return problems


class Choice(Text):
    """One value of an official list; compared after trimming, nothing else."""

    def __init__(self, choices: tuple[str, ...], message: str, **kwargs):
        super().__init__(max_length=max(map(len, choices)) + 10,
                         validate=OneOf(choices, error=message), **kwargs)


class Mobile(Text):
    def _normalise(self, text: str) -> str:
        # People group the digits as 138 0000 0000 or 138-0000-0000.
        return re.sub(r"[\s\-]", "", text.translate(_FULLWIDTH_DIGITS))

    def _problems(self, text: str) -> list[str]:
        if not _MOBILE.fullmatch(text):
            return [N_("请填写11位中国大陆手机号码（1开头，第二位为3-9）。")]
        return []


class NativePlace(Text):
    def _problems(self, text: str) -> list[str]:
        problems = super()._problems(text)
        if not problems and not _NATIVE_PLACE.fullmatch(text):
            problems.append(N_("请按“xxx省xxx市”格式填写，如“山西省太原市”、“北京市”、“内蒙古自治区呼和浩特市”。"))
        return problems


class CnDate(fields.Field):
    """A date typed as on the screen, "xxxx年xx月xx日"; comes back zero-padded."""

    def __init__(self, *, not_future: bool = False, **kwargs):
        kwargs.setdefault("error_messages", _FIELD_MESSAGES)
        kwargs["metadata"] = {"type": "string", "example": "2012年07月01日",
                              "description": "xxxx年xx月xx日 (padding optional, full-width digits accepted)"
                                             + ("; not after today" if not_future else ""),
                              **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.not_future = not_future

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, date):
            day = value
        elif isinstance(value, str):
            day = self._parse(value)
        else:
            raise ValidationError("请按“xxxx年xx月xx日”格式填写。")
        if day.year < 1900:
            raise ValidationError("年份不能早于1900年。")
        if self.not_future and day > _today():
            raise ValidationError(Msg("不能晚于今天（%(today)s）。", today=format_cn_date(_today())))
        return format_cn_date(day)

    @staticmethod
    def _parse(text: str) -> date:
        if not _CN_DATE.fullmatch(text.strip().translate(_FULLWIDTH_DIGITS)):
            raise ValidationError("请按“xxxx年xx月xx日”格式填写，如“2012年07月01日”。")
        try:
            return parse_cn_date(text)
        except ValueError:
            raise ValidationError("不是真实存在的日期。") from None


class YesNo(fields.Boolean):
    truthy = fields.Boolean.truthy | {"是"}
    falsy = fields.Boolean.falsy | {"否"}


class _Strict(Schema):
    error_messages: ClassVar[dict] = {"unknown": N_("未知字段。"), "type": N_("格式无效，应为一组字段。")}


def _rows(schema: type[Schema], *, required: bool) -> fields.List:
    extra = {"required": True} if required else {"load_default": list}
    return fields.List(
        fields.Nested(schema, error_messages={"type": N_("格式无效，每栏应为一组字段。")}),
        error_messages={**_FIELD_MESSAGES, "invalid": N_("格式无效，应为多栏列表。")},
        **extra,
    )


class ResumeRowSchema(_Strict.from_dict({
    "from": CnDate(required=True),
    "to": CnDate(required=True),
    "place": Text(required=True),
})):
    """One row of 个人简历: 自何年月 / 至何年月 / 在何地何单位学习或工作."""

    @validates_schema
    def _from_before_to(self, data, **kwargs):
        if parse_cn_date(data["from"]) >= parse_cn_date(data["to"]):
            raise ValidationError("截止日期须晚于起始日期。", field_name="to")


class FamilyMemberSchema(_Strict):
    """One row of 家庭主要成员; a retired or unemployed member has no employer or post."""

    name = Text(required=True, max_length=NAME_MAX)
    employer = Text(allow_empty=True, load_default="")
    position = Text(allow_empty=True, load_default="")


class CandidateSchema(Schema):
    """The identity printed on the form, taken from the candidate's records.

    It is not typed on this screen, but it is printed, so it passes the same
    font check; other keys (the photo) are ignored here.
    """

    class Meta:
        unknown = EXCLUDE

    name = Text(required=True, max_length=NAME_MAX)
    gender = Text(allow_empty=True, load_default="", max_length=10)
    id_number = Text(allow_empty=True, load_default="", max_length=30)
    exam_number = Text(allow_empty=True, load_default="", max_length=30)


class SelfEvaluation(Text):
    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        return text or None

    def _problems(self, text: str) -> list[str]:
        problems = super()._problems(text)
        count = count_cjk_ideographs(text)
        if count < SELF_EVALUATION_MIN_CJK:
            problems.append(Msg("自我鉴定不得少于%(min)d字（只计汉字，当前%(count)d字）；如打印后手写，请留空。",
                                min=SELF_EVALUATION_MIN_CJK, count=count))
        return problems


class RegistrationFormSchema(_Strict):
    """毕业登记信息 (screen 9) plus 个人简历 and the rest (screen 10)."""

    candidate = fields.Nested(CandidateSchema, error_messages={"type": N_("格式无效，应为一组字段。")})

    ethnicity = Choice(ETHNICITIES, N_("请从列表中选择民族（GB/T 3304）。"), required=True,
                       metadata=enumeration("ethnicities", description="民族"))
    political_status = Choice(POLITICAL_STATUSES, N_("请从列表中选择政治面貌（GB/T 4762）。"), required=True,
                              metadata=enumeration("political_statuses", description="政治面貌"))
    occupation = Text(required=True)
    mobile = Mobile(required=True, metadata={"description": "11 digits, 1 then 3-9; spaces and hyphens are ignored",
                                             "example": "13800000000"})
    education_obtained = Text(required=True)
    health = Text(required=True)
    work_start_date = CnDate(required=True, not_future=True)
    overseas_relative = YesNo(required=True, error_messages={**_FIELD_MESSAGES, "invalid": N_("请选择“是”或“否”。")},
                              metadata={"description": "是否华侨、港澳、台属: true / false (or 是 / 否)"})
    native_place = NativePlace(required=True, metadata={"description": "籍贯, xxx省xxx市", "example": "山西省太原市"})
    employer = Text(required=True)
    home_address = Text(required=True, max_length=ADDRESS_MAX)

    resume = _rows(ResumeRowSchema, required=True)
    family_members = _rows(FamilyMemberSchema, required=False)
    rewards_punishments = Text(multiline=True, allow_empty=True, allow_none=True,
                               load_default="", max_length=REWARDS_MAX)
    self_evaluation = SelfEvaluation(multiline=True, allow_empty=True, allow_none=True,
                                     load_default=None, max_length=SELF_EVALUATION_MAX)

    # Row counts are checked against the raw input so that a list that is both
    # too long and has a bad row reports both, not just the row.
    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _row_counts(self, data, original_data, **kwargs):
        if not isinstance(original_data, dict):
            return
        errors = {}
        resume = original_data.get("resume")
        if isinstance(resume, list):
            if len(resume) < RESUME_MIN_ROWS:
                errors["resume"] = [N_("学习或工作经历至少填写一栏。")]
            elif len(resume) > RESUME_MAX_ROWS:
                errors["resume"] = [Msg("学习或工作经历最多填写%(max)d栏（当前%(count)d栏）。", max=RESUME_MAX_ROWS,
                                        count=len(resume))]
        family = original_data.get("family_members")
        if isinstance(family, list) and len(family) > FAMILY_MAX_ROWS:
            errors["family_members"] = [Msg("家庭主要成员最多填写%(max)d人（当前%(count)d人）。", max=FAMILY_MAX_ROWS,
                                            count=len(family))]
        if errors:
            raise ValidationError(errors)

    @post_load
    def _none_to_empty(self, data, **kwargs):
        # allow_none lets a cleared textarea arrive as null; it prints as empty.
        if data.get("rewards_punishments") is None:
            data["rewards_punishments"] = ""
        return data


def validate_registration(data: dict, *, today: date | None = None) -> dict:
    """Return the cleaned 登记表 data, or raise InvalidInput listing every problem."""
    with Context({"today": today or clock.today()}):
        try:
            return RegistrationFormSchema().load(data)
        except ValidationError as err:
            raise InvalidInput("毕业生登记表填写有误，请按提示逐项修改。", fields=err.messages) from None
