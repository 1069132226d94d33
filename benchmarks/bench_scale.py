"""Scale: peak memory, time per page and database size for a small and a large crawl.

Crawls SMALL (default 10 sites x 100 pages = 1,000 pages) and LARGE (40 x 250 =
10,000 pages) generated sites with ``clinicscan crawl --delay 0 --concurrency 8
--allow-private`` into fresh databases, each site on its own 127.0.0.N. Memory is
ru_maxrss of the crawl process (from wait4) and, sampled from /proc, the peak of
the summed RSS of the process and any workers it starts.
Judged by: peak memory large/small (target <= 1.3x); time per page should stay flat.
The databases are kept in WORKDIR for bench_report.py.

    python benchmarks/bench_scale.py [--small 10x100] [--large 40x250]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import (
    DEFAULT_WORKDIR,
    crawl_command,
    db_bytes,
    db_counts,
    fresh_db,
    generate_sites,
    logged_errors,
    machine,
    parse_size,
    result,
    run_measured,
    served,
)


def scale_db(workdir: Path, sites: int, pages: int) -> Path:
    return Path(workdir) / f"scale-{sites}x{pages}.db"


def crawl_size(workdir: Path, sites: int, pages: int, seed: int, timeout: float) -> dict:
    """Crawl ``sites`` x ``pages`` into a fresh database; return its figures."""
    folders = generate_sites(workdir, sites, pages, seed)
    db = fresh_db(scale_db(workdir, sites, pages))
    seeds = Path(workdir) / f"scale-{sites}x{pages}-seeds.txt"
    with served(folders, seeds):
        measured = run_measured(crawl_command(seeds, db), timeout).check(
            f"clinicscan crawl of {sites}x{pages}"
        )
    counts = db_counts(db)
    figures = {
        "size": f"{sites}x{pages}",
        "db": str(db),
        **counts,
        "seconds": measured.seconds,
        "maxrss_mb": measured.maxrss_mb,
        "tree_peak_mb": measured.tree_peak_mb,
        "db_bytes": db_bytes(db),
    }
    figures["errors"] = logged_errors(measured.stderr)
    figures["ms_per_page"] = 1000 * measured.seconds / max(1, counts["pages"])
    figures["db_kb_per_page"] = figures["db_bytes"] / 1024 / max(1, counts["pages"])
    (Path(workdir) / f"scale-{sites}x{pages}.json").write_text(json.dumps(figures, indent=2))
    return figures


def describe(f: dict) -> str:
    return (
        f"{f['size']}: {f['pages']} pages in {f['seconds']:.1f} s = "
        f"{f['ms_per_page']:.1f} ms/page; peak memory {f['maxrss_mb']:.0f} MB (ru_maxrss), "
        f"{f['tree_peak_mb']:.0f} MB (process tree); database "
        f"{f['db_bytes'] / 2**20:.1f} MB = {f['db_kb_per_page']:.1f} KB/page; "
        f"{f['findings']} findings, {f['sightings']} sightings"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", default="10x100", help="SITESxPAGES of the small crawl.")
    parser.add_argument("--large", default="40x250", help="SITESxPAGES of the large crawl.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--timeout", type=float, default=1800, help="Seconds before one crawl is killed."
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"bench_scale: {args.small} vs {args.large}; {machine()}", flush=True)
    small = crawl_size(args.workdir, *parse_size(args.small), args.seed, args.timeout)
    print(describe(small), flush=True)
    large = crawl_size(args.workdir, *parse_size(args.large), args.seed, args.timeout)
    print(describe(large), flush=True)
    for figures in (small, large):
        if figures["errors"]:
            print(f"  note: the {figures['size']} crawl {figures['errors']}", flush=True)
    memory = large["maxrss_mb"] / small["maxrss_mb"]
    tree = large["tree_peak_mb"] / max(small["tree_peak_mb"], 1e-9)
    per_page = large["ms_per_page"] / small["ms_per_page"]
    result(
        f"memory ratio {large['pages']}/{small['pages']} pages = {memory:.2f} "
        f"(ru_maxrss {small['maxrss_mb']:.0f} -> {large['maxrss_mb']:.0f} MB; process tree "
        f"{tree:.2f}x; target <= 1.30)"
    )
    result(
        f"time per page ratio {large['pages']}/{small['pages']} pages = {per_page:.2f} "
        f"({small['ms_per_page']:.1f} -> {large['ms_per_page']:.1f} ms/page; flat is 1.0); "
        f"database {small['db_kb_per_page']:.1f} -> {large['db_kb_per_page']:.1f} KB/page"
    )


if __name__ == "__main__":
    main()
