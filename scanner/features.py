"""Turn a cue-marked spaCy Doc (and its lead-in context) into hashed model features.

Features are strings hashed (CRC-32, stable across processes and platforms) into a
fixed-size index space, so the shipped model is a weight table with no vocabulary to
store: word unigrams and bigrams, the cues
present, cue pairs, negation scope, and the cues and words of the context.
"""

from __future__ import annotations

import zlib
from itertools import combinations

import numpy as np
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


def hash_features(feature_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """CSR-style (indptr, indices) of the hashed features; a repeated feature repeats."""
    mask = N_FEATURES - 1
    indptr = np.zeros(len(feature_lists) + 1, dtype=np.int64)
    indices = []
    for row, features in enumerate(feature_lists):
        indices.extend(zlib.crc32(f.encode("utf-8")) & mask for f in features)
        indptr[row + 1] = len(indices)
    return indptr, np.asarray(indices, dtype=np.int64)


def feature_matrix(feature_lists: list[list[str]]):
    """Hashed features as a SciPy CSR matrix of counts (for training)."""
    from scipy import sparse

    indptr, indices = hash_features(feature_lists)
    data = np.ones(len(indices), dtype=np.float64)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(feature_lists), N_FEATURES))
    matrix.sum_duplicates()
    return matrix
