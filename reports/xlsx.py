"""The flagged-claim table as an XLSX workbook a regulator can work in.

Written with openpyxl's write-only mode, so rows stream to disk and memory does
not grow with their number. Sheet "findings" holds exactly ``EXPORT_COLUMNS`` with
the same values and order as the CSV and JSON exports, a frozen header row and an
autofilter; sheet "citations" explains each citation id. Every text is stored as
text, never as a formula, whatever characters it starts with. Only the wrapped
columns carry a cell style, which keeps 20,000 rows to a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from scanner.store import EXPORT_COLUMNS

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FINDING_WIDTHS = {
    "site": 24,
    "url": 48,
    "label": 18,
    "sentence": 80,
    "start": 8,
    "end": 8,
    "score": 8,
    "rule": 22,
    "citation": 22,
    "captured_at": 21,
    "page_sha256": 66,
}
CITATION_COLUMNS = ("id", "title", "url", "summary")
CITATION_WIDTHS = {"id": 22, "title": 60, "url": 60, "summary": 90}
WRAPPED = {"sentence", "title", "summary"}

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="DDE3EC")
TOP_WRAPPED = Alignment(vertical="top", wrap_text=True)


def write_xlsx(rows: Iterable[dict], path: str | Path, citations: dict[str, dict]) -> int:
    """Write the findings and the citation sheet to ``path``; return the rows written."""
    workbook = Workbook(write_only=True)
    findings = workbook.create_sheet("findings")
    start_table(findings, EXPORT_COLUMNS, FINDING_WIDTHS)
    count = 0
    for row in rows:
        findings.append(table_row(findings, EXPORT_COLUMNS, row))
        count += 1
    findings.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{count + 1}"
    sheet = workbook.create_sheet("citations")
    start_table(sheet, CITATION_COLUMNS, CITATION_WIDTHS)
    for citation_id, source in citations.items():
        values = {"id": citation_id, **{key: source.get(key) for key in CITATION_COLUMNS[1:]}}
        sheet.append(table_row(sheet, CITATION_COLUMNS, values))
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(CITATION_COLUMNS))}{len(citations) + 1}"
    workbook.save(path)
    return count


def start_table(sheet: WriteOnlyWorksheet, columns: tuple[str, ...], widths: dict) -> None:
    """Column widths, a frozen header row and the bold header itself."""
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths[column]
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = text_cell(sheet, column)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        header.append(cell)
    sheet.append(header)


def table_row(sheet: WriteOnlyWorksheet, columns: tuple[str, ...], values: dict) -> list:
    """One row: plain values where possible (fast), long text columns wrapped."""
    cells = []
    for column in columns:
        value = values[column]
        if column in WRAPPED:
            cell = (
                text_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value)
            )
            cell.alignment = TOP_WRAPPED
            cells.append(cell)
        elif isinstance(value, str):
            cells.append(text_cell(sheet, value) if value.startswith("=") else clean_text(value))
        else:
            cells.append(value)
    return cells


def text_cell(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    """A cell that holds ``text`` as a string, even one starting with "="."""
    cell = WriteOnlyCell(sheet, clean_text(text))
    cell.data_type = "s"
    return cell


def clean_text(text: str) -> str:
    """``text`` with the characters XML cannot carry (control characters) as U+FFFD."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
