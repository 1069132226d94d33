"""Data package: the rule pack, trained classifier, training corpus and model card."""

import json
from importlib.resources import files
from pathlib import Path

MODELS_DIR = files(__name__)
MODEL_FILE = "classifier.npz"
MODEL_META_FILE = "classifier.json"


def shipped_versions(rulepack_path: str | None = None) -> dict:
    """Model and rule-pack versions, read without loading spaCy or the weights."""
    from scanner.rulepack import load_rulepack

    meta = json.loads((Path(str(MODELS_DIR)) / MODEL_META_FILE).read_text("utf-8"))
    return {"model_version": meta["version"], "rules_version": load_rulepack(rulepack_path).version}
