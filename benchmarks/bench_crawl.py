"""Crawl ratio: the full clinicscan pipeline against a bare Scrapy spider, same sites.

Serves SITES generated clinic sites of PAGES pages (each on its own 127.0.0.N),
then alternates, ROUNDS times: the bare spider (benchmarks/bare_spider.py), then
``clinicscan crawl --delay 0 --concurrency 8 --allow-private --max-pages 100000
--no-progress`` into a fresh database. Pages/s is pages fetched with a 2xx status
divided by the wall time of the whole process (start-up included, for both).
Judged by: median pipeline pages/s / median bare pages/s (target >= 0.5x).

    python benchmarks/bench_crawl.py                 # 20 sites x 250 pages, 2 rounds
    python benchmarks/bench_crawl.py --sites 4 --pages 50 --rounds 1 --profile
"""

from __future__ import annotations

import argparse
import pstats
import re
from pathlib import Path

from common import (
    DEFAULT_WORKDIR,
    PYTHON,
    crawl_command,
    db_counts,
    fresh_db,
    generate_sites,
    logged_errors,
    machine,
    median,
    result,
    run_measured,
    served,
)

# Functions of the crawl process whose cumulative time the profile summary lists (name,
# file suffix). Documents are analysed in worker processes, which cProfile does not
# see: bench_classify.py --profile breaks down that work.
PROFILE_STAGES = [
    ("parse_page", "site_spider.py", "spider parse_page (awaits the worker, follows links)"),
    ("page_request", "site_spider.py", "  page_request (scope, traps, caps)"),
    ("canonical_url", "urls.py", "    canonical_url"),
    ("submit", "analyse.py", "  Analyser.submit (hand the body to a worker)"),
    ("process_item", "pipelines.py", "pipeline process_item (batching)"),
    ("flush", "pipelines.py", "  pipeline flush (SQLite writes)"),
    ("save_pages", "store.py", "    Store.save_pages"),
]


def bare_run(seeds: Path, concurrency: int, timeout: float) -> dict:
    measured = run_measured(
        [
            PYTHON,
            "benchmarks/bare_spider.py",
            "--seeds",
            str(seeds),
            "--concurrency",
            str(concurrency),
        ],
        timeout,
    ).check("bare spider")
    match = re.search(r"pages (\d+) seconds ([\d.]+)", measured.stdout)
    if not match:
        raise SystemExit(f"bare spider printed no figures:\n{measured.stdout}{measured.stderr}")
    pages = int(match.group(1))
    return {
        "pages": pages,
        "seconds": measured.seconds,
        "crawl_seconds": float(match.group(2)),
        "rate": pages / measured.seconds,
        "rss": measured.tree_peak_mb,
    }


def pipeline_run(
    seeds: Path, db: Path, concurrency: int, timeout: float, profile: Path | None = None
) -> dict:
    command = crawl_command(seeds, fresh_db(db), concurrency)
    if profile is not None:
        command[1:3] = ["-m", "cProfile", "-o", str(profile), "-m", "scanner"]
    measured = run_measured(command, timeout).check("clinicscan crawl")
    counts = db_counts(db)
    return {
        **counts,
        "seconds": measured.seconds,
        "rate": counts["pages"] / measured.seconds,
        "rss": measured.tree_peak_mb,
        "errors": logged_errors(measured.stderr),
    }


def print_profile(path: Path, top: int = 20) -> None:
    stats = pstats.Stats(str(path))
    total = max(stats.total_tt, 1e-9)
    print(
        f"\nprofile of one pipeline crawl (cProfile, main thread, {total:.1f} s "
        "profiled; cumulative seconds and share of the profiled total):"
    )
    entries = stats.stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    for name, suffix, label in PROFILE_STAGES:
        matches = [v for (f, _, n), v in entries.items() if n == name and f.endswith(suffix)]
        if matches:
            cumulative = max(v[3] for v in matches)
            calls = sum(v[1] for v in matches)
            print(
                f"  {label:<52} {cumulative:8.1f} s {100 * cumulative / total:5.1f}%"
                f"  ({calls} calls)"
            )
    print(f"\ntop {top} functions by own time:")
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    for (file, line, name), (_, calls, own, cumulative, _) in ranked:
        where = "/".join(Path(file).parts[-2:]) if file != "~" else "builtin"
        print(
            f"  {own:7.2f} s own {cumulative:7.2f} s cum {calls:9d} calls  {name} ({where}:{line})"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=250)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument(
        "--timeout", type=float, default=1200, help="Seconds before one crawl is killed."
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Afterwards, profile one more pipeline crawl with cProfile.",
    )
    args = parser.parse_args(argv)

    print(
        f"bench_crawl: {args.sites} sites x {args.pages} pages, {args.rounds} round(s), "
        f"concurrency {args.concurrency}; {machine()}",
        flush=True,
    )
    folders = generate_sites(args.workdir, args.sites, args.pages, args.seed)
    seeds = args.workdir / "crawl-seeds.txt"
    db = args.workdir / "crawl.db"
    bare, pipeline = [], []
    served_requests: dict[str, int] = {}
    with served(folders, seeds, served_requests):
        for round_number in range(1, args.rounds + 1):
            served_requests["requests"] = 0
            b = bare_run(seeds, args.concurrency, args.timeout)
            b["requests"] = served_requests["requests"]
            bare.append(b)
            print(
                f"round {round_number} bare spider: {b['pages']} pages in {b['seconds']:.1f} s"
                f" = {b['rate']:.1f} pages/s (crawl only {b['crawl_seconds']:.1f} s), "
                f"{b['requests']} requests served, peak RSS {b['rss']:.0f} MB",
                flush=True,
            )
            served_requests["requests"] = 0
            p = pipeline_run(seeds, db, args.concurrency, args.timeout)
            p["requests"] = served_requests["requests"]
            pipeline.append(p)
            print(
                f"round {round_number} clinicscan:  {p['pages']} pages in {p['seconds']:.1f} s"
                f" = {p['rate']:.1f} pages/s, {p['findings']} findings "
                f"({p['sightings']} sightings), {p['requests']} requests served, "
                f"peak RSS {p['rss']:.0f} MB",
                flush=True,
            )
            if p["errors"]:
                print(f"  note: clinicscan {p['errors']}", flush=True)
            if p["pages"] != b["pages"]:
                print(
                    f"  note: page counts differ (bare {b['pages']}, clinicscan {p['pages']})",
                    flush=True,
                )
        if args.profile:
            profile = args.workdir / "crawl.prof"
            pipeline_run(seeds, db, args.concurrency, args.timeout, profile)
    bare_rate = median([b["rate"] for b in bare])
    pipeline_rate = median([p["rate"] for p in pipeline])
    ratios = ", ".join(f"{p['rate'] / b['rate']:.2f}" for b, p in zip(bare, pipeline, strict=True))
    print(
        f"\nbare spider: median {bare_rate:.1f} pages/s; clinicscan crawl: median "
        f"{pipeline_rate:.1f} pages/s; per-round ratios {ratios}"
    )
    result(
        f"crawl ratio pipeline/bare = {pipeline_rate / bare_rate:.2f} "
        f"(median of {args.rounds} rounds; bare {bare_rate:.1f} pages/s, clinicscan "
        f"{pipeline_rate:.1f} pages/s; {args.sites}x{args.pages} pages; "
        "target >= 0.50, aim 0.80)"
    )
    if args.profile:
        print_profile(profile)


if __name__ == "__main__":
    main()
