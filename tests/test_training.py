"""`clinicscan train` and `evaluate`: determinism, figures, shipped files, bad input."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from scanner.classify import ClaimModel, Classifier, calibrated_probabilities
from scanner.corpus import read_corpus
from scanner.rulepack import LABELS, RulePackError, parse_rulepack
from tests.conftest import REPO

MODELS = REPO / "models"


def _small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = read_corpus(MODELS / "corpus")[::6]
    with open(corpus / "sample.jsonl", "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps({k: v for k, v in record.items() if k != "source"}) + "\n")
    return corpus


@pytest.mark.slow
def test_train_is_deterministic(cli, tmp_path):
    corpus = _small_corpus(tmp_path)
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        # A guard against a hang, not a speed test: a loaded 2-core machine needs minutes.
        result = cli("train", "--corpus", str(corpus), "--out", str(out), "--no-cv", timeout=900)
        assert result.returncode == 0, result.stderr
    for name in (
        "classifier.npz",
        "classifier.json",
        "heldout.jsonl",
        "textcat/model",
        "textcat/cfg",
    ):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    # `evaluate --model` scores the model just trained, not the shipped one.
    result = cli("evaluate", str(first / "heldout.jsonl"), "--model", str(first))
    assert result.returncode == 0, result.stderr
    assert "core macro-F1" in result.stdout


def test_shipped_model_matches_corpus_fingerprint():
    """The shipped model was trained from the shipped corpus and rule pack."""
    from scanner.train import corpus_fingerprint

    meta = json.loads((MODELS / "classifier.json").read_text())
    assert meta["version"] == f"cs-lrbow-{corpus_fingerprint(MODELS / 'corpus', None)[:12]}"
    assert meta["labels"] == list(LABELS)


def test_model_files_load_without_pickle():
    """Weights are .npy arrays (read with allow_pickle=False) and spaCy's own JSON config
    and msgpack weights; nothing else ships, and every file is small."""
    with zipfile.ZipFile(MODELS / "classifier.npz") as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    assert sorted(p.name for p in (MODELS / "textcat").iterdir()) == ["cfg", "model"]
    model = ClaimModel.load(MODELS)
    assert model.weights.shape[1] == len(LABELS)
    assert list(model.textcat.labels) == list(LABELS)
    for path in (MODELS / "classifier.npz", MODELS / "textcat" / "model"):
        assert path.stat().st_size < 4 * 1024 * 1024, path


def test_both_views_count_in_the_shipped_calibration():
    """Each label's probability rises with the linear margin and with the text
    classifier's score: neither view is ignored."""
    model = ClaimModel.load(MODELS)
    assert (model.calibration > 0).all(), model.calibration
    margins = np.zeros((1, len(LABELS)))
    low, high = (
        calibrated_probabilities(
            margins, np.full((1, len(LABELS)), score), model.calibration, model.calibration_bias
        )
        for score in (0.1, 0.9)
    )
    assert (high > low).all()


@pytest.mark.parametrize("broken", ["classifier.npz", "textcat/model", "textcat"])
def test_corrupt_model_is_a_clear_error(tmp_path, broken):
    from scanner.errors import ModelError

    shutil.copy(MODELS / "classifier.json", tmp_path)
    shutil.copy(MODELS / "classifier.npz", tmp_path)
    shutil.copytree(MODELS / "textcat", tmp_path / "textcat")
    if broken == "textcat":
        shutil.rmtree(tmp_path / "textcat")
    else:
        (tmp_path / broken).write_bytes(b"not a model")
    with pytest.raises(ModelError, match="cannot load the classifier"):
        ClaimModel.load(tmp_path)


def test_evaluate_prints_figures(cli):
    result = cli("evaluate", str(MODELS / "heldout.jsonl"))
    assert result.returncode == 0, result.stderr
    for word in ("unapproved_use", "false-positive rate", "core macro-F1"):
        assert word in result.stdout


def test_evaluate_on_custom_file(tmp_path):
    from scanner.evaluate import evaluate_file

    path = tmp_path / "mine.jsonl"
    path.write_text(
        json.dumps(
            {"text": "Our stem cell injections cure knee arthritis.", "labels": ["unapproved_use"]}
        )
        + "\n"
        + json.dumps({"text": "We are open on Saturdays.", "labels": []})
        + "\n"
    )
    figures = evaluate_file(path, Classifier())
    assert figures["labels"]["unapproved_use"]["recall"] == 1.0
    assert figures["false_positive_rate"] == 0.0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "x", "labels": ["bogus"]}\n', "labels must be"),
        ("not json\n", "not JSON"),
        ('{"labels": []}\n', "needs a string"),
    ],
)
def test_evaluate_bad_input(cli, tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    result = cli("evaluate", str(path))
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_evaluate_missing_file(cli, tmp_path):
    assert cli("evaluate", str(tmp_path / "none.jsonl")).returncode == 2


def test_evaluate_bad_model_folder(cli, tmp_path):
    heldout = str(MODELS / "heldout.jsonl")
    missing = cli("evaluate", heldout, "--model", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no model folder" in missing.stderr
    empty = cli("evaluate", heldout, "--model", str(tmp_path))
    assert empty.returncode == 2 and "cannot load the classifier" in empty.stderr
    assert len(empty.stderr.strip().splitlines()) == 1


def test_rulepack_rejects_unknown_citation():
    import yaml

    data = yaml.safe_load((MODELS / "rules.yaml").read_text())
    data["rules"][0]["citation"] = "NOT-A-SOURCE"
    with pytest.raises(RulePackError, match="unknown id"):
        parse_rulepack(data)


def test_rulepack_rejects_unquoted_yaml_boolean():
    import yaml

    data = yaml.safe_load((MODELS / "rules.yaml").read_text())
    data["cues"]["NEGATION"]["phrases"].append(False)
    with pytest.raises(RulePackError, match="quote"):
        parse_rulepack(data)


def test_every_label_and_rule_cites_a_known_source():
    from scanner.rulepack import load_rulepack

    pack = load_rulepack()
    assert set(pack.labels) == set(LABELS)
    for rule in pack.rules:
        assert rule.citation in pack.citations and rule.message
    for citation in pack.citations.values():
        assert citation["url"].startswith("https://") and citation["summary"]


def test_thresholds_share_one_false_positive_budget():
    """Thresholds together flag at most the budget of unlabelled records, and the
    budget goes where it buys F1: the separable label gets full recall."""
    from scanner import train

    rng = np.random.default_rng(0)
    n = 2000
    targets = np.zeros((n, 2), dtype=int)
    targets[:200, 0] = 1  # easy label: positives score high
    targets[200:400, 1] = 1  # hard label: scores overlap with the negatives
    probabilities = np.column_stack(
        [
            np.where(targets[:, 0] == 1, 0.9, 0.2),
            np.where(targets[:, 1] == 1, rng.uniform(0.3, 1.0, n), rng.uniform(0.0, 0.8, n)),
        ]
    )
    thresholds = train._thresholds(probabilities, targets)
    unlabelled = targets.sum(axis=1) == 0
    flagged = (probabilities[unlabelled] >= thresholds).any(axis=1).mean()
    assert flagged <= train.MAX_UNLABELLED_FLAG_RATE
    assert (probabilities[targets[:, 0] == 1, 0] >= thresholds[0]).all()
    assert thresholds[1] < 0.96, "the hard label still gets some of the budget"
