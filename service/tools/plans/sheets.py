"""The 专业考试计划 table as curriculum offices keep it: one sheet per plan, read from and written to xlsx or CSV.

A sheet is the plan's header (a label in column A, its value in B; a group row
adds the group's name in C), a blank row, then the course table::

    主考学校 | 山西财经大学
    专业代码 | 120203K
    ...
    课程组   | elective | 选考课程（任选一门）

    序号 | 课程代码 | 课程名称 | 学分 | 考试类型 | 备注 | 课程组
    1    | 03709    | 马克思主义基本原理概论 | 4 | 统考 | |

This module only moves cells: what they mean is ``importing``'s and ``export``'s.
A CSV file holds one sheet, named after the file.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

HEADER = ("主考学校", "专业代码", "专业名称", "层次", "版本", "生效日期", "失效日期", "最低学分", "来源", "来源链接",
          "说明", "课程组")
COLUMNS = ("序号", "课程代码", "课程名称", "学分", "考试类型", "备注", "课程组")
FORMATS = (".xlsx", ".csv")


class SheetFileError(Exception):
    """The file cannot be read as a table at all (not the cells' fault)."""


@dataclass
class Sheet:
    name: str
    rows: list[list]  # cell values, row 1 first; trailing empty cells dropped

    def cell(self, row: int, col: int):
        """The value at 1-based ``row``/``col``; None when empty."""
        if row > len(self.rows) or col > len(self.rows[row - 1]):
            return None
        value = self.rows[row - 1][col - 1]
        return None if value is None or (isinstance(value, str) and not value.strip()) else value


def column_letter(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_sheets(path: Path) -> list[Sheet]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise SheetFileError(f"{path.name} is not UTF-8 text: save the CSV as UTF-8 (not GBK)") from None
        return [Sheet(path.stem, [_trimmed(r) for r in csv.reader(io.StringIO(text))])]
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors on damaged files
            raise SheetFileError(f"{path.name} cannot be read as an xlsx workbook ({exc})") from None
        sheets = [Sheet(ws.title, [_trimmed(list(r)) for r in ws.iter_rows(values_only=True)]) for ws in book.worksheets]
        book.close()
        return sheets
    raise SheetFileError(f"{path.name}: a plan table is an .xlsx or a .csv file")


def write_sheets(path: Path, sheets: list[Sheet]) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if len(sheets) != 1:
            raise SheetFileError(f"a CSV file holds one plan; {len(sheets)} were asked for (write an .xlsx)")
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows([[_text(v) for v in row] for row in sheets[0].rows])
        # with a BOM, Excel opens the Chinese text as UTF-8
        path.write_text("\ufeff" + out.getvalue(), encoding="utf-8", newline="")
        return
    if suffix != ".xlsx":
        raise SheetFileError(f"{path.name}: write an .xlsx or a .csv file")
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.name)
        for row in sheet.rows:
            ws.append(row)
        for cell in ws["B"]:  # codes and editions are text: Excel must not drop a leading zero
            cell.number_format = "@"
    book.save(path)


def _trimmed(row) -> list:
    row = list(row)
    while row and (row[-1] is None or (isinstance(row[-1], str) and not row[-1].strip())):
        row.pop()
    return row


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)
