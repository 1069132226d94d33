"""Rebuild the shipped classifier from the corpus, deterministically.

Steps: hold out about 15% of the corpus by a hash of each text (written to
``models/heldout.jsonl`` for ``clinicscan evaluate``); on the rest, run a nested
5-fold cross-validation whose thresholds are chosen inside each training fold
(so the reported figures are not tuned on the fold they are measured on), score
a plain keyword baseline on the same folds, then fit the final per-label logistic
models, calibrate them (Platt scaling on out-of-fold margins) and choose each
label's threshold on out-of-fold probabilities.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from scanner import __version__
from scanner.classify import LinearModel, fired_rules
from scanner.corpus import is_heldout, read_corpus, segment_kind
from scanner.cues import build_nlp
from scanner.features import N_FEATURES, doc_features, feature_matrix
from scanner.metrics import score_predictions
from scanner.models import MODELS_DIR
from scanner.rulepack import LABELS, load_rulepack

SEED = 13
FOLDS = 5
C = 16.0
# The thresholds together may flag at most this share of the records that carry no label.
MAX_UNLABELLED_FLAG_RATE = 0.025
THRESHOLD_GRID = np.round(np.arange(0.10, 0.97, 0.01), 2)

KEYWORD_BASELINE = {
    "unapproved_use": r"stem cell|exosome|cord blood|wharton|amniotic|placent|\bsvf\b|\bmsc",
    "miracle_language": (
        r"miracle|\bcure|breakthrough|revolutionary|life.changing|reverse|guarantee"
    ),
    "recovery_time": r"\b(days?|weeks?|months?|immediately|overnight)\b",
    "safety_claim": r"\bsafe|side effects|\brisk",
    "fda_status_claim": r"\bfda\b",
}


def featurize(records: list[dict], rulepack_path: str | None = None):
    """Hashed features and rule firings for labelled records."""
    nlp = build_nlp(rulepack_path)
    rulepack = load_rulepack(rulepack_path)
    docs = list(nlp.pipe(r["text"] for r in records))
    contexts = sorted({r["context"] for r in records if r.get("context")})
    context_docs = dict(zip(contexts, nlp.pipe(contexts), strict=True))
    features = feature_matrix(
        [
            doc_features(doc, context_docs.get(r.get("context")), segment_kind(r))
            for doc, r in zip(docs, records, strict=True)
        ]
    )
    rule_hits = [set(fired_rules(rulepack, doc)) for doc in docs]
    return features, rule_hits


def _fit(features, target: np.ndarray) -> tuple[np.ndarray, float]:
    if target.min() == target.max():
        return np.zeros(features.shape[1]), -10.0 if target.max() == 0 else 10.0
    model = LogisticRegression(
        C=C, solver="liblinear", class_weight="balanced", random_state=SEED, max_iter=1000
    )
    model.fit(features, target)
    return model.coef_[0], float(model.intercept_[0])


def _platt(margins: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    if target.min() == target.max():
        return 1.0, 0.0
    model = LogisticRegression(C=1e4, solver="lbfgs")
    model.fit(margins.reshape(-1, 1), target)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def _f1(predicted: np.ndarray, target: np.ndarray) -> float:
    tp = float(np.sum(predicted & (target == 1)))
    wrong = float(np.sum(predicted != (target == 1)))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def _thresholds(probabilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per-label thresholds that share one false-positive budget: together they may
    flag (any label) at most MAX_UNLABELLED_FLAG_RATE of the records with no label.

    Starting from the strictest threshold for every label, each step lowers the one
    label's threshold that buys the most F1 per extra unlabelled record flagged,
    until no step fits in the budget. So labels whose claims are easy to tell apart
    get high recall cheaply, and the budget left goes where it helps most.
    """
    unlabelled = targets.sum(axis=1) == 0
    budget = MAX_UNLABELLED_FLAG_RATE * max(1, int(unlabelled.sum()))
    n_labels = targets.shape[1]
    # flags[i][k]: which unlabelled records label i flags at THRESHOLD_GRID[k]
    flags = [
        probabilities[unlabelled, i][None, :] >= THRESHOLD_GRID[:, None] for i in range(n_labels)
    ]
    f1 = [
        np.array([_f1(probabilities[:, i] >= t, targets[:, i]) for t in THRESHOLD_GRID])
        for i in range(n_labels)
    ]
    chosen = [len(THRESHOLD_GRID) - 1] * n_labels
    while True:
        current = np.any([flags[i][chosen[i]] for i in range(n_labels)], axis=0)
        spent = int(current.sum())
        best = None
        for i in range(n_labels):
            others = np.any([flags[j][chosen[j]] for j in range(n_labels) if j != i], axis=0)
            counts = (others[None, :] | flags[i][: chosen[i]]).sum(axis=1)
            gains = f1[i][: chosen[i]] - f1[i][chosen[i]]
            for k in np.flatnonzero((counts <= budget) & (gains > 1e-9)):
                ratio = gains[k] / max(float(counts[k] - spent), 0.5)
                if best is None or ratio > best[0]:
                    best = (ratio, i, int(k))
        if best is None:
            return THRESHOLD_GRID[chosen]
        chosen[best[1]] = best[2]


