"""Issue 4, "never lose work": a crawl stopped by Ctrl-C or kill -9 resumes when the same
command is run again, with every page stored once, nothing refetched, nothing doubled."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from fixture_sites import CLAIM, SiteFarm, html, links, rows
from warcio.archiveiterator import ArchiveIterator

from scanner.store import Store

PAGES = 60


def slow_page(handler):
    time.sleep(0.05)
    return html(f"<p>Page {handler.path} about knee care.</p><footer>{CLAIM}</footer>")


def crawl_command(site, db) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scanner",
        "crawl",
        site.url("/"),
        "--db",
        str(db),
        "--allow-private",
        "--delay",
        "0",
        "--no-progress",
        "--warc",
        str(db.parent / "warc"),
    ]


def stored_urls(db) -> set[str]:
    """URLs with a committed capture, read while the crawl may still be writing."""
    if not db.exists():
        return set()
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return {row[0] for row in connection.execute("SELECT requested_url FROM captures")}
    except sqlite3.OperationalError:  # tables not created yet
        return set()
    finally:
        connection.close()


def interrupt_midway(site, db, sig: int) -> subprocess.CompletedProcess:
    """Start a crawl, send ``sig`` once a few pages are stored, wait for it to end."""
    process = subprocess.Popen(
        crawl_command(site, db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while len(stored_urls(db)) < 5 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(sig)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.fixture
def slow_site():
    with SiteFarm() as farm:
        yield farm({"/": html(links(*(f"/p/{i}" for i in range(PAGES))))}, fallback=slow_page)


def check_resumed_run(site, db, before: set[str]) -> None:
    """Run the same command again: it resumes the run and completes it exactly once."""
    (run,) = rows(db, "SELECT id FROM runs")
    rerun = subprocess.run(crawl_command(site, db), capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"run {run['id']} finished (resumed)" in rerun.stderr
    assert rows(db, "SELECT id, status FROM runs") == [{"id": run["id"], "status": "finished"}]
    expected = {site.url("/")} | {site.url(f"/p/{i}") for i in range(PAGES)}
    captured = rows(db, "SELECT requested_url, skip_reason FROM captures")
    assert sorted(c["requested_url"] for c in captured) == sorted(expected)
    assert all(c["skip_reason"] is None for c in captured)
    for url in before:
        assert site.hits(url.removeprefix(site.origin)) == 1, f"{url} fetched again"
    findings = rows(db, "SELECT label, sentence FROM findings")
    assert findings and len(findings) == len({(f["label"], f["sentence"]) for f in findings})
    footer = rows(
        db,
        "SELECT COUNT(*) AS n, COUNT(DISTINCT p.capture_id) AS pages "
        "FROM finding_pages p JOIN findings f ON f.id = p.finding_id "
        "WHERE f.sentence = ? GROUP BY f.id",
        [CLAIM],
    )
    assert footer and all(f == {"n": PAGES, "pages": PAGES} for f in footer)
    assert warc_urls(db.parent / "warc") == expected


def warc_urls(warc_dir) -> set[str]:
    """Target URLs of the response records; the file must read to its end."""
    (path,) = warc_dir.glob("*.warc.gz")
    with open(path, "rb") as handle:
        return {
            record.rec_headers.get_header("WARC-Target-URI")
            for record in ArchiveIterator(handle)
            if record.rec_type == "response"
        }


def test_ctrl_c_then_resume(slow_site, tmp_path):
    db = tmp_path / "resume.db"
    first = interrupt_midway(slow_site, db, signal.SIGINT)
    assert first.returncode == 130, first.stderr
    assert "interrupted" in first.stderr and "Traceback" not in first.stderr
    assert rows(db, "SELECT status FROM runs") == [{"status": "interrupted"}]
    before = stored_urls(db)
    assert 5 <= len(before) < PAGES
    check_resumed_run(slow_site, db, before)


def test_kill_9_then_resume(slow_site, tmp_path):
    db = tmp_path / "killed.db"
    first = interrupt_midway(slow_site, db, signal.SIGKILL)
    assert first.returncode == -signal.SIGKILL
    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    before = stored_urls(db)
    assert 5 <= len(before) < PAGES
    check_resumed_run(slow_site, db, before)


def test_a_page_is_stored_with_its_findings_or_not_at_all(tmp_path):
    store = Store(tmp_path / "atomic.db")
    run_id, _ = store.open_run("job", ["http://clinic.example/"], {}, {}, "agent")
    capture = {
        "run_id": run_id,
        "site": "clinic.example",
        "fetched_at": "2024-01-01T00:00:00Z",
        "requested_url": "http://clinic.example/",
        "final_url": "http://clinic.example/",
    }
    broken_finding = {"label": "safety_claim", "sentence": CLAIM}
    with pytest.raises(KeyError):
        store.save_pages([{"capture": capture, "body": b"<p>x</p>", "findings": [broken_finding]}])
    assert store.stored_captures(run_id) == {}
    store.close()
