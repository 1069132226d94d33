"""Report and export: time and peak memory on the databases of bench_scale.py.

Runs ``clinicscan report`` and ``clinicscan export --format csv|json|xlsx`` on the
large (default 10,000-page) database and, for comparison, on the small one; both
are reused from WORKDIR if bench_scale.py made them, else crawled first. A command
whose module does not exist yet (``report`` needs scanner/reports/html.py,
``xlsx`` needs scanner/reports/xlsx.py) is skipped with a message.
Judged by: report + exports of the large database in under 30 s together, and
peak memory that does not grow with the number of findings (large/small ~ 1.0).

    python benchmarks/bench_report.py [--large 40x250] [--small 10x100]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from bench_scale import crawl_size, scale_db
from common import (
    CLINICSCAN,
    DEFAULT_WORKDIR,
    PYTHON,
    db_counts,
    machine,
    parse_size,
    result,
    run_measured,
)

# (name, module it needs, arguments after the database option)
COMMANDS = [
    ("report", "scanner.reports.html", ["report", "--out", "{out}/report.html"]),
    ("export csv", None, ["export", "--format", "csv", "--out", "{out}/findings.csv"]),
    ("export json", None, ["export", "--format", "json", "--out", "{out}/findings.json"]),
    (
        "export xlsx",
        "scanner.reports.xlsx",
        ["export", "--format", "xlsx", "--out", "{out}/findings.xlsx"],
    ),
]


def available(module: str | None) -> bool:
    if module is None:
        return True
    probe = run_measured(
        [
            PYTHON,
            "-c",
            "import importlib.util, sys; "
            f"sys.exit(0 if importlib.util.find_spec({module!r}) else 3)",
        ],
        60,
    )
    return probe.returncode == 0


def ensure_db(workdir: Path, size: str, seed: int, timeout: float) -> Path:
    sites, pages = parse_size(size)
    db = scale_db(workdir, sites, pages)
    stamp = Path(workdir) / f"scale-{sites}x{pages}.json"
    if db.is_file() and stamp.is_file():
        print(f"reusing {db} (from bench_scale.py)", flush=True)
        return db
    print(f"no {db} yet: crawling {size} first", flush=True)
    crawl_size(workdir, sites, pages, seed, timeout)
    return db


def run_commands(db: Path, out: Path, timeout: float, skip: set[str]) -> dict[str, dict]:
    out.mkdir(parents=True, exist_ok=True)
    figures = {}
    for name, _, arguments in COMMANDS:
        if name in skip:
            continue
        command = [
            *CLINICSCAN,
            arguments[0],
            "--db",
            str(db),
            *[a.format(out=out) for a in arguments[1:]],
        ]
        measured = run_measured(command, timeout).check(f"clinicscan {name}")
        target = Path(command[-1])
        match = re.search(r"(\d+) findings", measured.stderr)
        figures[name] = {
            "seconds": measured.seconds,
            "rss": measured.tree_peak_mb,
            "bytes": target.stat().st_size if target.exists() else 0,
            "rows": int(match.group(1)) if match else None,
        }
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", default="40x250", help="SITESxPAGES of the large database.")
    parser.add_argument("--small", default="10x100", help="SITESxPAGES of the small database.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--timeout", type=float, default=600, help="Seconds before one command is killed."
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"bench_report: {args.large} (and {args.small} for memory); {machine()}", flush=True)
    skip = set()
    for name, module, _ in COMMANDS:
        if not available(module):
            skip.add(name)
            print(f"skipped: clinicscan {name} (module {module} does not exist yet)", flush=True)

    results = {}
    for label, size in (("large", args.large), ("small", args.small)):
        db = ensure_db(args.workdir, size, args.seed, 1800)
        counts = db_counts(db)
        results[label] = {
            "counts": counts,
            "commands": run_commands(db, args.workdir / f"report-{size}", args.timeout, skip),
        }
        print(
            f"{size}: {counts['pages']} pages, {counts['findings']} findings, "
            f"{counts['sightings']} sightings",
            flush=True,
        )
        for name, f in results[label]["commands"].items():
            rows = f" {f['rows']} rows," if f["rows"] is not None else ""
            print(
                f"  {name:<12} {f['seconds']:6.2f} s,{rows} {f['bytes'] / 2**20:6.1f} MB "
                f"written, peak RSS {f['rss']:.0f} MB",
                flush=True,
            )
    (args.workdir / "report-figures.json").write_text(json.dumps(results, indent=2))

    large, small = results["large"], results["small"]
    if not large["commands"]:
        result("report+export time = skipped (no command available)")
        return
    total = sum(f["seconds"] for f in large["commands"].values())
    names = " + ".join(large["commands"])
    memory = ", ".join(
        f"{name} {f['rss']:.0f}/{small['commands'][name]['rss']:.0f} MB"
        for name, f in large["commands"].items()
    )
    worst = max(f["rss"] / small["commands"][name]["rss"] for name, f in large["commands"].items())
    missing = f"; skipped: {', '.join(sorted(skip))}" if skip else ""
    result(
        f"report+export time = {total:.1f} s for {large['counts']['pages']} pages, "
        f"{large['counts']['findings']} findings ({names}; target < 30 s){missing}"
    )
    result(
        f"report/export memory ratio {large['counts']['findings']}/"
        f"{small['counts']['findings']} findings = {worst:.2f} at most "
        f"(peak RSS large/small: {memory}; flat is 1.0)"
    )


if __name__ == "__main__":
    main()
