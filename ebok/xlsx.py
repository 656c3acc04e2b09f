"""Excel reports written with openpyxl's write-only workbook: memory stays flat at any size.

Cells are typed (numbers stay numbers, dates stay dates) with Polish-friendly formats; the
header row is bold, frozen and carries an autofilter. Styled cells are prepared once per
column and reused for every row, so a row costs what bare `ws.append()` costs plus one
attribute set per formatted cell.

Text is written as text, never as a formula: openpyxl turns any string starting with "=" into
a formula (and "#N/A" into an error value), so a user agent like `=HYPERLINK(...)` would be a
live link in the company's audit export. Every string that a spreadsheet would read as a
formula (starting with = + - @, tab or CR) is written as a string cell with Excel's "quote
prefix" (the cell behaves as if typed with a leading apostrophe: shown as typed, kept text
when edited); characters an XML worksheet cannot hold are dropped.

A report that lists amounts ends with a totals row ("Razem"): each amount column is summed
while the rows are written (a report is streamed from the database, never held whole). The
totals row sits below the autofilter's range, so sorting or filtering never moves it.
"""

from __future__ import annotations

import tempfile
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import IO, Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM:SS"
PROGRESS_EVERY = 1000
# First characters that make a spreadsheet evaluate a typed text (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit for the text of one cell.
CELL_TEXT_MAX = 32767


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"  # a naive local date and time (Excel has no time zones)
    PERCENT = "percent"  # the value is in percent already (7.35 means 7,35 %)


_DEFAULT_WIDTHS = {
    Kind.TEXT: 24,
    Kind.INT: 9,
    Kind.MONEY: 16,
    Kind.DATE: 12,
    Kind.DATETIME: 19,
    Kind.PERCENT: 10,
}


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    width: float | None = None
    # Summed in the totals row: every amount column unless a sum means nothing (the capital
    # still owed after each installment).
    total: bool = True

    @property
    def summed(self) -> bool:
        return self.kind is Kind.MONEY and self.total


def money_format() -> str:
    # Excel applies the reader's own separators: "1 234,56 zł" in Polish Excel.
    currency = "PLN" if (get_language() or "pl").startswith("en") else "zł"
    return f'#,##0.00 "{currency}"'


def _number_format(kind: Kind) -> str | None:
    return {
        Kind.MONEY: money_format(),
        Kind.DATE: DATE_FORMAT,
        Kind.DATETIME: DATETIME_FORMAT,
        Kind.INT: "0",
        Kind.PERCENT: '0.00##"%"',
    }.get(kind)


def write_xlsx(
    target: str | IO[bytes],
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write one sheet to `target` (a path or a binary file); return the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet._values_to_row = types.MethodType(_values_to_row, sheet)
    for index, column in enumerate(columns, start=1):
        width = column.width or _DEFAULT_WIDTHS[column.kind]
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="E7ECF3")
    header_alignment = Alignment(vertical="center", wrap_text=True)
    header = []
    for column in columns:
        cell = text_cell(sheet, str(column.header))
        cell.font = header_font
        cell.fill = header_fill
        cell.alignment = header_alignment
        header.append(cell)
    sheet.append(header)

    # One styled cell per formatted column, refilled for every row: openpyxl writes a row's
    # cells as soon as they are appended, so reusing them is safe and saves a style lookup
    # per cell.
    templates: list[WriteOnlyCell | None] = []
    for column in columns:
        number_format = _number_format(column.kind)
        if number_format is None:
            templates.append(None)
            continue
        cell = WriteOnlyCell(sheet)
        cell.number_format = number_format
        templates.append(cell)
    formatted = [(i, cell) for i, cell in enumerate(templates) if cell is not None]
    summed = [i for i, column in enumerate(columns) if column.summed]
    totals: dict[int, Any] = dict.fromkeys(summed, 0)

    count = 0
    for values in rows:
        row = list(values)
        for i in summed:
            value = row[i]
            if value is not None and not isinstance(value, str):
                totals[i] += value
        for i, cell in formatted:
            value = row[i]
            if value is not None and not isinstance(value, str):  # text: see _values_to_row
                cell.value = value
                row[i] = cell
        sheet.append(row)
        count += 1
        if on_progress is not None and count % PROGRESS_EVERY == 0:
            on_progress(count)

    last_column = get_column_letter(max(len(columns), 1))
    sheet.auto_filter.ref = f"A1:{last_column}{count + 1}"
    if summed and count:
        sheet.append(_totals_row(sheet, columns, totals))
    workbook.save(target)
    if on_progress is not None:
        on_progress(count)
    return count


def _totals_row(sheet, columns: Sequence[Column], totals: dict[int, Any]) -> list[Any]:
    """The label "Razem" in the first column not summed, then each summed column's total."""
    font = Font(bold=True)
    fill = PatternFill("solid", fgColor="E7ECF3")
    label_at = next((i for i, column in enumerate(columns) if not column.summed), None)
    row: list[Any] = []
    for i, column in enumerate(columns):
        if i in totals:
            cell = WriteOnlyCell(sheet, value=totals[i])
            cell.number_format = _number_format(column.kind)
        elif i == label_at:
            cell = text_cell(sheet, _("Razem"))
        else:
            cell = WriteOnlyCell(sheet)
        cell.font = font
        cell.fill = fill
        row.append(cell)
    return row


def write_xlsx_tempfile(**kwargs: Any) -> tuple[IO[bytes], int]:
    """Write to an anonymous temporary file, rewound for reading; the caller closes it."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned open
    count = write_xlsx(handle, **kwargs)
    handle.seek(0)
    return handle, count


def _values_to_row(sheet, values: Sequence[Any], row_idx: int):
    """openpyxl's WriteOnlyWorksheet._values_to_row without its exception path for cells.

    The stock version first tries to assign a prepared cell as a value and catches the
    ValueError (whose message formats the cell's repr): a third of the write time for a
    report where most cells carry a number format. Same output; openpyxl is pinned < 3.2.
    """
    plain = WriteOnlyCell(sheet)
    for col_idx, value in enumerate(values, 1):
        if value is None:
            continue
        if isinstance(value, Cell):
            cell = value
        elif isinstance(value, str) and _needs_text_cell(value):
            cell = text_cell(sheet, value)
        else:
            cell = plain
            cell.value = value
        cell.column = col_idx
        cell.row = row_idx
        yield cell
        if plain.has_style:  # a date in an unformatted column got a default format
            plain = WriteOnlyCell(sheet)


def _needs_text_cell(value: str) -> bool:
    return (
        value.startswith(FORMULA_STARTS)
        or value in ERROR_CODES
        or (not value.isprintable() and ILLEGAL_CHARACTERS_RE.search(value) is not None)
        or len(value) > CELL_TEXT_MAX
    )


def text_cell(sheet, value: str) -> WriteOnlyCell:
    """A cell holding exactly `value` as text, whatever it starts with."""
    cell = WriteOnlyCell(sheet)
    # Assigned past openpyxl's type guessing, which would make "=..." a formula, "#N/A" an
    # error and refuse control characters.
    cell._value = ILLEGAL_CHARACTERS_RE.sub("", value)[:CELL_TEXT_MAX]
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS) or value in ERROR_CODES:
        cell.quotePrefix = True
    return cell


def _sheet_title(title: str) -> str:
    # Excel limits sheet names to 31 characters without []:*?/\
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip()
    return cleaned[:31] or "Raport"
