"""Data package: the rule pack, trained classifier, training corpus and model card."""

from importlib.resources import files

MODELS_DIR = files(__name__)
