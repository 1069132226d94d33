"""Helpers shared by the benchmark scripts: measured subprocesses, local sites, figures.

Every benchmark talks to loopback only (sites on 127.0.0.N), bounds each child
process with a timeout, and prints its key figures on lines starting ``RESULT``
(``run_all.py`` collects them).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
PYTHON = sys.executable
DEFAULT_WORKDIR = BENCH_DIR / "out"  # git-ignored: generated sites and databases
CLINICSCAN = [PYTHON, "-m", "scanner"]

sys.path.insert(0, str(REPO))


@dataclass
class Measured:
    """A finished child process: exit code, output, wall time and memory."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    maxrss_mb: float  # ru_maxrss of the child (its largest resident set)
    tree_peak_mb: float  # peak of the summed RSS of the child and its descendants
    timed_out: bool = False

    def check(self, what: str) -> Measured:
        if self.returncode != 0 or self.timed_out:
            tail = "\n".join(self.stderr.strip().splitlines()[-15:])
            raise SystemExit(
                f"{what} failed (exit {self.returncode}"
                f"{', timed out' if self.timed_out else ''}):\n{tail}"
            )
        return self


def _tree_rss_kb(root: int) -> int:
    """Summed VmRSS (kB) of ``root`` and every descendant, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def run_measured(
    command: list[str],
    timeout: float,
    stdin_path: Path | None = None,
    env: dict | None = None,
    cwd: Path | None = None,
    sample_every: float = 0.25,
) -> Measured:
    """Run ``command``; return its output, wall time, ru_maxrss and peak tree RSS.

    The child runs in its own session; past ``timeout`` seconds its process group
    is killed, so a benchmark always stops by itself.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL  # noqa: SIM115
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=out,
            stderr=err,
            cwd=cwd or REPO,
            env=env,
            start_new_session=True,
        )
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(sample_every):
                peak[0] = max(peak[0], _tree_rss_kb(process.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            _kill_group(process.pid)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            done.set()
            if stdin_path:
                stdin.close()
        seconds = time.perf_counter() - start
        timed_out = killed.is_set()
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.join()
        out.seek(0)
        err.seek(0)
        return Measured(
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_maxrss / 1024,
            peak[0] / 1024,
            timed_out,
        )


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@contextmanager
def served(folders: list[Path], seeds_file: Path, counter: dict | None = None):
    """Serve each folder on its own 127.0.0.N (N from 2) and write their seed URLs.

    With ``counter``, every request served is counted in ``counter["requests"]``.
    """
    from scanner.localsites import serve_site

    lock = threading.Lock()

    def count(handler):
        with lock:
            counter["requests"] = counter.get("requests", 0) + 1
        return None

    routes = [count] if counter is not None else None
    sites = [
        serve_site(folder, host=f"127.0.0.{2 + i}", routes=routes)
        for i, folder in enumerate(folders)
    ]
    try:
        seeds_file.write_text("".join(f"{site.origin}/\n" for site in sites))
        yield sites
    finally:
        for site in sites:
            site.stop()


def crawl_command(seeds_file: Path, db: Path, concurrency: int = 8) -> list[str]:
    """The pipeline crawl the issue specifies (no politeness delay, loopback allowed)."""
    return [
        *CLINICSCAN,
        "crawl",
        "--seeds",
        str(seeds_file),
        "--db",
        str(db),
        "--delay",
        "0",
        "--concurrency",
        str(concurrency),
        "--allow-private",
        "--max-pages",
        "100000",
        "--no-progress",
    ]


def logged_errors(stderr: str) -> str | None:
    """A one-line summary of the errors a crawl logged (Scrapy logs and goes on)."""
    errors = [line for line in stderr.splitlines() if " ERROR: " in line]
    if not errors:
        return None
    last = [
        line
        for line in stderr.splitlines()
        if line
        and not line.startswith(" ")
        and ("Error" in line or "Exception" in line)
        and " ERROR: " not in line
    ]
    cause = f"; last exception: {last[-1][:160]}" if last else ""
    return f"{len(errors)} errors logged (first: {errors[0][:120]}...){cause}"


def fresh_db(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def db_bytes(path: Path) -> int:
    return sum(
        Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def db_counts(path: Path) -> dict:
    """Pages fetched with a 2xx status, captures, findings and sightings in a database."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "pages": one("SELECT COUNT(*) FROM captures WHERE status BETWEEN 200 AND 299"),
            "captures": one("SELECT COUNT(*) FROM captures"),
            "findings": one("SELECT COUNT(*) FROM findings"),
            "sightings": one("SELECT COUNT(*) FROM finding_pages"),
        }


def sites_dir(workdir: Path, sites: int, pages: int, seed: int) -> Path:
    return Path(workdir) / f"sites-{sites}x{pages}-seed{seed}"


def generate_sites(workdir: Path, sites: int, pages: int, seed: int) -> list[Path]:
    from sitegen import generate

    started = time.perf_counter()
    folders = generate(sites_dir(workdir, sites, pages, seed), sites, pages, seed)
    took = time.perf_counter() - started
    if took > 1:
        print(f"generated {sites} sites x {pages} pages in {took:.1f} s", flush=True)
    return folders


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def parse_size(text: str) -> tuple[int, int]:
    """'40x250' -> (40, 250)."""
    sites, pages = text.lower().split("x")
    return int(sites), int(pages)


def machine() -> str:
    import platform

    memory = "?"
    try:
        with open("/proc/meminfo") as handle:
            memory = f"{int(handle.readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores, {memory} RAM, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def result(line: str) -> None:
    """A key figure: printed with a RESULT prefix so run_all.py can collect it."""
    print(f"RESULT {line}", flush=True)
