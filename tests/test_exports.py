"""Issue 5, exports: CSV, JSON, JSON Lines and XLSX hold the spec's columns in order and
the same rows in the same order; the XLSX is one a regulator can work in; the filters
work; the Datasette metadata describes the real schema."""

from __future__ import annotations

import csv
import io
import json
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
from conftest import run_cli
from scanner.reports.exports import export_rows, write_csv, write_json, write_jsonl
from scanner.reports.xlsx import write_xlsx
from test_report import ALPHA, BETA, REVIEW_BETA, WALK, build_database

from scanner.rulepack import load_rulepack
from scanner.store import EXPORT_COLUMNS, Filters, Store

SPEC_COLUMNS = [
    "site",
    "url",
    "label",
    "sentence",
    "start",
    "end",
    "score",
    "rule",
    "citation",
    "captured_at",
    "page_sha256",
]
TABLES = ("runs", "bodies", "captures", "findings", "finding_pages")


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    return build_database(tmp_path_factory.mktemp("exports") / "clinicscan.db")


@pytest.fixture
def store(database):
    store = Store(database, create=False)
    yield store
    store.close()


def exported(store: Store, filters: Filters, tmp_path: Path) -> dict[str, list]:
    """The rows of every format, each parsed back with its own reader."""
    text = {}
    for name, writer in (("csv", write_csv), ("json", write_json), ("jsonl", write_jsonl)):
        handle = io.StringIO()
        writer(export_rows(store, filters), handle)
        text[name] = handle.getvalue()
    path = tmp_path / "findings.xlsx"
    write_xlsx(export_rows(store, filters), path, load_rulepack().citations)
    sheet = openpyxl.load_workbook(path, read_only=True)["findings"]
    return {
        "csv": list(csv.reader(io.StringIO(text["csv"]))),
        "json": json.loads(text["json"]),
        "jsonl": [json.loads(line) for line in text["jsonl"].splitlines()],
        "xlsx": [list(row) for row in sheet.iter_rows(values_only=True)],
    }


def as_csv_cell(value) -> str:
    return "" if value is None else str(value)


def test_every_format_has_the_spec_columns_and_the_same_rows(store, tmp_path):
    assert list(EXPORT_COLUMNS) == SPEC_COLUMNS
    rows = exported(store, Filters(run=1), tmp_path)
    expected = [dict(row) for row in export_rows(store, Filters(run=1))]
    assert len(expected) == 7
    assert rows["json"] == expected and rows["jsonl"] == expected
    assert all(list(row) == SPEC_COLUMNS for row in rows["json"])
    assert rows["xlsx"][0] == SPEC_COLUMNS and rows["csv"][0] == SPEC_COLUMNS
    assert rows["xlsx"][1:] == [[row[c] for c in SPEC_COLUMNS] for row in expected]
    assert rows["csv"][1:] == [[as_csv_cell(row[c]) for c in SPEC_COLUMNS] for row in expected]


def test_rows_come_in_a_stable_order(store):
    first = list(export_rows(store, Filters(run=1)))
    assert first == list(export_rows(store, Filters(run=1)))
    keys = [(r["site"], r["url"], r["start"], r["label"]) for r in first]
    assert keys == sorted(keys)


def test_payloads_survive_every_format_unchanged(store, tmp_path):
    rows = exported(store, Filters(site=ALPHA), tmp_path)
    sentences = [row["sentence"] for row in rows["json"]]
    assert any("<img src=x onerror=alert(1)>" in s for s in sentences)
    assert [row[3] for row in rows["xlsx"][1:]] == sentences
    assert [row[3] for row in rows["csv"][1:]] == sentences


