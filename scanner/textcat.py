"""The second view of a segment: spaCy's bag-of-n-grams text classifier.

The linear model (``scanner.features``) reads normalised words, cues and the
context's cues. This component reads the raw token unigrams and bigrams (case and
punctuation kept) of the lead-in and the segment together, and is trained with
spaCy's own optimiser. The two make different mistakes, so ``scanner.train``
combines their scores per label with a small logistic regression.

Saved with spaCy's own serialisation (JSON config and msgpack weights), which
cannot run code.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import spacy
from spacy.attrs import ORTH
from spacy.pipeline import TextCategorizer
from spacy.pipeline.textcat_multilabel import MultiLabel_TextCategorizer
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch, registry
from spacy.vocab import Vocab

from scanner.features import PLAIN_QUOTES
from scanner.rulepack import LABELS

TEXTCAT_DIR = "textcat"
PIPE_NAME = "textcat_multilabel"
MODEL_CONFIG = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": False,
    "ngram_size": 2,
    "no_output_layer": False,
    "length": 2**17,
    "nO": None,
}
EPOCHS = 8
BATCH_SIZE = 32
DROPOUT = 0.2
# Everything that shapes the trained weights (recorded in the model's metadata and
# its version hash).
TEXTCAT_SETTINGS = {
    "model": MODEL_CONFIG,
    "epochs": EPOCHS,
    "batch_size": BATCH_SIZE,
    "dropout": DROPOUT,
}
# Between a list item's lead-in and the item, so n-grams do not join the two.
CONTEXT_SEPARATOR = " » "


def textcat_input(text: str, context: str | None) -> str:
    """The text the component reads: the lead-in (if any), a separator, the segment."""
    return f"{context}{CONTEXT_SEPARATOR}{text}" if context else text


def _cats(row: np.ndarray) -> dict[str, float]:
    return {label: float(value) for label, value in zip(LABELS, row, strict=True)}


def train_textcat(texts: list[str], targets: np.ndarray, seed: int) -> TextCategorizer:
    """Train on ``texts`` (see :func:`textcat_input`) with 0/1 ``targets`` per label;
    the same inputs and seed give the same weights."""
    fix_random_seed(seed)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(PIPE_NAME, config={"model": MODEL_CONFIG})
    for label in LABELS:
        textcat.add_label(label)
    examples = [
        Example.from_dict(nlp.make_doc(text.translate(PLAIN_QUOTES)), {"cats": _cats(row)})
        for text, row in zip(texts, targets, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples)
    order = random.Random(seed)
    for _ in range(EPOCHS):
        order.shuffle(examples)
        for batch in minibatch(examples, size=BATCH_SIZE):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer)
    return textcat


def _token_keys(doc: Doc) -> np.ndarray:
    """Each token's ORTH id, with typographic quotes read as plain ones."""
    if doc.text.translate(PLAIN_QUOTES) == doc.text:
        return doc.to_array(ORTH)
    return np.array(
        [get_string_id(token.text.translate(PLAIN_QUOTES)) for token in doc], dtype=np.uint64
    )


def textcat_scores(textcat: TextCategorizer, docs: list[Doc]) -> np.ndarray:
    """Scores in [0, 1], shape (len(docs), len(LABELS)).

    The same scores as ``textcat.predict(docs)`` (tested), with typographic quotes
    read as plain ones as in training, computed for the whole batch at once: spaCy
    extracts and counts each Doc's n-grams separately, which costs more than the
    model itself. A repeated n-gram is passed once per occurrence instead of once
    with its count, which the linear layer sums the same.
    """
    layers = {layer.name: layer for layer in textcat.model.walk()}
    tokens = [_token_keys(doc) for doc in docs]
    unigrams = np.concatenate(tokens).astype(np.uint64) if docs else np.zeros(0, np.uint64)
    owner = np.repeat(np.arange(len(docs)), [len(t) for t in tokens])
    same_doc = owner[:-1] == owner[1:]
    bigrams = textcat.model.ops.ngrams(2, unigrams)[same_doc] if same_doc.any() else unigrams[:0]
    keys = np.concatenate([unigrams, bigrams])
    owners = np.concatenate([owner, owner[:-1][same_doc]])
    by_doc = np.argsort(owners, kind="stable")
    lengths = np.bincount(owners, minlength=len(docs)).astype(np.int32)
    counts = np.ones(len(keys), dtype=np.float32)
    sums = layers["resizable(sparse_linear)"].predict((keys[by_doc], counts, lengths))
    return np.asarray(layers["logistic"].predict(sums), dtype=np.float64)


def score_texts(textcat: TextCategorizer, texts: list[str]) -> np.ndarray:
    """:func:`textcat_scores` of plain strings (tokenised as the classifier does)."""
    make_doc = spacy.blank("en").make_doc
    return textcat_scores(textcat, [make_doc(text) for text in texts])


def save_textcat(textcat: TextCategorizer, directory: Path) -> None:
    """Write the trained component to ``directory/textcat``."""
    textcat.to_disk(Path(directory) / TEXTCAT_DIR, exclude=["vocab"])


def load_textcat(directory: Path) -> TextCategorizer:
    """Read a component written by :func:`save_textcat` (its labels come from its
    ``cfg``). Built without a Language: a blank English pipeline takes 0.2 s to make."""
    model = registry.resolve({"model": MODEL_CONFIG})["model"]
    textcat = MultiLabel_TextCategorizer(Vocab(), model, PIPE_NAME, threshold=0.5)
    return textcat.from_disk(Path(directory) / TEXTCAT_DIR, exclude=["vocab"])
