"""Rebuild the shipped classifier from the corpus, deterministically.

Steps: hold out about 15% of the corpus by a hash of each text (written to
``models/heldout.jsonl`` for ``clinicscan evaluate``); on the rest, run a nested
5-fold cross-validation whose calibration and thresholds are chosen inside each
training fold (so the reported figures are not tuned on the fold they are measured
on), score a plain keyword baseline on the same folds, then fit the final model:
per-label logistic regressions over hashed features and spaCy's bag-of-n-grams
text classifier, a per-label calibration over both views' out-of-fold scores, and
thresholds chosen on the calibrated out-of-fold probabilities.
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
from scanner.classify import ClaimModel, calibrated_probabilities, fired_rules, textcat_logits
from scanner.corpus import is_heldout, read_corpus, segment_kind
from scanner.cues import build_nlp
from scanner.features import N_FEATURES, doc_features, feature_matrix
from scanner.metrics import score_predictions
from scanner.models import MODELS_DIR
from scanner.rulepack import LABELS, load_rulepack
from scanner.textcat import TEXTCAT_SETTINGS, score_texts, textcat_input, train_textcat

SEED = 13
FOLDS = 5
C = 16.0
# The thresholds together may flag at most this share of the records that carry no label.
MAX_UNLABELLED_FLAG_RATE = 0.02
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


def _fit_linear(features, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per label: weights (n_features, n_labels) and intercepts."""
    fitted = [_fit(features, targets[:, i]) for i in range(targets.shape[1])]
    return np.column_stack([w for w, _ in fitted]), np.array([b for _, b in fitted])


def _calibrate(margins: np.ndarray, scores: np.ndarray, targets: np.ndarray):
    """Per label, a logistic regression from (linear margin, textcat logit) to the label:
    weights (n_labels, 2) and biases. A label with one class keeps the margin alone."""
    n_labels = targets.shape[1]
    calibration, bias = np.tile([1.0, 0.0], (n_labels, 1)), np.zeros(n_labels)
    logits = textcat_logits(scores)
    for i in range(n_labels):
        if targets[:, i].min() != targets[:, i].max():
            model = LogisticRegression(C=1e4, solver="lbfgs")
            model.fit(np.column_stack([margins[:, i], logits[:, i]]), targets[:, i])
            calibration[i], bias[i] = model.coef_[0], model.intercept_[0]
    return calibration, bias


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


def fit_calibrated(features, texts: list[str], targets: np.ndarray) -> dict:
    """Fit both views on all records; calibrate them and choose thresholds on their
    out-of-fold scores (5 folds)."""
    folds = KFold(FOLDS, shuffle=True, random_state=SEED).split(np.arange(features.shape[0]))
    margins, scores = np.zeros(targets.shape), np.zeros(targets.shape)
    for train_index, test_index in folds:
        weights, intercept = _fit_linear(features[train_index], targets[train_index])
        margins[test_index] = features[test_index] @ weights + intercept
        textcat = train_textcat([texts[i] for i in train_index], targets[train_index], SEED)
        scores[test_index] = score_texts(textcat, [texts[i] for i in test_index])
    calibration, calibration_bias = _calibrate(margins, scores, targets)
    probabilities = calibrated_probabilities(margins, scores, calibration, calibration_bias)
    weights, intercept = _fit_linear(features, targets)
    return {
        "weights": weights,
        "intercept": intercept,
        "calibration": calibration,
        "calibration_bias": calibration_bias,
        "thresholds": _thresholds(probabilities, targets),
        "textcat": train_textcat(texts, targets, SEED),
    }


def _predict(params: dict, features, texts: list[str]) -> np.ndarray:
    margins = features @ params["weights"] + params["intercept"]
    scores = score_texts(params["textcat"], texts)
    probabilities = calibrated_probabilities(
        margins, scores, params["calibration"], params["calibration_bias"]
    )
    return probabilities >= params["thresholds"]


def textcat_texts(records: list[dict]) -> list[str]:
    """What the text classifier reads for each record: lead-in and text."""
    return [textcat_input(r["text"], r.get("context")) for r in records]


def _targets(records: list[dict]) -> np.ndarray:
    return np.array([[label in r["labels"] for label in LABELS] for r in records], dtype=int)


def cross_validate(records: list[dict], features, rule_hits) -> dict:
    """Nested cross-validated figures of the model plus rules, and of the keyword baseline."""
    targets = _targets(records)
    texts = textcat_texts(records)
    predicted: list[set[str]] = [set() for _ in records]
    folds = KFold(FOLDS, shuffle=True, random_state=SEED + 1).split(np.arange(len(records)))
    for train_index, test_index in folds:
        params = fit_calibrated(
            features[train_index], [texts[i] for i in train_index], targets[train_index]
        )
        decisions = _predict(params, features[test_index], [texts[i] for i in test_index])
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
    digest.update(json.dumps(TEXTCAT_SETTINGS, sort_keys=True).encode())
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
    params = fit_calibrated(features, textcat_texts(train_records), _targets(train_records))
    fingerprint = corpus_fingerprint(corpus_dir, rulepack_path)
    meta = {
        "version": f"cs-lrbow-{fingerprint[:12]}",
        "labels": list(LABELS),
        "tool_version": __version__,
        "rules_version": load_rulepack(rulepack_path).version,
        "seed": SEED,
        "folds": FOLDS,
        "C": C,
        "textcat": TEXTCAT_SETTINGS,
        "thresholds": {
            label: float(t) for label, t in zip(LABELS, params["thresholds"], strict=True)
        },
        "train_records": len(train_records),
    }
    model = ClaimModel(
        params["weights"].astype(np.float32),
        params["intercept"],
        params["calibration"],
        params["calibration_bias"],
        params["thresholds"],
        params["textcat"],
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
