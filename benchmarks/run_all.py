"""Run every clinicscan benchmark and print their figures (``make bench``).

Full sizes take about half an hour on 2 cores; ``--tiny`` runs each script on a
few small sites in a temporary folder (a smoke test of the scripts, not figures).

    python benchmarks/run_all.py [--tiny] [--only crawl,classify,scale,report]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (script, full-size arguments, tiny arguments). Order matters: report
# reuses the databases that scale leaves in the work folder.
BENCHMARKS = {
    "classify": (
        "bench_classify.py",
        [],
        ["--lines", "400", "--pages", "6", "--repeats", "1", "--warmup", "50"],
    ),
    "crawl": ("bench_crawl.py", [], ["--sites", "2", "--pages", "12", "--rounds", "1"]),
    "scale": ("bench_scale.py", [], ["--small", "2x6", "--large", "3x12"]),
    "report": ("bench_report.py", [], ["--small", "2x6", "--large", "3x12"]),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="Quick smoke run on tiny sizes.")
    parser.add_argument("--only", help="Comma-separated subset: " + ",".join(BENCHMARKS))
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Where sites and databases go (default: benchmarks/out, or a "
        "temporary folder with --tiny).",
    )
    args = parser.parse_args(argv)
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")

    with tempfile.TemporaryDirectory(prefix="clinicscan-bench-") as temporary:
        workdir = args.workdir or (Path(temporary) if args.tiny else HERE / "out")
        results: list[str] = []
        failed = []
        for name in names:
            script, full, tiny = BENCHMARKS[name]
            command = [
                sys.executable,
                str(HERE / script),
                "--workdir",
                str(workdir),
                *(tiny if args.tiny else full),
            ]
            print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
            started = time.perf_counter()
            process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
            for line in process.stdout:
                print(line, end="", flush=True)
                if line.startswith("RESULT "):
                    results.append(line[len("RESULT ") :].rstrip())
            process.wait()
            print(
                f"=== {name}: exit {process.returncode} after "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
            if process.returncode != 0:
                failed.append(name)
    print("\n=== figures" + (" (tiny sizes: smoke test only)" if args.tiny else ""))
    for line in results:
        print(line)
    if failed:
        print(f"failed: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
