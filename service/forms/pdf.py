"""The printable 山西省高等教育自学考试毕业生登记表, 一式两份 in one PDF.

Layout happens before drawing: each copy is laid out into pages of drawing
operations, so every page can say "第 x 页 共 n 页" and a copy that runs onto an
odd number of pages is padded with a blank page; printed double-sided, the
second copy then never starts on the back of the first.  The first half of the
form (identity, 个人简历, 家庭主要成员) is the front of a sheet and the second
half (奖惩情况, 自我鉴定, signatures, 县（市、区）自考办意见) the back, as on the paper
form; a second sheet holds the 成绩 part (the passed courses with scores and dates
the offices check the form against) and the 主考学校意见 and 省自考办意见 blocks,
each with room for a signature and a seal.

The same inputs give the same bytes (reportlab's invariant mode fixes the
creation date and document id), so a re-export can be compared with what a
county office already holds.
"""
from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from service import idnumber
from service.errors import InvalidInput
from service.forms.fonts import FONT_NAME, check_printable, describe_chars, load_font

__all__ = ["COPY_LABELS", "TITLE", "kinsoku_wrap", "render_registration_pdf"]

TITLE = "山西省高等教育自学考试毕业生登记表"
COPY_LABELS = ("第一份", "第二份")

# reportlab's TrueType support keeps per-document subset state on the shared,
# registered TTFont and, when the document is saved, cuts the subsets out of
# the font file through a parser with a single shared read position.  Two
# documents built at once corrupt each other's fonts, so one render at a time.
_RENDER_LOCK = threading.Lock()

# --- Chinese line breaking (行首/行尾禁则) -------------------------------------

# Marks that may not begin a line: closing punctuation, pause and stop marks,
# and the ellipsis / dash, which must not be split across lines either.
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉〗〙〛｝］”’…—～·・%‰℃°,.;:?!)]}>")
# Marks that may not end a line: opening brackets and quotes.
NO_LINE_END = frozenset("（《「『【〔〈〖〘〚｛［“‘([{<")

# A run of Latin letters and digits (a number, an e-mail, a word) wraps as one
# unit; every other character is a unit of its own.
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._%+/\-]*|.", re.DOTALL)


