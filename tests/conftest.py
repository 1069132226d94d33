"""Shared test fixtures: the CLI as a subprocess, temporary databases."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str, stdin: str | None = None, cwd: Path | None = None, timeout: float = 180
) -> subprocess.CompletedProcess:
    """Run ``python -m scanner ARGS`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "clinicscan.db"
