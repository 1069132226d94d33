"""The spaCy pipeline: a blank English tokenizer plus a cue-marking component.

Cues come from the rule pack: word lists become PhraseMatcher patterns (matched on
lower-cased tokens) and token patterns become Matcher patterns. The component
stores, on each Doc, a mapping from cue name to the token spans where it matched.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

from scanner.rulepack import RulePack, load_rulepack

if not Doc.has_extension("cues"):
    Doc.set_extension("cues", default=None)


def pattern_anchor(pattern: list[dict]) -> set[str] | None:
    """Lower-case words of which one must occur for ``pattern`` to match: those of its
    last required token that tests LOWER. None if no token gives such a set."""
    anchor = None
    for token in pattern:
        lower = token.get("LOWER")
        if token.get("OP", "1") not in ("1", "+") or lower is None:
            continue
        if isinstance(lower, str):
            anchor = {lower}
        elif isinstance(lower, dict) and set(lower) == {"IN"}:
            anchor = {str(word) for word in lower["IN"]}
    return anchor


class CueMarker:
    """spaCy component: ``doc._.cues = {cue_name: [(start_token, end_token), ...]}``.

    The token-pattern Matcher, the costly part, only runs on docs that contain an
    anchor word of at least one pattern (see :func:`pattern_anchor`).
    """

    def __init__(self, nlp: Language, rulepack: RulePack):
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.patterns = Matcher(nlp.vocab)
        anchors: set[str] | None = set()
        for name, spec in rulepack.cues.items():
            if spec.get("phrases"):
                phrases = {str(p) for p in spec["phrases"]}
                phrases |= {p.replace("'", "’") for p in phrases}  # web text curls apostrophes
                self.phrases.add(name, list(nlp.tokenizer.pipe(sorted(phrases))))
            for pattern in spec.get("patterns") or ():
                self.patterns.add(name, [pattern])
                anchor = pattern_anchor(pattern)
                anchors = None if anchor is None or anchors is None else anchors | anchor
        strings = nlp.vocab.strings
        self.anchors = None if anchors is None else {strings.add(w.lower()) for w in anchors}

    def __call__(self, doc: Doc) -> Doc:
        cues: dict[str, list[tuple[int, int]]] = {}
        strings = doc.vocab.strings
        for match_id, start, end in self.phrases(doc):
            cues.setdefault(strings[match_id], []).append((start, end))
        if self.anchors is None or not self.anchors.isdisjoint(doc.to_array(LOWER).tolist()):
            for match_id, start, end in self.patterns(doc):
                cues.setdefault(strings[match_id], []).append((start, end))
        doc._.cues = cues
        return doc


@Language.factory("clinicscan_cues", default_config={"rulepack_path": None})
def make_cue_marker(nlp: Language, name: str, rulepack_path: str | None) -> CueMarker:
    """spaCy factory for :class:`CueMarker` (``rulepack_path`` None: the shipped pack)."""
    return CueMarker(nlp, load_rulepack(rulepack_path))


@lru_cache(maxsize=2)
def build_nlp(rulepack_path: str | None = None) -> Language:
    """A blank English pipeline with the cue marker of the given rule pack."""
    nlp = spacy.blank("en")
    nlp.add_pipe("clinicscan_cues", config={"rulepack_path": rulepack_path})
    return nlp
