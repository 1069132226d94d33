"""Text in, findings out: the only place that loads the trained model and rule pack.

A segment is judged twice: by the trained model (one calibrated probability per
label from two views, a linear model over hashed features and spaCy's
bag-of-n-grams text classifier) and by the rule pack's high-precision claim rules.
A label is a finding when the model's probability reaches that label's threshold
or a rule fires; the finding records which rule or model decided.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass
from itertools import islice
from pathlib import Path

import numpy as np
from spacy.pipeline import TextCategorizer
from spacy.tokens import Doc

from scanner.cues import build_nlp
from scanner.errors import ModelError
from scanner.features import N_FEATURES, doc_features, hash_features
from scanner.models import MODEL_FILE, MODEL_META_FILE, MODELS_DIR
from scanner.rulepack import LABELS, RulePack, load_rulepack
from scanner.segment import Segment, segment_plain_text
from scanner.textcat import load_textcat, save_textcat, textcat_input, textcat_scores

# How many distinct segments' verdicts a classifier remembers.
CACHE_SIZE = 100_000
# Findings whose score is within this margin above the threshold are "needs review".
REVIEW_MARGIN = 0.15
# The statistical model's stable rule id for each label.
MODEL_RULE_IDS = {label: f"CSM-{label.upper().replace('_', '-')}" for label in LABELS}


@dataclass(frozen=True)
class Finding:
    """One label on one sentence. Offsets index the text the sentence came from."""

    label: str
    sentence: str
    start: int
    end: int
    score: float
    rule: str
    citation: str
    message: str
    needs_review: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def textcat_logits(scores: np.ndarray) -> np.ndarray:
    """The text classifier's scores as logits (clipped, so 0 and 1 stay finite): the
    calibration's second input."""
    clipped = np.clip(scores, 1e-6, 1 - 1e-6)
    return np.log(clipped / (1 - clipped))


def calibrated_probabilities(
    margins: np.ndarray,
    textcat_scores: np.ndarray,
    calibration: np.ndarray,
    calibration_bias: np.ndarray,
) -> np.ndarray:
    """Per-label probabilities from the two views: a logistic regression over the linear
    model's margin and the logit of spaCy's text-classifier score."""
    logits = textcat_logits(textcat_scores)
    z = calibration[:, 0] * margins + calibration[:, 1] * logits + calibration_bias
    return 1.0 / (1.0 + np.exp(-z))


@dataclass
class ClaimModel:
    """The trained model: a linear model over hashed features and spaCy's
    bag-of-n-grams text classifier, combined per label by a calibration and
    compared with a decision threshold."""

    weights: np.ndarray  # (N_FEATURES, n_labels) float32
    intercept: np.ndarray
    calibration: np.ndarray  # (n_labels, 2): weight of the margin and of the textcat logit
    calibration_bias: np.ndarray
    thresholds: np.ndarray
    textcat: TextCategorizer
    meta: dict

    def probabilities(self, indptr: np.ndarray, indices: np.ndarray, docs: list[Doc]) -> np.ndarray:
        """Calibrated probabilities, shape (n_rows, n_labels), from hashed features and
        the Docs the text classifier reads (see ``textcat_input``).

        Every row has at least one feature, so ``reduceat`` sums each row's weights.
        """
        margins = np.add.reduceat(self.weights[indices], indptr[:-1], axis=0) + self.intercept
        scores = textcat_scores(self.textcat, docs)
        return calibrated_probabilities(margins, scores, self.calibration, self.calibration_bias)

    def save(self, directory: Path) -> None:
        """Write ``classifier.npz`` (byte-for-byte reproducible), ``classifier.json`` and
        the text classifier's folder."""
        arrays = {
            "intercept": self.intercept.astype(np.float64),
            "calibration": self.calibration.astype(np.float64),
            "calibration_bias": self.calibration_bias.astype(np.float64),
            "thresholds": self.thresholds.astype(np.float64),
        }
        for i, label in enumerate(LABELS):
            column = self.weights[:, i]
            index = np.flatnonzero(column).astype(np.int32)
            arrays[f"index_{label}"] = index
            arrays[f"weight_{label}"] = column[index].astype(np.float32)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(arrays):
                member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                member.compress_type = zipfile.ZIP_DEFLATED
                data = io.BytesIO()
                np.lib.format.write_array(data, arrays[name], allow_pickle=False)
                archive.writestr(member, data.getvalue())
        (directory / MODEL_FILE).write_bytes(buffer.getvalue())
        (directory / MODEL_META_FILE).write_text(
            json.dumps(self.meta, indent=2, sort_keys=True) + "\n", "utf-8"
        )
        save_textcat(self.textcat, directory)

    @classmethod
    def load(cls, directory: Path | None = None) -> ClaimModel:
        """Load from ``directory`` (default: the model shipped in ``models/``)."""
        base = Path(directory) if directory else Path(str(MODELS_DIR))
        try:
            meta = json.loads((base / MODEL_META_FILE).read_text("utf-8"))
            with np.load(base / MODEL_FILE, allow_pickle=False) as arrays:
                weights = np.zeros((N_FEATURES, len(LABELS)), dtype=np.float32)
                for i, label in enumerate(LABELS):
                    weights[arrays[f"index_{label}"], i] = arrays[f"weight_{label}"]
                return cls(
                    weights,
                    arrays["intercept"],
                    arrays["calibration"],
                    arrays["calibration_bias"],
                    arrays["thresholds"],
                    load_textcat(base),
                    meta,
                )
        except (OSError, KeyError, ValueError) as error:
            raise ModelError(f"cannot load the classifier from {base}: {error}") from error

    @property
    def version(self) -> str:
        return self.meta["version"]


