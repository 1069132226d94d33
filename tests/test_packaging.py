"""The installed package (a real wheel, not the editable checkout) finds its model files."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_wheel_ships_model_rules_corpus_and_templates(tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("clinicscan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "scanner/models/classifier.npz",
        "scanner/models/classifier.json",
        "scanner/models/textcat/model",
        "scanner/models/textcat/cfg",
        "scanner/models/rules.yaml",
        "scanner/models/MODEL_CARD.md",
        "scanner/spiders/site_spider.py",
        "scanner/reports/exports.py",
    ):
        assert required in names, required
    assert any(n.startswith("scanner/models/corpus/") and n.endswith(".jsonl") for n in names)
    assert any(n.startswith("scanner/reports/templates/") for n in names)

    target = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr
    probe = (
        "import scanner.classify as c; import sys; "
        "assert str(c.__file__).startswith(sys.argv[1]), c.__file__; "
        "print(len(c.Classifier().check_text('Our stem cells cure autism.')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(target)],
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 1
