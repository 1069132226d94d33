"""The benchmark scripts run end to end on tiny sizes and print their ratio lines.

No timing is asserted: the figures live in the benchmark output and
benchmarks/README.md. This only checks that ``make bench`` would work.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

EXPECTED = [
    "crawl ratio pipeline/bare = ",
    "check throughput = ",
    "load time = ",
    "memory ratio ",
    "time per page ratio ",
    "report+export time = ",
]


@pytest.mark.slow
def test_run_all_tiny_prints_every_ratio(tmp_path):
    completed = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run_all.py"),
            "--tiny",
            "--workdir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=REPO,
    )
    output = completed.stdout
    assert completed.returncode == 0, output[-3000:] + completed.stderr[-3000:]
    figures = output.split("=== figures", 1)[-1]
    for expected in EXPECTED:
        assert any(line.startswith(expected) for line in figures.splitlines()), (
            f"no line starting {expected!r} in:\n{figures}"
        )
    assert (tmp_path / "crawl.db").is_file()


def test_bare_spider_follows_only_in_site_links_and_obeys_robots(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from sitegen import generate

    from scanner.localsites import serve_folders

    folders = generate(tmp_path / "sites", sites=1, pages=8, seed=1)
    site = serve_folders(folders)[0]
    try:
        seeds = tmp_path / "seeds.txt"
        seeds.write_text(f"{site.origin}/\n")
        completed = subprocess.run(
            [sys.executable, str(REPO / "benchmarks" / "bare_spider.py"), "--seeds", str(seeds)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=REPO,
        )
    finally:
        site.stop()
    assert completed.returncode == 0, completed.stderr[-3000:]
    # 8 pages plus "/" (the same page as /index.html); /private/ is disallowed by
    # robots.txt and /privacy.html answers 404, so neither counts.
    assert completed.stdout.startswith("pages 9 seconds "), completed.stdout


def test_generated_sites_are_deterministic_and_digit_free(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from sitegen import generate

    first = generate(tmp_path / "a", sites=2, pages=12, seed=3)
    second = generate(tmp_path / "b", sites=2, pages=12, seed=3)
    for a, b in zip(first, second, strict=True):
        pages_a = sorted(p.relative_to(a) for p in a.rglob("*.html"))
        assert pages_a == sorted(p.relative_to(b) for p in b.rglob("*.html"))
        assert len([p for p in pages_a if p.parts[0] != "private"]) == 12
        assert not any(ch.isdigit() for p in pages_a for ch in str(p))
        for page in pages_a:
            assert (a / page).read_bytes() == (b / page).read_bytes()
        assert "Disallow: /private/" in (a / "robots.txt").read_text()
