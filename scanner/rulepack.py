"""Load the YAML rule pack that holds citations, label messages, cues and claim rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from scanner.models import MODELS_DIR

LABELS = (
    "unapproved_use",
    "miracle_language",
    "recovery_time",
    "safety_claim",
    "fda_status_claim",
)
CORE_LABELS = LABELS[:3]


@dataclass(frozen=True)
class Rule:
    """A claim rule: ``label`` fires when all ``all`` cues match and no ``none`` cue does."""

    id: str
    label: str
    all: tuple[str, ...]
    none: tuple[str, ...]
    score: float
    message: str
    citation: str


@dataclass
class RulePack:
    """The parsed rule pack."""

    version: str
    citations: dict[str, dict]
    labels: dict[str, dict]
    cues: dict[str, dict]
    rules: list[Rule]
    citation_overrides: list[dict] = field(default_factory=list)

    def citation_for(self, label: str, cue_names: set[str]) -> str:
        """The citation id for ``label``, made more specific by the cues present."""
        for override in self.citation_overrides:
            if override["label"] == label and override["cue"] in cue_names:
                return override["citation"]
        return self.labels[label]["citation"]

    def message_for(self, label: str) -> str:
        """Plain-language reason why wording with ``label`` is a problem."""
        return self.labels[label]["message"].strip()


class RulePackError(ValueError):
    """The rule pack is malformed (unknown label, cue or citation)."""


def parse_rulepack(data: dict) -> RulePack:
    """Validate a rule-pack mapping and build a :class:`RulePack`."""
    citations = data["citations"]
    cues = data["cues"]
    labels = data["labels"]
    if set(labels) != set(LABELS):
        raise RulePackError(f"rule pack labels must be exactly {LABELS}")
    for name, spec in labels.items():
        if spec["citation"] not in citations:
            raise RulePackError(f"label {name} cites unknown id {spec['citation']}")
    for name, spec in cues.items():
        words = spec.get("phrases", [])
        if any(not isinstance(w, str) for w in words):
            raise RulePackError(f"cue {name} has a non-string phrase; quote it in YAML")
    rules = []
    seen_ids = set()
    for raw in data.get("rules", []):
        rule = Rule(
            id=raw["id"],
            label=raw["label"],
            all=tuple(raw["all"]),
            none=tuple(raw.get("none", ())),
            score=float(raw["score"]),
            message=" ".join(raw["message"].split()),
            citation=raw["citation"],
        )
        if rule.id in seen_ids:
            raise RulePackError(f"duplicate rule id {rule.id}")
        seen_ids.add(rule.id)
        if rule.label not in LABELS:
            raise RulePackError(f"rule {rule.id} has unknown label {rule.label}")
        if rule.citation not in citations:
            raise RulePackError(f"rule {rule.id} cites unknown id {rule.citation}")
        unknown = [c for c in rule.all + rule.none if c not in cues]
        if unknown:
            raise RulePackError(f"rule {rule.id} uses unknown cues {unknown}")
        rules.append(rule)
    overrides = data.get("citation_overrides", [])
    for override in overrides:
        if override["citation"] not in citations or override["cue"] not in cues:
            raise RulePackError(f"bad citation override {override}")
    return RulePack(str(data["version"]), citations, labels, cues, rules, overrides)


@lru_cache(maxsize=4)
def load_rulepack(path: str | None = None) -> RulePack:
    """Load the rule pack from ``path`` or the one shipped in ``models/``."""
    text = (
        Path(path).read_text("utf-8")
        if path
        else MODELS_DIR.joinpath("rules.yaml").read_text("utf-8")
    )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
    return parse_rulepack(yaml.load(text, Loader=loader))