def kinsoku_wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` under Chinese line-breaking rules.

    ``measure`` gives the printed width of a string.  When a closing mark would
    begin a line, the character before it is pulled down with it (and so on,
    for runs such as "。”"); only when that would empty the line does the mark
    hang past ``width``.  Existing line breaks are kept.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph, width, measure))
    return lines


def _wrap_paragraph(paragraph: str, width: float, measure) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    for token in _fit_tokens(_TOKEN.findall(paragraph), width, measure):
        if token.isspace() and not line and lines:
            continue  # a wrapped line starts at the margin; paragraph indents stay
        if line and not token.isspace() and measure("".join(line) + token) > width:
            kept, carried = _split_for_kinsoku(line, token)
            if carried:
                lines.append("".join(kept).rstrip())
            # After a hang the line stays open, so a following closing mark hangs
            # too instead of starting the next line.
            line = _drop_leading_space(carried) if carried else kept
            continue
        line.append(token)
    if line or not lines:
        lines.append("".join(line).rstrip())
    return lines


def _fit_tokens(tokens: Iterable[str], width: float, measure) -> Iterable[str]:
    """Cut a Latin run longer than a whole line into line-sized pieces."""
    for token in tokens:
        if len(token) == 1 or measure(token) <= width:
            yield token
            continue
        piece = ""
        for ch in token:
            if piece and measure(piece + ch) > width:
                yield piece
                piece = ""
            piece += ch
        yield piece


def _split_for_kinsoku(line: list[str], token: str) -> tuple[list[str], list[str]]:
    """Split a full ``line`` that ``token`` overflowed into (kept, carried to next line)."""
    cut = len(line)
    while cut > 0:
        head = line[cut] if cut < len(line) else token
        if head[0] in NO_LINE_START or line[cut - 1][-1] in NO_LINE_END or head.isspace():
            cut -= 1
            continue
        return line[:cut], line[cut:] + [token]
    return line + [token], []  # nothing can move down without emptying the line: hang


def _drop_leading_space(tokens: list[str]) -> list[str]:
    while tokens and tokens[0].isspace():
        tokens = tokens[1:]
    return tokens


# --- page geometry (points) ----------------------------------------------------

PAGE_W, PAGE_H = A4
TABLE_W = 515.0
LEFT = (PAGE_W - TABLE_W) / 2
LABEL_W = 62.0  # the left label column shared by every section, so the grid lines up
PHOTO_W = 90.0
FIRST_TOP = PAGE_H - 96  # below header, title and the 县区 / 提交时间 line
CONT_TOP = PAGE_H - 72  # continuation pages carry a smaller title
BOTTOM = 46  # the footer sits below this

SIZE = 10.0  # table text
LEADING = 13.0
PAD_X, PAD_Y = 4.0, 4.0
ROW_MIN = 23.0
PHOTO_ROW_MIN = 28.0  # four such rows hold a 25 × 35 mm (一寸) photo
PHOTO_BOX = (70.9, 99.2)
TEXT_SIZE = 10.5  # 自我鉴定 / 奖惩情况 prose
TEXT_LEADING = 17.0
HANDWRITING_PITCH = 24.0
HANDWRITING_MIN_LINES = 12
LINE_W = 0.6
FRAME_W = 1.2

# Blank rows are printed up to these counts, as on a paper form, for additions by pen.
RESUME_MIN_ROWS = 10
FAMILY_MIN_ROWS = 6


def _width(text: str, size: float = SIZE) -> float:
    return stringWidth(text, FONT_NAME, size)


def _wrap(text: str, width: float, size: float = SIZE) -> list[str]:
    return kinsoku_wrap(text, width, lambda s: _width(s, size))


def _text(c: Canvas, x: float, y: float, text: str, size: float = SIZE, *,
          align: str = "left", bold: bool = False, gray: float = 0.0, spacing: float = 0.0) -> None:
    """Draw one line; Micro Hei has no bold face, so bold is fill plus a thin stroke."""
    if align != "left":
        w = _width(text, size) + spacing * max(len(text) - 1, 0)
        x -= w if align == "right" else w / 2
    t = c.beginText(x, y)
    t.setFont(FONT_NAME, size)
    t.setCharSpace(spacing)
    t.setTextRenderMode(2 if bold else 0)
    c.setFillGray(gray)
    c.setStrokeGray(gray)
    c.setLineWidth(size * 0.035)
    t.textOut(text)
    c.drawText(t)
    c.setFillGray(0)
    c.setStrokeGray(0)


def _baseline(slot_top: float, leading: float, size: float) -> float:
    # CJK ideographs sit about 0.35 em above the baseline at their centre.
    return slot_top - leading / 2 - size * 0.35


def _draw_lines(c: Canvas, lines: list[str], x: float, w: float, top: float, h: float, *,
                align: str, size: float = SIZE, leading: float = LEADING) -> None:
    """Draw lines centred vertically in a cell; labels centred, values from the left."""
    y = top - (h - len(lines) * leading) / 2
    for line in lines:
        base = _baseline(y, leading, size)
        if align == "center":
            _text(c, x + w / 2, base, line, size, align="center")
        else:
            _text(c, x + PAD_X, base, line, size)
        y -= leading


def _box(c: Canvas, x: float, top: float, w: float, h: float, line_w: float = LINE_W) -> None:
    c.setLineWidth(line_w)
    c.rect(x, top - h, w, h, stroke=1, fill=0)


# --- cells, rows and slices -------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    width: float
    label: bool = False

    def lines(self) -> list[str]:
        if self.label:
            return _balanced_wrap(self.text, self.width - 2 * PAD_X)
        return _wrap(self.text, self.width - 2 * PAD_X)


@lru_cache(maxsize=256)
def _balanced_wrap(text: str, width: float) -> list[str]:
    """Wrap a label into lines of even length ("家庭主/要成员", not "家庭主要成/员")."""
    best = _wrap(text, width)
    narrower = width - 1
    while len(best) > 1 and narrower > SIZE:
        lines = _wrap(text, narrower)
        if len(lines) != len(best):
            break
        best, narrower = lines, narrower - 1
    return best


def _label(text: str, width: float) -> Cell:
    return Cell(text, width, label=True)


def _value(text, width: float) -> Cell:
    return Cell("" if text is None else str(text), width)


@dataclass(frozen=True)
class Slice:
    """A horizontal strip of a section's content column; sections split between slices."""

    height: float
    draw: Callable[[Canvas, float, float], None]  # (canvas, x, top)


def _row_height(cells: list[Cell], minimum: float = ROW_MIN) -> float:
    tallest = max(len(cell.lines()) for cell in cells)
    return max(minimum, tallest * LEADING + 2 * PAD_Y)


def _draw_row(c: Canvas, x: float, top: float, cells: list[Cell], height: float) -> None:
    for cell in cells:
        _box(c, x, top, cell.width, height)
        _draw_lines(c, cell.lines(), x, cell.width, top, height,
                    align="center" if cell.label else "left")
        x += cell.width


def _row_slice(cells: list[Cell], minimum: float = ROW_MIN) -> Slice:
    height = _row_height(cells, minimum)
    return Slice(height, lambda c, x, top: _draw_row(c, x, top, cells, height))


# --- flowing sections onto pages ---------------------------------------------------

Op = Callable[[Canvas], None]


class _Flow:
    """Pages of drawing operations for one copy, filled top to bottom."""

    def __init__(self) -> None:
        self.pages: list[list[Op]] = [[]]
        self.y = FIRST_TOP

    @property
    def room(self) -> float:
        return self.y - BOTTOM

    @property
    def page_is_empty(self) -> bool:
        return not self.pages[-1]

    def new_page(self) -> None:
        self.pages.append([])
        self.y = CONT_TOP

    def place(self, height: float, draw: Callable[[Canvas, float], None]) -> None:
        if height > self.room and not self.page_is_empty:
            self.new_page()
        top = self.y
        self.pages[-1].append(lambda c: draw(c, top))
        self.y -= height


def _section(flow: _Flow, label: str, slices: list[Slice], *,
             header: Slice | None = None, keep: int = 3) -> None:
    """A labelled section: label cell on the left, slices stacked on the right.

    It splits between slices at a page end, repeating the header and marking the
    label 续; at least ``keep`` slices go together so no page holds a lone
    header or a single orphaned line.
    """
    head_h = header.height if header else 0.0
    i, first = 0, True
    while i < len(slices):
        need = head_h + sum(s.height for s in slices[i:i + keep])
        if need > flow.room and not flow.page_is_empty:
            flow.new_page()
        taken, used = [], head_h
        for s in slices[i:]:
            if used + s.height > flow.room and taken:
                break
            taken.append(s)
            used += s.height
        part = ([header] if header else []) + taken
        flow.place(used, _segment_drawer(label if first else f"{label}（续）", part, used))
        i += len(taken)
        first = False
        if i < len(slices):
            flow.new_page()


def _segment_drawer(label: str, part: list[Slice], height: float):
    def draw(c: Canvas, top: float) -> None:
        y = top
        for s in part:
            s.draw(c, LEFT + LABEL_W, y)
            y -= s.height
        _box(c, LEFT, top, LABEL_W, height)
        _draw_lines(c, _balanced_wrap(label, LABEL_W - 2 * PAD_X), LEFT, LABEL_W, top, height,
                    align="center")
        _box(c, LEFT, top, TABLE_W, height, FRAME_W)
    return draw


# --- the form's sections -------------------------------------------------------------


def _yes_no(value) -> str:
    if value is None or value == "":
        return ""
    return "是" if value else "否"


def _identity(flow: _Flow, form: dict, candidate: dict, application: dict, photo) -> None:
    side = [  # beside the photo: 62 + 90 + 48 + 60 + 70 + 95 = 425
        [_label("姓名", 62), _value(candidate.get("name"), 90), _label("性别", 48),
         _value(candidate.get("gender"), 60), _label("出生年月", 70), _value(_birth_month(candidate), 95)],
        [_label("身份证号", 62), _value(candidate.get("id_number"), 198),
         _label("政治面貌", 70), _value(form.get("political_status"), 95)],
        [_label("准考证号", 62), _value(candidate.get("exam_number"), 90), _label("民族", 48),
         _value(form.get("ethnicity"), 60), _label("健康状况", 70), _value(form.get("health"), 95)],
        [_label("籍贯", 62), _value(form.get("native_place"), 198),
         _label("参加工作时间", 70), _value(form.get("work_start_date"), 95)],
    ]
    full = [  # across the whole table: 515
        [_label("已取得学历", 62), _value(form.get("education_obtained"), 120), _label("职业", 48),
         _value(form.get("occupation"), 130), _label("手机号码", 62), _value(form.get("mobile"), 93)],
        [_label("工作单位", 62), _value(form.get("employer"), 298),
         _label("是否华侨、港澳、台属", 110), _value(_yes_no(form.get("overseas_relative")), 45)],
        [_label("详细住址", 62), _value(form.get("home_address"), 453)],
        [_label("申请院校", 62), _value(application.get("university"), 170), _label("申请专业", 62),
         _value(application.get("major"), 136), _label("层次", 40), _value(application.get("level"), 45)],
    ]
    side_h = [_row_height(row, PHOTO_ROW_MIN) for row in side]
    full_h = [_row_height(row) for row in full]
    height = sum(side_h) + sum(full_h)

    def draw(c: Canvas, top: float) -> None:
        y = top
        for row, h in zip(side, side_h, strict=True):
            _draw_row(c, LEFT, y, row, h)
            y -= h
        _photo_cell(c, LEFT + TABLE_W - PHOTO_W, top, sum(side_h), photo)
        for row, h in zip(full, full_h, strict=True):
            _draw_row(c, LEFT, y, row, h)
            y -= h
        _box(c, LEFT, top, TABLE_W, height, FRAME_W)

    flow.place(height, draw)


def _birth_month(candidate: dict) -> str:
    # The office checks the form against the ID card, so it is read from the number itself.
    born = idnumber.birth_date(candidate.get("id_number"))
    return f"{born.year:04d}年{born.month:02d}月" if born else ""


def _photo_cell(c: Canvas, x: float, top: float, h: float, photo: ImageReader | None) -> None:
    _box(c, x, top, PHOTO_W, h)
    w, ph = PHOTO_BOX
    bx, by = x + (PHOTO_W - w) / 2, top - h + (h - ph) / 2
    if photo is not None:
        c.drawImage(photo, bx, by, w, ph, preserveAspectRatio=True, anchor="c", mask="auto")
        return
    c.setDash(2, 2)
    c.setLineWidth(0.4)
    c.rect(bx, by, w, ph, stroke=1, fill=0)
    c.setDash()
    _text(c, x + PHOTO_W / 2, by + ph / 2 + 2, "照片", 12, align="center", gray=0.35)
    _text(c, x + PHOTO_W / 2, by + ph / 2 - 14, "（一寸免冠）", 7.5, align="center", gray=0.45)


def _table_section(flow: _Flow, label: str, columns: list[tuple[str, float]],
                   rows: list[list], min_rows: int) -> None:
    header = _row_slice([_label(name, w) for name, w in columns])
    padded = list(rows) + [[""] * len(columns)] * max(0, min_rows - len(rows))
    slices = [_row_slice([_value(v, w) for v, (_, w) in zip(row, columns, strict=True)]) for row in padded]
    _section(flow, label, slices, header=header)


def _resume(flow: _Flow, form: dict) -> None:
    rows = [[r.get("from"), r.get("to"), r.get("place")] for r in form.get("resume") or []]
    columns = [("自何年月", 100), ("至何年月", 100), ("在何地何单位学习或工作", 253)]
    _table_section(flow, "个人简历", columns, rows, RESUME_MIN_ROWS)


def _family(flow: _Flow, form: dict) -> None:
    rows = [[m.get("name"), m.get("employer"), m.get("position")] for m in form.get("family_members") or []]
    columns = [("姓名", 100), ("工作单位", 253), ("职务", 100)]
    _table_section(flow, "家庭\n主要成员", columns, rows, FAMILY_MIN_ROWS)


CONTENT_W = TABLE_W - LABEL_W
TEXT_PAD = 8.0


def _prose_slices(text: str) -> list[Slice]:
    width = CONTENT_W - 2 * TEXT_PAD
    slices = []
    for paragraph in text.split("\n"):
        lines = _wrap(paragraph, width, TEXT_SIZE)
        slices += [_line_slice(line, _justify(line, width) if i < len(lines) - 1 else 0.0)
                   for i, line in enumerate(lines)]
    return slices


def _justify(line: str, width: float) -> float:
    """Letter spacing that makes a wrapped line meet the right edge, as Chinese prose is set.

    A line left short by a long Latin run is not stretched into a sparse row,
    and a line with hanging punctuation is only squeezed slightly.
    """
    if len(line) < 2:
        return 0.0
    spacing = (width - _width(line, TEXT_SIZE)) / (len(line) - 1)
    return spacing if -0.15 * TEXT_SIZE <= spacing <= 0.5 * TEXT_SIZE else 0.0


def _line_slice(line: str, spacing: float = 0.0) -> Slice:
    def draw(c: Canvas, x: float, top: float) -> None:
        _text(c, x + TEXT_PAD, _baseline(top, TEXT_LEADING, TEXT_SIZE), line, TEXT_SIZE, spacing=spacing)
    return Slice(TEXT_LEADING, draw)


def _gap(height: float) -> Slice:
    return Slice(height, lambda c, x, top: None)


def _note_slice(text: str, height: float = 20.0) -> Slice:
    def draw(c: Canvas, x: float, top: float) -> None:
        _text(c, x + TEXT_PAD, top - 13, text, 8.5, gray=0.3)
    return Slice(height, draw)


def _rewards(flow: _Flow, form: dict) -> None:
    text = (form.get("rewards_punishments") or "").strip() or "无"
    slices = [_gap(6)] + _prose_slices(text)
    slices += [_gap(max(6.0, 64 - sum(s.height for s in slices)))]
    _section(flow, "奖惩情况", slices)


def _signature_line(c: Canvas, x: float, y: float, label: str, line_w: float) -> float:
    _text(c, x, y, label, SIZE)
    x += _width(label)
    c.setLineWidth(0.5)
    c.line(x + 2, y - 2, x + line_w, y - 2)
    return x + line_w


def _date_blanks(c: Canvas, x: float, y: float) -> None:
    # "日期：        年    月    日", written in by hand.
    _text(c, x, y, "日期：", SIZE)
    x += _width("日期：") + 34
    for unit, gap in (("年", 24), ("月", 24), ("日", 0)):
        _text(c, x, y, unit, SIZE)
        x += _width(unit) + gap


def _candidate_signature(height: float = 40.0) -> Slice:
    def draw(c: Canvas, x: float, top: float) -> None:
        y = top - height + 12
        _signature_line(c, x + CONTENT_W - 330, y, "本人签字：", 110)
        _date_blanks(c, x + CONTENT_W - 170, y)
    return Slice(height, draw)


def _ruled_line(c: Canvas, x: float, top: float) -> None:
    c.setStrokeGray(0.6)
    c.setLineWidth(0.4)
    c.line(x + TEXT_PAD, top - HANDWRITING_PITCH + 3, x + CONTENT_W - TEXT_PAD, top - HANDWRITING_PITCH + 3)
    c.setStrokeGray(0)


OPINION_H = 104.0
OPINION_MAX_H = 220.0
NOTE_H = 22.0


def _self_evaluation(flow: _Flow, form: dict) -> None:
    text = (form.get("self_evaluation") or "").strip()
    hint = "（政治思想、工作、学习等方面的总结，不得少于400字。）"
    if text:
        body = _prose_slices(text)
    else:
        hint = "（政治思想、工作、学习等方面的总结，不得少于400字。本栏由考生本人手写。）"
        body = [Slice(HANDWRITING_PITCH, _ruled_line)] * _handwriting_lines(flow)
    # The signature travels with the last line so it never lands alone on a page.
    body[-1] = _joined(body[-1], _candidate_signature())
    _section(flow, "自我鉴定", [_note_slice(hint)] + body)


def _joined(upper: Slice, lower: Slice) -> Slice:
    def draw(c: Canvas, x: float, top: float) -> None:
        upper.draw(c, x, top)
        lower.draw(c, x, top - upper.height)
    return Slice(upper.height + lower.height, draw)


def _handwriting_lines(flow: _Flow) -> int:
    """Rule the rest of the page, keeping room for the office's box, but never too few lines."""
    fixed = 20.0 + 40.0 + OPINION_H + NOTE_H  # hint, signature, office box, closing note
    fit = int((flow.room - fixed) // HANDWRITING_PITCH)
    return max(HANDWRITING_MIN_LINES, fit)


def _office_opinion(flow: _Flow) -> None:
    # The office writes its opinion by hand: give it the rest of the page.
    spare = flow.room - NOTE_H
    height = min(spare, OPINION_MAX_H) if spare >= OPINION_H else OPINION_H
    _section(flow, "县（市、区）自考办意见", [_opinion_slice(height)])


def _opinion_slice(height: float = OPINION_H) -> Slice:
    """Room to write an opinion by hand, then the signature, the seal and the date at its foot."""
    def draw(c: Canvas, x: float, top: float) -> None:
        right = x + CONTENT_W
        _signature_line(c, right - 330, top - height + 44, "负责人签字：", 110)
        _text(c, right - 300, top - height + 14, "（盖章）", SIZE)
        _date_blanks(c, right - 170, top - height + 14)
        _seal_space(c, right - 100, top - height + 6, height - 14)
    return Slice(height, draw)


def _seal_space(c: Canvas, centre_x: float, bottom: float, room: float) -> None:
    # A faint circle marks where the 公章 goes: over the date, as seals are stamped,
    # 42 mm across where the box allows, smaller in a short box.
    r = min(60.0, room / 2)
    c.setStrokeGray(0.75)
    c.setDash(2, 3)
    c.setLineWidth(0.5)
    c.circle(centre_x, bottom + r, r, stroke=1, fill=0)
    c.setDash()
    c.setStrokeGray(0)
    _text(c, centre_x, bottom + 2 * r - 16, "盖章处", 8.5, align="center", gray=0.6)


def _university_and_province_opinions(flow: _Flow) -> None:
    # Signed after the county: the examining university checks the 成绩 above against
    # its plan, then the provincial office approves the graduation.
    # They share what the 成绩 leave of the page, as the county's box takes the rest of its own.
    height = min(max((flow.room - NOTE_H) / 2, OPINION_H), OPINION_MAX_H)
    _section(flow, "主考学校\n意见", [_opinion_slice(height)])
    _section(flow, "省自考办\n意见", [_opinion_slice(height)])


# --- 成绩: the passed courses the offices check the form against ----------------------------

SCORE_ROW_MIN = 19.0
SCORE_COLUMNS = [("序号", 30), ("课程代码", 50), ("课程名称", 181), ("学分", 34), ("成绩", 40),
                 ("合格时间", 66), ("备注", 52)]  # 453, the content column


def _scores(flow: _Flow, courses: list[dict]) -> None:
    header = _row_slice([_label(name, w) for name, w in SCORE_COLUMNS], SCORE_ROW_MIN)
    rows = [[i, c.get("code"), c.get("name"), c.get("credits") if c.get("credits") else "",
             c.get("score"), c.get("date"), c.get("note") or ""] for i, c in enumerate(courses, start=1)]
    slices = [_row_slice([_value(v, w) for v, (_, w) in zip(row, SCORE_COLUMNS, strict=True)], SCORE_ROW_MIN)
              for row in rows]
    # A course passed twice (re-sat for a better score) counts its credits once.
    credits = sum({c.get("code"): c.get("credits") or 0 for c in courses}.values())
    total = f"合计：{len(courses)}门课程，{credits}学分" if courses else "无合格课程记录"
    slices.append(_row_slice([_value(total, CONTENT_W)], SCORE_ROW_MIN))
    _section(flow, "课程\n考试成绩", slices, header=header)


def _closing_note(flow: _Flow) -> None:
    note = "注：本表一式两份，经考生本人签字后交回所选县（市、区）自考部门；签字确认后不得修改。"

    def draw(c: Canvas, top: float) -> None:
        _text(c, LEFT, top - 14, note, 8.5, gray=0.3)

    flow.place(NOTE_H, draw)


def _layout_copy(form: dict, candidate: dict, application: dict, courses: list[dict],
                 photo) -> list[list[Op]]:
    flow = _Flow()
    _identity(flow, form, candidate, application, photo)
    _resume(flow, form)
    _family(flow, form)
    if len(flow.pages) == 1:
        flow.new_page()  # the back of the sheet, as on the paper form
    _rewards(flow, form)
    _self_evaluation(flow, form)
    _office_opinion(flow)
    flow.new_page()  # a second sheet: 成绩 and the opinions signed after the county's
    _scores(flow, courses)
    _university_and_province_opinions(flow)
    _closing_note(flow)
    if len(flow.pages) % 2:
        flow.new_page()  # left blank so double-sided copies stay on separate sheets
    return flow.pages


# --- page furniture ----------------------------------------------------------------


def _format_when(value) -> str:
    if isinstance(value, datetime):
        return f"{value.year:04d}年{value.month:02d}月{value.day:02d}日 {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, date):
        return f"{value.year:04d}年{value.month:02d}月{value.day:02d}日"
    return "" if value is None else str(value)


def _page_furniture(c: Canvas, copy_label: str, page: int, pages: int, application: dict,
                    blank: bool) -> None:
    top = PAGE_H - 30
    _text(c, LEFT, top, f"申请编号：{application.get('application_id') or ''}", 8.5, gray=0.3)
    label_w = _width(copy_label, 12) + 14
    _box(c, LEFT + TABLE_W - label_w, top + 14, label_w, 20, 0.8)
    _text(c, LEFT + TABLE_W - label_w / 2, top - 1, copy_label, 12, align="center", bold=True)
    if page == 1:
        _text(c, PAGE_W / 2, PAGE_H - 62, TITLE, 18, align="center", bold=True, spacing=1.5)
        sub = PAGE_H - 84
        _text(c, LEFT, sub, f"报考县（市、区）：{application.get('district') or ''}", 9.5)
        _text(c, LEFT + TABLE_W, sub, f"网上提交时间：{_format_when(application.get('submitted_at'))}",
              9.5, align="right")
    else:
        _text(c, PAGE_W / 2, PAGE_H - 56, f"{TITLE}（续）", 13, align="center", bold=True)
    if blank:
        _text(c, PAGE_W / 2, PAGE_H / 2, "（本页空白）", 10.5, align="center", gray=0.5)
    _text(c, PAGE_W / 2, 26, f"{copy_label}（一式两份）  第 {page} 页 共 {pages} 页", 8.5,
          align="center", gray=0.3)


# --- input checks and the entry point -------------------------------------------------

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"


def _photo_reader(photo) -> ImageReader | None:
    if not photo:
        return None
    if not isinstance(photo, (bytes, bytearray)) or not photo.startswith((_PNG, _JPEG)):
        _refuse_photo("照片须为PNG或JPEG图片。")
    data = bytes(photo)
    # Decode it fully now: reportlab embeds JPEG bytes as they are, so a
    # truncated file would otherwise reach the paper half grey.
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        _refuse_photo("照片文件已损坏或过大，无法读取。")
    return ImageReader(io.BytesIO(data))


def _refuse_photo(message: str):
    raise InvalidInput("照片无法使用。", fields={"candidate": {"photo": [message]}})


def _printed_texts(form: dict, candidate: dict, application: dict, courses: Sequence[dict]) -> dict:
    """Every string that reaches the page, keyed as the caller passed it."""
    rows = {key: form.get(key) or [] for key in ("resume", "family_members")}
    return {
        "form": {
            **{k: v for k, v in form.items() if isinstance(v, str)},
            **{key: {i: {k: v for k, v in row.items() if isinstance(v, str)} for i, row in enumerate(items)}
               for key, items in rows.items()},
        },
        "candidate": {k: v for k, v in candidate.items() if isinstance(v, str)},
        "application": {k: _format_when(v) for k, v in application.items() if k != "photo"},
        "courses": {i: {k: v for k, v in course.items() if isinstance(v, str)} for i, course in enumerate(courses)},
    }


def _unprintable(texts: dict) -> dict:
    found = {}
    for key, value in texts.items():
        if isinstance(value, dict):
            nested = _unprintable(value)
            if nested:
                found[key] = nested
        else:
            missing = check_printable(value)
            if missing:
                found[key] = [f"含有登记表字库无法打印的字符{describe_chars(missing)}。"]
    return found


def render_registration_pdf(form: dict, candidate: dict, application: dict, *,
                            courses: Sequence[dict]) -> bytes:
    """Return the two-copy A4 PDF of the 毕业生登记表.

    ``form`` is the output of ``validate_registration``; ``candidate`` holds name,
    gender, id_number (出生年月 is read from it), exam_number and an optional
    PNG/JPEG ``photo``; ``application`` holds application_id, university, major,
    level, district and submitted_at; ``courses`` are the passed courses printed
    as the 成绩 part, each with code, name, credits, score, date and an optional
    note, in the order given.  Text the font cannot draw is refused with
    InvalidInput rather than printed as blanks.
    """
    problems = _unprintable(_printed_texts(form, candidate, application, courses))
    if problems:
        raise InvalidInput("登记表中有无法打印的字符。", fields=problems)
    photo = _photo_reader(candidate.get("photo"))
    load_font()
    with _RENDER_LOCK:
        pages = _layout_copy(form, candidate, application, list(courses), photo)
        return _draw(pages, application)


def _draw(pages: list[list[Op]], application: dict) -> bytes:
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(TITLE)
    c.setAuthor("山西省高等教育自学考试")
    # Only the application id: the PDF's metadata is shown by every viewer and
    # indexed by mail and file servers, so the name and ID number stay out of it.
    c.setSubject(f"毕业生登记表（一式两份） 申请编号 {application.get('application_id') or ''}")
    c.setCreator("service.forms")
    for copy_label in COPY_LABELS:
        for number, ops in enumerate(pages, start=1):
            _page_furniture(c, copy_label, number, len(pages), application, blank=not ops)
            for op in ops:
                op(c)
            c.showPage()
    c.save()
    return buf.getvalue()
