"""Precision, recall, F1 per label, false-positive rate on unlabelled records."""

from __future__ import annotations

from scanner.rulepack import CORE_LABELS, LABELS


def score_predictions(gold: list[set[str]], predicted: list[set[str]]) -> dict:
    """Per-label figures, the false-positive rate on unlabelled records and core macro-F1."""
    per_label = {}
    for label in LABELS:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label in p)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if label not in g and label in p)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if label in g and label not in p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    unlabelled = [p for g, p in zip(gold, predicted, strict=True) if not g]
    flagged = sum(1 for p in unlabelled if p)
    return {
        "records": len(gold),
        "labels": per_label,
        "unlabelled": len(unlabelled),
        "false_positive_rate": round(flagged / len(unlabelled), 4) if unlabelled else 0.0,
        "core_macro_f1": round(sum(per_label[label]["f1"] for label in CORE_LABELS) / 3, 4),
    }


def format_figures(figures: dict) -> str:
    """A plain-text table of :func:`score_predictions` output."""
    lines = [f"{'label':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for label, row in figures["labels"].items():
        lines.append(
            f"{label:<18} {row['precision']:>9.3f} {row['recall']:>7.3f} "
            f"{row['f1']:>6.3f} {row['support']:>8}"
        )
    lines.append(
        f"false-positive rate on unlabelled: {figures['false_positive_rate']:.3f} "
        f"({figures['unlabelled']} unlabelled records)"
    )
    lines.append(
        f"core macro-F1 (unapproved_use, miracle_language, recovery_time): "
        f"{figures['core_macro_f1']:.3f}"
    )
    return "\n".join(lines)