def test_xlsx_is_ready_to_work_in(store, tmp_path):
    path = tmp_path / "findings.xlsx"
    count = write_xlsx(export_rows(store, Filters()), path, load_rulepack().citations)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["findings", "citations"]
    sheet = workbook["findings"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:K{count + 1}"
    assert sheet["A1"].font.bold
    sentence = SPEC_COLUMNS.index("sentence") + 1
    assert sheet.cell(row=2, column=sentence).alignment.wrap_text
    widths = {
        sheet.cell(row=1, column=i).value: sheet.column_dimensions[c].width
        for i, c in enumerate("ABCDEFGHIJK", start=1)
    }
    assert widths["sentence"] >= 60 and widths["url"] >= 40 and widths["page_sha256"] >= 64
    assert widths["start"] < widths["site"]


def test_xlsx_citation_sheet_describes_every_citation(tmp_path):
    citations = load_rulepack().citations
    path = tmp_path / "findings.xlsx"
    write_xlsx(iter(()), path, citations)
    sheet = openpyxl.load_workbook(path)["citations"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("id", "title", "url", "summary")
    assert {row[0]: row[1:] for row in rows[1:]} == {
        key: (value["title"], value["url"], value["summary"]) for key, value in citations.items()
    }
    assert sheet.freeze_panes == "A2"


def test_xlsx_keeps_formula_like_text_as_text(tmp_path):
    row = dict.fromkeys(SPEC_COLUMNS)
    row.update(sentence='=HYPERLINK("https://evil.example","click")', site="+cmd|' /C calc'!A0")
    path = tmp_path / "formula.xlsx"
    assert write_xlsx(iter([row]), path, {}) == 1
    sheet = openpyxl.load_workbook(path)["findings"]
    assert sheet["D2"].value == row["sentence"] and sheet["D2"].data_type == "s"
    assert sheet["A2"].value == row["site"]


def test_xlsx_of_no_rows_is_a_header_only_table(tmp_path):
    path = tmp_path / "empty.xlsx"
    assert write_xlsx(iter(()), path, load_rulepack().citations) == 0
    sheet = openpyxl.load_workbook(path)["findings"]
    assert [c.value for c in sheet[1]] == SPEC_COLUMNS and sheet.max_row == 1


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(site=f"www.{BETA}", run=1), {(BETA, WALK), (BETA, REVIEW_BETA)}),
        (Filters(label="recovery_time", run=1), {(ALPHA, WALK), (BETA, WALK)}),
        (Filters(label="recovery_time", min_score=0.9, run=1), {(BETA, WALK)}),
        (Filters(site=BETA, run=2), {(BETA, "Exosome therapy reverses ageing.")}),
        (Filters(site=BETA), {(BETA, "Exosome therapy reverses ageing.")}),
    ],
)
def test_filters_select_the_rows(store, filters, expected):
    assert {(r["site"], r["sentence"]) for r in export_rows(store, filters)} == expected


def test_xlsx_export_through_the_cli(database, tmp_path):
    out = tmp_path / "cli.xlsx"
    result = run_cli("export", "--format", "xlsx", "--db", str(database), "--out", str(out))
    assert result.returncode == 0, result.stderr
    workbook = openpyxl.load_workbook(out, read_only=True)
    header = next(workbook["findings"].iter_rows(values_only=True))
    assert list(header) == SPEC_COLUMNS


# -- Datasette --------------------------------------------------------------------------------


def test_datasette_metadata_describes_the_real_schema(database):
    metadata = json.loads(
        resources.files("scanner.reports").joinpath("datasette-metadata.json").read_text()
    )
    assert metadata["title"] and metadata["description"]
    tables = metadata["databases"]["clinicscan"]["tables"]
    assert set(tables) == set(TABLES)
    store = Store(database, create=False)
    try:
        for name in TABLES:
            columns = set(store.db[name].columns_dict)
            assert tables[name]["description"]
            assert set(tables[name]["columns"]) == columns, name
            assert set(tables[name].get("facets", ())) <= columns
        assert set(tables["findings"]["facets"]) >= {"label", "site", "citation"}
        assert tables["findings"]["fts_table"] in store.db.table_names()
        assert tables["bodies"]["hidden"] is True
    finally:
        store.close()