class Classifier:
    """Classify segments of text into findings."""

    def __init__(self, model: ClaimModel | None = None, rulepack_path: str | None = None):
        self.rulepack: RulePack = load_rulepack(rulepack_path)
        self.nlp = build_nlp(rulepack_path)
        self.model = model or ClaimModel.load()
        self._cache: dict[int, tuple] = {}

    def check_text(self, text: str) -> list[Finding]:
        """Findings in free text; offsets index ``text``."""
        return [f for group in self.classify(segment_plain_text(text)) for f in group]

    def classify(self, segments: list[Segment]) -> list[list[Finding]]:
        """Findings for each segment, in order. Identical segments are judged once.

        Verdicts are remembered (navigation and footers repeat on every page) under
        the 64-bit hash of (text, context, kind), so the memory holds no text; when
        it is full, the oldest half is forgotten before new verdicts go in.
        """
        keys = [hash((s.text, s.context, s.kind)) for s in segments]
        verdicts: dict[int, tuple] = {}
        todo: dict[int, Segment] = {}
        for key, segment in zip(keys, segments, strict=True):
            if key not in verdicts and key not in todo:
                cached = self._cache.get(key)
                if cached is None:
                    todo[key] = segment
                else:
                    verdicts[key] = cached
        if todo:
            verdicts.update(zip(todo, self._judge(list(todo.values())), strict=True))
            if len(self._cache) + len(todo) > CACHE_SIZE:
                for old in list(islice(self._cache, len(self._cache) // 2 + len(todo))):
                    del self._cache[old]
            self._cache.update((k, verdicts[k]) for k in todo)
        return [
            [
                Finding(label, s.text, s.start, s.end, score, rule, citation, message, review)
                for label, score, rule, citation, message, review in verdicts[key]
            ]
            for s, key in zip(segments, keys, strict=True)
        ]

    def _judge(self, segments: list[Segment]) -> list[tuple]:
        docs = list(self.nlp.pipe(s.text for s in segments))
        contexts = {s.context for s in segments if s.context}
        context_docs = dict(zip(contexts, self.nlp.pipe(contexts), strict=True))
        feature_lists = [
            doc_features(doc, context_docs.get(s.context), s.kind, s.text)
            for doc, s in zip(docs, segments, strict=True)
        ]
        # The text classifier reads a list item together with its lead-in.
        textcat_docs = [
            self.nlp.make_doc(textcat_input(s.text, s.context)) if s.context else doc
            for doc, s in zip(docs, segments, strict=True)
        ]
        probabilities = self.model.probabilities(*hash_features(feature_lists), textcat_docs)
        return [self._verdicts(doc, row) for doc, row in zip(docs, probabilities, strict=True)]

    def _verdicts(self, doc: Doc, probabilities: np.ndarray) -> tuple:
        cue_names = set(doc._.cues)
        fired = fired_rules(self.rulepack, doc)
        verdicts = []
        for i, label in enumerate(LABELS):
            probability = float(probabilities[i])
            threshold = float(self.model.thresholds[i])
            rule = fired.get(label)
            if probability >= threshold:
                review = probability < min(threshold + REVIEW_MARGIN, 0.999)
                verdicts.append(
                    (
                        label,
                        round(probability, 4),
                        MODEL_RULE_IDS[label],
                        self.rulepack.citation_for(label, cue_names),
                        self.rulepack.message_for(label),
                        review,
                    )
                )
            elif rule is not None:
                verdicts.append(
                    (
                        label,
                        round(max(probability, rule.score), 4),
                        rule.id,
                        rule.citation,
                        rule.message,
                        False,
                    )
                )
        return tuple(verdicts)


def fired_rules(rulepack: RulePack, doc: Doc) -> dict:
    """Rules whose required cues match ``doc`` and whose excluding cues do not.

    An excluding cue that overlaps a required cue's match does not count, so the
    "no" inside "no side effects" does not veto the safety rule.
    """
    cues = doc._.cues or {}
    fired = {}
    for rule in rulepack.rules:
        if not all(name in cues for name in rule.all):
            continue
        required_tokens = {
            t for name in rule.all for start, end in cues[name] for t in range(start, end)
        }
        vetoed = any(
            not required_tokens.intersection(range(start, end))
            for name in rule.none
            for start, end in cues.get(name, ())
        )
        if not vetoed and rule.label not in fired:
            fired[rule.label] = rule
    return fired
