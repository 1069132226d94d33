"""Turn a cue-marked spaCy Doc (and its lead-in context) into hashed model features.

Features are strings hashed (CRC-32, stable across processes and platforms) into a
fixed-size index space, so the shipped model is a weight table with no vocabulary to
store: word unigrams, bigrams and stems (first letters of long words), the cues
present, cue pairs, negation scope, and the cues and words of the context.
"""

from __future__ import annotations

import zlib
from itertools import combinations

import numpy as np
from spacy.attrs import ORTH
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
    "TREATS",
    "BODY_PART",
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
    "TREATS",
)
NEGATION_WINDOW = 6
# Long words also count by their first letters, so "regenerating" shares weight with
# "regeneration" and "remarkably" with "remarkable".
STEM_LENGTH = 5
# Typographic quotes read as their plain forms ("won’t" and "won't" are one word).
PLAIN_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


# Per lexeme (by ORTH id): (normalised word, kept as a segment word, kept as a
# context word). Lexical attributes depend on the word alone, so this is computed
# once per distinct word instead of once per token.
_LEXEME_CACHE: dict[int, tuple[str, bool, bool]] = {}
_LEXEME_CACHE_SIZE = 200_000


def _lexemes(doc: Doc) -> list[tuple[str, bool, bool]]:
    """(norm, is segment word, is context word) for each token of ``doc``."""
    cache = _LEXEME_CACHE
    if len(cache) > _LEXEME_CACHE_SIZE:
        cache.clear()
    vocab = doc.vocab
    out = []
    for orth in doc.to_array(ORTH).tolist():
        entry = cache.get(orth)
        if entry is None:
            lexeme = vocab[orth]
            norm = "<num>" if lexeme.like_num else lexeme.lower_.translate(PLAIN_QUOTES)
            skip = lexeme.is_space or lexeme.is_punct
            word = not lexeme.is_space and not (lexeme.is_punct and lexeme.orth_ not in "?!%")
            entry = cache[orth] = (norm, word, not skip)
        out.append(entry)
    return out


def doc_features(
    doc: Doc, context: Doc | None = None, kind: str = "paragraph", text: str | None = None
) -> list[str]:
    """Feature strings for one segment ``doc`` (whose text is ``text``, if known) judged
    under ``context``."""
    words = [norm for norm, is_word, _ in _lexemes(doc) if is_word]
    feats = [f"w={w}" for w in words]
    feats += [f"b={a}|{b}" for a, b in zip(words, words[1:], strict=False)]
    feats += [f"s={w[:STEM_LENGTH]}" for w in words if len(w) >= STEM_LENGTH + 2]
    if words:
        feats.append(f"first={words[0]}")
    cues = doc._.cues or {}
    present = sorted(cues)
    feats += [f"cue={name}" for name in present]
    feats += [f"pair={pair}" for pair in _cue_pairs(cues)]
    for negation_start, _ in cues.get("NEGATION", ()):
        for name in NEGATABLE_CUES:
            for start, _end in cues.get(name, ()):
                if 0 < start - negation_start <= NEGATION_WINDOW:
                    feats.append(f"neg>{name}")
    feats += [f"quoted>{name}" for name in _quoted_cues(cues)]
    n = len(words)
    feats.append(f"len={'1-3' if n <= 3 else '4-8' if n <= 8 else '9-20' if n <= 20 else '21+'}")
    feats.append(f"kind={kind}")
    if (doc.text if text is None else text).rstrip().endswith("?"):
        feats.append("question")
    if context is not None:
        feats.append("has_context")
        ctx_cues = context._.cues or {}
        feats += [f"ctx_w={norm}" for norm, _, is_word in _lexemes(context) if is_word]
        feats += [f"ctx_cue={name}" for name in sorted(ctx_cues)]
        feats += [f"ctx_pair={pair}" for pair in _cue_pairs(ctx_cues)]
        feats += [f"ctx_cue={c}&cue={d}" for c in sorted(ctx_cues) for d in present]
        if n <= 8:
            feats += [f"short&ctx_cue={c}" for c in sorted(ctx_cues)]
    return feats


# Feature string -> hashed index, for the strings seen most recently (words and
# cues repeat across segments, and a dict lookup is cheaper than CRC-32).
_INDEX_CACHE: dict[str, int] = {}
_INDEX_CACHE_SIZE = 50_000


def feature_index(feature: str) -> int:
    """The hashed index of one feature string (CRC-32 of its UTF-8, masked)."""
    return zlib.crc32(feature.encode("utf-8")) & (N_FEATURES - 1)


def _cue_pairs(cues: dict) -> list[str]:
    """ "A+B" for each pair of PAIR_CUES present, in PAIR_CUES order."""
    present = [name for name in PAIR_CUES if name in cues]
    return [f"{a}+{b}" for a, b in combinations(present, 2)]


def _quoted_cues(cues: dict) -> list[str]:
    """Names of the cues that sit between a pair of quotation marks: words mentioned
    (a regulator quoting "completely safe"), not used."""
    marks = sorted(start for start, _ in cues.get("QUOTATION", ()))
    spans = list(zip(marks[::2], marks[1::2], strict=False))
    if not spans:
        return []
    return sorted(
        {
            name
            for name in NEGATABLE_CUES
            for start, end in cues.get(name, ())
            if any(open_ < start and end <= close for open_, close in spans)
        }
    )


def hash_features(feature_lists: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """CSR-style (indptr, indices) of the hashed features; a repeated feature repeats."""
    cache = _INDEX_CACHE
    if len(cache) > _INDEX_CACHE_SIZE:
        cache.clear()
    indptr = np.zeros(len(feature_lists) + 1, dtype=np.int64)
    indices: list[int] = []
    for row, features in enumerate(feature_lists):
        for feature in features:
            index = cache.get(feature)
            if index is None:
                index = cache[feature] = feature_index(feature)
            indices.append(index)
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
