"""The spaCy text classifier view: what it reads, and its batched scores."""

from __future__ import annotations

import numpy as np
import spacy

from scanner.corpus import read_corpus
from scanner.features import PLAIN_QUOTES
from scanner.rulepack import LABELS
from scanner.textcat import load_textcat, textcat_input, textcat_scores
from tests.conftest import REPO

MODELS = REPO / "models"


def test_list_item_is_read_with_its_lead_in():
    assert textcat_input("Parkinson's disease", None) == "Parkinson's disease"
    joined = textcat_input("Parkinson's disease", "We treat with stem cells:")
    assert joined.startswith("We treat with stem cells:") and joined.endswith("disease")
    tokens = [t.text for t in spacy.blank("en").make_doc(joined)]
    assert "»" in tokens, "the separator is a token of its own, so no bigram spans the two"


def test_batched_scores_equal_spacys_own_prediction():
    """The batched n-gram extraction gives spaCy's scores, including one-token
    segments and repeated n-grams."""
    textcat = load_textcat(MODELS)
    make_doc = spacy.blank("en").make_doc
    texts = [r["text"] for r in read_corpus(MODELS / "corpus")[::40]]
    texts += ["Stem", "stem cells stem cells stem cells", "FDA FDA FDA approved approved"]
    docs = [make_doc(text) for text in texts]
    ours = textcat_scores(textcat, docs)
    assert ours.shape == (len(docs), len(LABELS))
    # spaCy reads typographic quotes as they are; training gives it plain ones.
    plain = [make_doc(text.translate(PLAIN_QUOTES)) for text in texts]
    np.testing.assert_allclose(ours, textcat.predict(plain), atol=1e-5)


def test_typographic_quotes_read_as_plain_ones():
    """Web pages curl their apostrophes; "won’t" scores as "won't" does."""
    textcat = load_textcat(MODELS)
    make_doc = spacy.blank("en").make_doc
    curly = "Injecting stem cells won’t cure blindness, “yet”, says Dr. O’Neil."
    plain = "Injecting stem cells won't cure blindness, \"yet\", says Dr. O'Neil."
    ours = textcat_scores(textcat, [make_doc(curly)])
    np.testing.assert_allclose(ours, textcat_scores(textcat, [make_doc(plain)]))
    np.testing.assert_allclose(ours, textcat.predict([make_doc(plain)]), atol=1e-5)


def test_batched_scores_take_empty_batches_and_empty_docs():
    textcat = load_textcat(MODELS)
    make_doc = spacy.blank("en").make_doc
    assert textcat_scores(textcat, []).shape == (0, len(LABELS))
    scores = textcat_scores(textcat, [make_doc(""), make_doc("Knee pain"), make_doc("")])
    assert scores.shape == (3, len(LABELS)) and np.isfinite(scores).all()
    np.testing.assert_allclose(scores[0], scores[2])
