"""The ``check`` command's work: classify text and write findings as text or JSON."""

from __future__ import annotations

import json
from typing import IO

from scanner.classify import Classifier, Finding
from scanner.segment import segment_plain_text
from scanner.store import EXPORT_COLUMNS


class CheckInputError(ValueError):
    """Unusable input for ``check``; the message names the problem."""


def finding_record(finding: Finding) -> dict:
    """A finding with the spec's fields (page fields null) plus its message."""
    record = dict.fromkeys(EXPORT_COLUMNS)
    record.update(
        {
            k: getattr(finding, k)
            for k in ("label", "sentence", "start", "end", "score", "rule", "citation")
        }
    )
    record["message"] = finding.message
    record["needs_review"] = finding.needs_review
    return record


def check_text(
    text: str, output_format: str, out: IO[str], classifier: Classifier | None = None
) -> bool:
    """Classify ``text``; write findings; return whether anything was flagged."""
    if not text.strip():
        raise CheckInputError("input is empty: nothing to check")
    findings = (classifier or Classifier()).check_text(text)
    records = [finding_record(f) for f in findings]
    if output_format == "json":
        labels = sorted({r["label"] for r in records})
        out.write(
            json.dumps({"labels": labels, "findings": records}, ensure_ascii=False, indent=2) + "\n"
        )
    else:
        for r in records:
            review = " (needs review)" if r["needs_review"] else ""
            out.write(
                f"{r['start']}-{r['end']} {r['label']} {r['score']:.2f} {r['rule']} "
                f"{r['citation']}{review}: {r['sentence']}\n"
            )
        if not records:
            out.write("no findings\n")
    return bool(records)


def parse_jsonl(text: str) -> list[tuple[object, str]]:
    """(id, text) pairs of JSON-lines input; the first bad line raises CheckInputError."""
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise CheckInputError(f"line {number}: not JSON ({error.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise CheckInputError(f'line {number}: expected {{"id": ..., "text": "..."}}')
        items.append((record.get("id"), record["text"]))
    if not items:
        raise CheckInputError("input is empty: no JSON lines to check")
    return items


def check_jsonl(
    text: str, out: IO[str], classifier: Classifier | None = None, batch_lines: int = 512
) -> bool:
    """Classify each JSON line; write one result line each, in input order.

    Lines are classified in batches, so spaCy and the model see many sentences at once.
    """
    items = parse_jsonl(text)
    classifier = classifier or Classifier()
    flagged = False
    for first in range(0, len(items), batch_lines):
        batch = items[first : first + batch_lines]
        segmented = [segment_plain_text(item_text) for _, item_text in batch]
        groups = classifier.classify([s for segments in segmented for s in segments])
        cursor = 0
        for (item_id, _), segments in zip(batch, segmented, strict=True):
            findings = [f for g in groups[cursor : cursor + len(segments)] for f in g]
            cursor += len(segments)
            records = [finding_record(f) for f in findings]
            flagged = flagged or bool(records)
            out.write(
                json.dumps(
                    {
                        "id": item_id,
                        "labels": sorted({r["label"] for r in records}),
                        "findings": records,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    return flagged
