"""The flagged-claim table as CSV, JSON, JSON Lines or XLSX, streamed row by row.

Every format has exactly the columns of ``EXPORT_COLUMNS`` in that order and the
same rows in the same stable order.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import IO

from scanner.store import EXPORT_COLUMNS, Filters, Store

FORMATS = ("csv", "json", "jsonl", "xlsx")


def export_rows(store: Store, filters: Filters) -> Iterator[dict]:
    """Finding rows with exactly the export columns, in stable order."""
    for finding in store.iter_findings(filters):
        yield {column: finding[column] for column in EXPORT_COLUMNS}


def write_csv(rows: Iterator[dict], handle: IO[str]) -> int:
    writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def write_json(rows: Iterator[dict], handle: IO[str]) -> int:
    """A JSON array written incrementally (one object per line inside it)."""
    handle.write("[")
    count = 0
    for row in rows:
        handle.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
        count += 1
    handle.write("\n]\n" if count else "]\n")
    return count


def write_jsonl(rows: Iterator[dict], handle: IO[str]) -> int:
    count = 0
    for row in rows:
        handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
