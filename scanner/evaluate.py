"""Score the shipped classifier on a labelled JSONL file."""

from __future__ import annotations

from pathlib import Path

from scanner.classify import Classifier
from scanner.corpus import read_records, segment_kind
from scanner.metrics import score_predictions
from scanner.segment import Segment, segment_plain_text


def predict_record(classifier: Classifier, record: dict) -> set[str]:
    """Labels the classifier gives a record: a bare item with its context, or free text."""
    if record.get("context"):
        segments = [
            Segment(record["text"], 0, len(record["text"]), segment_kind(record), record["context"])
        ]
    else:
        segments = segment_plain_text(record["text"])
    return {finding.label for group in classifier.classify(segments) for finding in group}


def evaluate_file(path: Path, classifier: Classifier | None = None) -> dict:
    """Per-label figures, false-positive rate and core macro-F1 for ``path``."""
    records = read_records(path)
    classifier = classifier or Classifier()
    gold = [set(r["labels"]) for r in records]
    predicted = [predict_record(classifier, r) for r in records]
    return score_predictions(gold, predicted)