def fit_calibrated(features, targets: np.ndarray) -> dict:
    """Fit all labels: weights, intercepts, Platt parameters and thresholds."""
    n_labels = targets.shape[1]
    weights = np.zeros((features.shape[1], n_labels))
    intercept, platt_a, platt_b = (np.zeros(n_labels) for _ in range(3))
    folds = list(KFold(FOLDS, shuffle=True, random_state=SEED).split(np.arange(features.shape[0])))
    probabilities = np.zeros(targets.shape)
    for i in range(n_labels):
        target = targets[:, i]
        margins = np.zeros(features.shape[0])
        for train_index, test_index in folds:
            coef, bias = _fit(features[train_index], target[train_index])
            margins[test_index] = features[test_index] @ coef + bias
        platt_a[i], platt_b[i] = _platt(margins, target)
        probabilities[:, i] = 1 / (1 + np.exp(-(platt_a[i] * margins + platt_b[i])))
        weights[:, i], intercept[i] = _fit(features, target)
    thresholds = _thresholds(probabilities, targets)
    return {
        "weights": weights,
        "intercept": intercept,
        "platt_a": platt_a,
        "platt_b": platt_b,
        "thresholds": thresholds,
    }


def _predict(params: dict, features) -> np.ndarray:
    margin = features @ params["weights"] + params["intercept"]
    probabilities = 1 / (1 + np.exp(-(params["platt_a"] * margin + params["platt_b"])))
    return probabilities >= params["thresholds"]


def _targets(records: list[dict]) -> np.ndarray:
    return np.array([[label in r["labels"] for label in LABELS] for r in records], dtype=int)


def cross_validate(records: list[dict], features, rule_hits) -> dict:
    """Nested cross-validated figures of the model plus rules, and of the keyword baseline."""
    targets = _targets(records)
    predicted: list[set[str]] = [set() for _ in records]
    folds = KFold(FOLDS, shuffle=True, random_state=SEED + 1).split(np.arange(len(records)))
    for train_index, test_index in folds:
        params = fit_calibrated(features[train_index], targets[train_index])
        decisions = _predict(params, features[test_index])
        for row, index in zip(decisions, test_index, strict=True):
            predicted[index] = {label for label, on in zip(LABELS, row, strict=True) if on}
            predicted[index] |= rule_hits[index]
    gold = [set(r["labels"]) for r in records]
    baseline = [
        {
            label
            for label, pattern in KEYWORD_BASELINE.items()
            if re.search(pattern, (r.get("context") or "") + " " + r["text"], re.IGNORECASE)
        }
        for r in records
    ]
    return {
        "model": score_predictions(gold, predicted),
        "keyword_baseline": score_predictions(gold, baseline),
    }


def corpus_fingerprint(directory: Path, rulepack_path: str | None) -> str:
    """A hash of the corpus files, the rule pack's bytes and the training settings."""
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob("*.jsonl")):
        digest.update(path.name.encode() + path.read_bytes())
    rules = Path(rulepack_path) if rulepack_path else Path(str(MODELS_DIR)) / "rules.yaml"
    digest.update(rules.read_bytes())
    digest.update(f"{SEED}|{FOLDS}|{C}|{MAX_UNLABELLED_FLAG_RATE}|{N_FEATURES}".encode())
    return digest.hexdigest()


def train(
    corpus_dir: Path, out_dir: Path, rulepack_path: str | None = None, cross_validation: bool = True
) -> dict:
    """Train and write the model to ``out_dir``; return the training report."""
    records = read_corpus(corpus_dir)
    if not records:
        raise ValueError(f"no records in {corpus_dir}/*.jsonl")
    train_records = [r for r in records if not is_heldout(r)]
    heldout = [r for r in records if is_heldout(r)]
    features, rule_hits = featurize(train_records, rulepack_path)
    report = {
        "corpus_records": len(records),
        "train_records": len(train_records),
        "heldout_records": len(heldout),
        "unlabelled_share": round(sum(1 for r in records if not r["labels"]) / len(records), 4),
        "label_counts": {label: sum(label in r["labels"] for r in records) for label in LABELS},
    }
    if cross_validation:
        report["cross_validation"] = cross_validate(train_records, features, rule_hits)
    params = fit_calibrated(features, _targets(train_records))
    fingerprint = corpus_fingerprint(corpus_dir, rulepack_path)
    meta = {
        "version": f"cs-linear-{fingerprint[:12]}",
        "labels": list(LABELS),
        "tool_version": __version__,
        "rules_version": load_rulepack(rulepack_path).version,
        "seed": SEED,
        "folds": FOLDS,
        "C": C,
        "thresholds": {
            label: float(t) for label, t in zip(LABELS, params["thresholds"], strict=True)
        },
        "train_records": len(train_records),
    }
    model = LinearModel(
        params["weights"].astype(np.float32),
        params["intercept"],
        params["platt_a"],
        params["platt_b"],
        params["thresholds"],
        meta,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir)
    with open(out_dir / "heldout.jsonl", "w", encoding="utf-8") as handle:
        for record in heldout:
            clean = {k: v for k, v in record.items() if k != "source"}
            handle.write(json.dumps(clean, ensure_ascii=False, sort_keys=True) + "\n")
    report["model_version"] = meta["version"]
    (out_dir / "training_report.json").write_text(
        json.dumps(report, indent=2, sort_keys=True) + "\n", "utf-8"
    )
    return report
