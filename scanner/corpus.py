"""Read labelled JSONL records (the training corpus, or any evaluation file)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from scanner.rulepack import LABELS

HELDOUT_PERCENT = 15
ITEM_REGISTERS = {"condition_list", "bullet"}


class CorpusError(ValueError):
    """A record is malformed; the message names the file and line."""


def read_records(path: Path) -> list[dict]:
    """Records of one JSONL file; each needs ``text`` and ``labels``."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise CorpusError(f"{path}:{number}: not JSON ({error.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                raise CorpusError(f"{path}:{number}: a record needs a string 'text'")
            labels = record.get("labels", [])
            if not isinstance(labels, list) or any(label not in LABELS for label in labels):
                raise CorpusError(f"{path}:{number}: labels must be a list of {LABELS}")
            records.append(record)
    return records


def read_corpus(directory: Path) -> list[dict]:
    """All records of ``directory/*.jsonl`` in file-name order, exact duplicates dropped."""
    seen = set()
    records = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for record in read_records(path):
            key = (record["text"].strip().lower(), record.get("context"))
            if key not in seen:
                seen.add(key)
                record["source"] = path.name
                records.append(record)
    return records


def is_heldout(record: dict) -> bool:
    """Deterministic held-out membership by a hash of the text (about 15%)."""
    digest = hashlib.sha256(record["text"].strip().lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def segment_kind(record: dict) -> str:
    """The block kind a record imitates: list item, heading or running text."""
    register = record.get("register")
    if register in ITEM_REGISTERS or record.get("context"):
        return "item"
    if register == "heading":
        return "heading"
    return "paragraph"
