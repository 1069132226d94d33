"""Errors the library raises for bad inputs, which the CLI reports as one line."""


class ModelError(RuntimeError):
    """The model files are missing or do not match this version of clinicscan."""
