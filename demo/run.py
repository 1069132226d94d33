"""Run the bundled demo: serve the three fictional clinic sites on loopback, crawl them,
write the HTML report and the exports into demo-out/, and say where they are."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from scanner.localsites import serve_folders

HERE = Path(__file__).parent
OUT = Path("demo-out")


def clinicscan(*args: str) -> None:
    command = [sys.executable, "-m", "scanner", *args]
    completed = subprocess.run(command, check=False)
    if completed.returncode != 0:
        sys.exit(f"demo: '{' '.join(command[2:])}' failed with exit {completed.returncode}")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    db = OUT / "clinicscan.db"
    for stale in OUT.glob("clinicscan.db*"):
        stale.unlink()
    sites = serve_folders(sorted(p for p in (HERE / "sites").iterdir() if p.is_dir()))
    try:
        seeds = OUT / "seeds.txt"
        seeds.write_text(
            "# the bundled demo clinics, served on loopback\n"
            + "".join(f"{site.origin}/\n" for site in sites)
        )
        clinicscan(
            "crawl",
            "--seeds",
            str(seeds),
            "--db",
            str(db),
            "--allow-private",
            "--delay",
            "0",
            "--concurrency",
            "4",
            "--max-pages",
            "100",
            "--no-progress",
        )
    finally:
        for site in sites:
            site.stop()
    clinicscan("report", "--db", str(db), "--out", str(OUT / "report.html"))
    for fmt in ("csv", "json", "xlsx"):
        clinicscan(
            "export", "--format", fmt, "--db", str(db), "--out", str(OUT / f"findings.{fmt}")
        )
    print("\nclinicscan demo done:")
    for name in ("report.html", "findings.csv", "findings.json", "findings.xlsx", "clinicscan.db"):
        print(f"  {OUT / name}")


if __name__ == "__main__":
    main()
