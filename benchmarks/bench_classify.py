"""Classification throughput and load time.

* ``clinicscan check --jsonl`` on a fixed corpus of distinct sentences: the texts
  of models/corpus/*.jsonl and models/heldout.jsonl, topped up with distinct
  generated clinic sentences (benchmarks/sitegen.py) to LINES lines, in a fixed
  shuffled order. Runs on the first half (N lines) and on all of it (2N lines) are
  timed; the difference is the time for N further lines after load and after a
  warm-up on the first N. Lines are distinct on purpose: the classifier caches
  identical sentences, so repeating a small corpus would mostly time cache hits.
* The same on whole pages (one JSON line = the extracted text of one generated
  page; pages of one site share their navigation and footer, as in a crawl).
* Load: ``check`` on one line (process wall time), and ``Classifier()`` in a fresh
  process (import and construction timed separately).
* In-library: ``Classifier.classify`` on pre-segmented sentences in page-sized
  batches and one sentence per call, after a warm-up on other sentences, plus a
  per-stage breakdown from a cProfile run on further unseen sentences.
Judged by: check sentences/s on one core after load (target >= 2,000) and load
time (target < 2 s).

    python benchmarks/bench_classify.py [--lines 20000] [--pages 50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import time
from pathlib import Path

from common import (
    CLINICSCAN,
    DEFAULT_WORKDIR,
    PYTHON,
    REPO,
    generate_sites,
    machine,
    median,
    result,
    run_measured,
)

LOAD_SCRIPT = """
import time
started = time.perf_counter()
from scanner.classify import Classifier
imported = time.perf_counter()
Classifier()
built = time.perf_counter()
print(f"{imported - started:.4f} {built - imported:.4f}")
"""


def corpus_texts() -> list[str]:
    """Distinct texts of the shipped training corpus and held-out set, in file order."""
    models = REPO / "models"
    texts: dict[str, None] = {}
    for path in [*sorted((models / "corpus").glob("*.jsonl")), models / "heldout.jsonl"]:
        if not path.is_file():
            continue
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                text = json.loads(line).get("text")
                if isinstance(text, str) and text.strip():
                    texts[text.strip()] = None
    return list(texts)


def sentence_lines(total: int, seed: int) -> list[str]:
    """``total`` distinct sentences: the corpus, then generated clinic copy; shuffled."""
    from sitegen import SiteWriter

    texts = dict.fromkeys(corpus_texts()[:total])
    site = 0
    while len(texts) < total:
        writer = SiteWriter(1000 + site, seed)
        for _ in range(2000):
            texts[writer.sentence()] = None
            if len(texts) >= total:
                break
        site += 1
    lines = list(texts)
    random.Random(seed).shuffle(lines)
    return lines


def page_lines(workdir: Path, pages: int, seed: int) -> list[str]:
    """The extracted text of ``pages`` generated pages of one site."""
    from scanner.extract import extract

    folder = generate_sites(workdir, 1, pages, seed)[0]
    paths = sorted(p for p in folder.rglob("*.html") if "private" not in p.parts)[:pages]
    return [extract(p.read_bytes(), "text/html; charset=utf-8", str(p)).text for p in paths]


def write_jsonl(path: Path, texts: list[str]) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for number, text in enumerate(texts):
            handle.write(json.dumps({"id": number, "text": text}) + "\n")
    return path


def count_segments(texts: list[str]) -> int:
    from scanner.segment import segment_plain_text

    return sum(len(segment_plain_text(t)) for t in texts)


def time_check(path: Path, repeats: int, timeout: float) -> tuple[float, float]:
    """Median wall seconds and peak RSS (MB) of ``clinicscan check --jsonl path``."""
    runs = []
    for _ in range(repeats):
        measured = run_measured([*CLINICSCAN, "check", "--jsonl", str(path)], timeout)
        if measured.returncode not in (0, 1) or measured.timed_out:
            measured.check(f"clinicscan check --jsonl {path.name}")
        runs.append(measured)
    return median([m.seconds for m in runs]), max(m.tree_peak_mb for m in runs)


def check_throughput(
    name: str, texts: list[str], workdir: Path, repeats: int, timeout: float
) -> dict:
    half = len(texts) // 2
    first, second = texts[:half], texts[half : 2 * half]
    short = write_jsonl(workdir / f"check-{name}-n.jsonl", first)
    full = write_jsonl(workdir / f"check-{name}-2n.jsonl", first + second)
    t_short, _ = time_check(short, repeats, timeout)
    t_full, rss = time_check(full, repeats, timeout)
    segments = count_segments(second)
    extra = t_full - t_short
    if extra < 0.05:  # below timing noise (tiny sizes): no figure
        extra = float("nan")
    return {
        "lines": half,
        "segments": segments,
        "t_short": t_short,
        "t_full": t_full,
        "lines_per_s": half / extra,
        "segments_per_s": segments / extra,
        "rss": rss,
    }


def load_times(workdir: Path, repeats: int, timeout: float) -> dict:
    one = write_jsonl(workdir / "check-one.jsonl", ["Our clinic is open on Mondays."])
    check_one = median(
        [
            run_measured([*CLINICSCAN, "check", "--jsonl", str(one)], timeout).seconds
            for _ in range(repeats)
        ]
    )
    imports, builds = [], []
    for _ in range(repeats):
        measured = run_measured([PYTHON, "-c", LOAD_SCRIPT], timeout).check("Classifier()")
        imported, built = (float(x) for x in measured.stdout.split())
        imports.append(imported)
        builds.append(built)
    bare_python = median(
        [run_measured([PYTHON, "-c", "pass"], timeout).seconds for _ in range(repeats)]
    )
    return {
        "check_one": check_one,
        "import": median(imports),
        "build": median(builds),
        "python": bare_python,
    }


# Functions whose cumulative time the stage breakdown lists (name, file suffix, label).
STAGES = [
    ("classify", "classify.py", "Classifier.classify"),
    ("_judge", "classify.py", "  _judge"),
    ("pipe", "language.py", "    spaCy nlp.pipe (tokenizer + cue matchers)"),
    ("doc_features", "features.py", "    doc_features"),
    ("hash_features", "features.py", "    hash_features"),
    ("probabilities", "classify.py", "    ClaimModel.probabilities"),
    ("textcat_scores", "textcat.py", "      spaCy text classifier (bag of n-grams)"),
    ("_verdicts", "classify.py", "    _verdicts (rules, citations)"),
]


def in_library(texts: list[str], warmup: int, batch: int) -> dict:
    """Classifier.classify on pre-segmented sentences, page-sized batches, after warm-up.

    The sentences after the warm-up are split in two unseen halves: the first is
    timed, the second is run under cProfile for the stage breakdown.
    """
    from scanner.classify import Classifier
    from scanner.segment import segment_plain_text

    classifier = Classifier()
    segments = [s for t in texts for s in segment_plain_text(t)]
    warm, rest = segments[:warmup], segments[warmup:]
    timed, profiled = rest[: len(rest) // 2], rest[len(rest) // 2 :]

    def run(chunk) -> None:
        for start in range(0, len(chunk), batch):
            classifier.classify(chunk[start : start + batch])

    run(warm)
    started = time.perf_counter()
    run(timed)
    seconds = time.perf_counter() - started
    # One sentence per call, as ``check --jsonl`` does for one-sentence lines.
    singles = profiled[: len(profiled) // 2]
    started = time.perf_counter()
    for segment in singles:
        classifier.classify([segment])
    single_seconds = time.perf_counter() - started
    profiler = cProfile.Profile()
    profiler.runcall(run, profiled[len(profiled) // 2 :])
    return {
        "segments": len(timed),
        "seconds": seconds,
        "segments_per_s": len(timed) / seconds,
        "profile": pstats.Stats(profiler),
        "single_per_s": len(singles) / single_seconds,
        "profiled_segments": len(profiled) - len(singles),
    }


def print_stages(stats: pstats.Stats, segments: int, top: int) -> None:
    entries = stats.stats  # {(file, line, name): (cc, nc, tt, ct, callers)}
    total = max(stats.total_tt, 1e-9)
    print(
        f"stage breakdown (cProfile on {segments} other unseen sentences, {total:.2f} s "
        "profiled; cumulative seconds, share):"
    )
    for name, suffix, label in STAGES:
        found = [v[3] for (f, _, n), v in entries.items() if n == name and f.endswith(suffix)]
        if found:
            print(f"  {label:<46} {max(found):6.2f} s {100 * max(found) / total:5.1f}%")
    if top:
        print(f"top {top} functions by own time:")
        ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
        for (file, line, name), (_, calls, own, cumulative, _) in ranked:
            where = "/".join(Path(file).parts[-2:]) if file != "~" else "builtin"
            print(
                f"  {own:6.2f} s own {cumulative:6.2f} s cum {calls:8d} calls  "
                f"{name} ({where}:{line})"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lines", type=int, default=20_000, help="Distinct sentence lines in all (2N)."
    )
    parser.add_argument("--pages", type=int, default=100, help="Whole pages in all (2M).")
    parser.add_argument("--repeats", type=int, default=3, help="Runs of each timing (median).")
    parser.add_argument(
        "--warmup",
        type=int,
        default=2000,
        help="Sentences classified before the in-library timing.",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Also print the top functions of the profiled in-library run.",
    )
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"bench_classify: {args.lines} distinct sentence lines, {args.pages} pages, "
        f"{args.repeats} repeat(s); {machine()}",
        flush=True,
    )

    texts = sentence_lines(args.lines, args.seed)
    corpus_share = len(set(texts) & set(corpus_texts())) / len(texts)
    sentences = check_throughput("sentences", texts, args.workdir, args.repeats, args.timeout)
    print(
        f"check --jsonl, sentences ({100 * corpus_share:.0f}% from the training corpus): "
        f"{sentences['lines']} lines in {sentences['t_short']:.2f} s, "
        f"{2 * sentences['lines']} in {sentences['t_full']:.2f} s -> "
        f"{sentences['segments_per_s']:.0f} sentences/s after load "
        f"({sentences['lines_per_s']:.0f} lines/s), peak RSS {sentences['rss']:.0f} MB",
        flush=True,
    )

    pages = check_throughput(
        "pages",
        page_lines(args.workdir, args.pages, args.seed),
        args.workdir,
        args.repeats,
        args.timeout,
    )
    print(
        f"check --jsonl, whole pages: {pages['lines']} pages in {pages['t_short']:.2f} s, "
        f"{2 * pages['lines']} in {pages['t_full']:.2f} s -> "
        f"{pages['lines_per_s']:.1f} pages/s ({pages['segments_per_s']:.0f} segments/s, "
        f"{pages['segments'] / max(1, pages['lines']):.0f} segments a page)",
        flush=True,
    )

    load = load_times(args.workdir, args.repeats, args.timeout)
    print(
        f"load: check on one line {load['check_one']:.2f} s wall (bare Python start-up "
        f"{load['python']:.2f} s); in a fresh process: import scanner.classify "
        f"{load['import']:.2f} s + Classifier() {load['build']:.2f} s",
        flush=True,
    )

    library = in_library(texts, min(args.warmup, len(texts) // 4), 120)
    print(
        f"in-library Classifier.classify: {library['segments']} sentences in "
        f"{library['seconds']:.2f} s -> {library['segments_per_s']:.0f} sentences/s "
        "(batches of 120, after warm-up); one sentence per call: "
        f"{library['single_per_s']:.0f} sentences/s",
        flush=True,
    )
    print_stages(library["profile"], library["profiled_segments"], 12 if args.profile else 0)

    result(
        f"check throughput = {sentences['segments_per_s']:.0f} sentences/s after load "
        f"({pages['lines_per_s']:.1f} pages/s on whole pages; in-library "
        f"{library['segments_per_s']:.0f} sentences/s; target >= 2000 sentences/s)"
    )
    load_time = load["import"] + load["build"]
    result(
        f"load time = {load_time:.2f} s (import {load['import']:.2f} s + Classifier() "
        f"{load['build']:.2f} s in a fresh process; check on 1 line {load['check_one']:.2f} s"
        " wall; target < 2 s)"
    )


if __name__ == "__main__":
    main()
