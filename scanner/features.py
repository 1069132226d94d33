"""Turn a cue-marked spaCy Doc (and its lead-in context) into hashed model features.

Features are strings hashed into a fixed-size sparse vector, so the shipped model
is a weight table with no vocabulary to store: word unigrams and bigrams, the cues
present, cue pairs, negation scope, and the cues and words of the context.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher
from spacy.tokens import Doc

N_FEATURES = 2**18

# Cues whose co-occurrence is informative (e.g. PRODUCT with CONDITION, TIME with RESULT).
PAIR_CUES = (
    "PRODUCT",
    "CONDITION",
    "HYPE",
    "TIME_PROMISE",
    "RESULT_VERB",
    "OFFER",
    "FIRST_PERSON",
    "NEGATION",
    "ATTRIBUTION",
    "REGULATOR",
    "HEDGE",
    "STUDY_SCHEDULE",
    "APPROVED_CONTEXT",
    "FDA_ASSURANCE",
    "ABSOLUTE_SAFETY",
    "DISCLAIMER",
    "OWN_CELLS",
)
# Cues a preceding negation can reverse.
NEGATABLE_CUES = (
    "HYPE",
    "PRODUCT",
    "RESULT_VERB",
    "TIME_PROMISE",
    "ABSOLUTE_SAFETY",
    "FDA_ASSURANCE",
    "CONDITION",
)
NEGATION_WINDOW = 6

_hasher = FeatureHasher(n_features=N_FEATURES, input_type="string", alternate_sign=False)


def _norm(token) -> str:
    if token.like_num:
        return "<num>"
    return token.lower_.replace("’", "'")


def doc_features(doc: Doc, context: Doc | None = None, kind: str = "paragraph") -> list[str]:
    """Feature strings for one segment ``doc`` judged under ``context``."""
    words = [_norm(t) for t in doc if not t.is_space and not (t.is_punct and t.text not in "?!%")]
    feats = [f"w={w}" for w in words]
    feats += [f"b={a}|{b}" for a, b in zip(words, words[1:], strict=False)]
    if words:
        feats.append(f"first={words[0]}")
    cues = doc._.cues or {}
    present = sorted(cues)
    feats += [f"cue={name}" for name in present]
    paired = [c for c in PAIR_CUES if c in cues]
    feats += [f"pair={a}+{b}" for a, b in combinations(paired, 2)]
    for negation_start, _ in cues.get("NEGATION", ()):
        for name in NEGATABLE_CUES:
            for start, _end in cues.get(name, ()):
                if 0 < start - negation_start <= NEGATION_WINDOW:
                    feats.append(f"neg>{name}")
    n = len(words)
    feats.append(f"len={'1-3' if n <= 3 else '4-8' if n <= 8 else '9-20' if n <= 20 else '21+'}")
    feats.append(f"kind={kind}")
    if doc.text.rstrip().endswith("?"):
        feats.append("question")
    if context is not None:
        feats.append("has_context")
        ctx_cues = context._.cues or {}
        feats += [f"ctx_w={_norm(t)}" for t in context if not t.is_punct and not t.is_space]
        feats += [f"ctx_cue={name}" for name in sorted(ctx_cues)]
        feats += [f"ctx_cue={c}&cue={d}" for c in sorted(ctx_cues) for d in present]
        if n <= 8:
            feats += [f"short&ctx_cue={c}" for c in sorted(ctx_cues)]
    return feats


def hash_features(feature_lists: list[list[str]]) -> sparse.csr_matrix:
    """Hash feature-string lists into a CSR matrix of shape (n, N_FEATURES)."""
    if not feature_lists:
        return sparse.csr_matrix((0, N_FEATURES), dtype=np.float64)
    return _hasher.transform(feature_lists).tocsr()
