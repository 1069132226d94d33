"""Live crawl progress per site and the end-of-crawl summary."""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.live import Live
from rich.table import Table

from scanner.store import sentence_key

COLUMNS = ("queued", "fetched", "skipped", "findings", "trap_skipped")


def skip_category(reason: str) -> str:
    """The kind of a skip reason, without its detail: the text before ': '."""
    return reason.split(": ", 1)[0][:80]


class CrawlProgress:
    """Live counts per site: queued, fetched, skipped, distinct findings, trap URLs."""

    def __init__(self, sites: list[str], live: bool = False, console: Console | None = None):
        self.sites = sorted(sites)
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.findings: dict[str, set] = defaultdict(set)
        self.console = console or Console(stderr=True)
        self.live = (
            Live(self.table(), console=self.console, refresh_per_second=4, transient=True)
            if live
            else None
        )

    def __enter__(self):
        if self.live:
            self.live.start()
        return self

    def __exit__(self, *exc):
        if self.live:
            self.live.stop()

    def count(self, site: str, key: str, n: int = 1) -> None:
        self.counts[site][key] += n

    def record(self, capture: dict, findings: list[dict]) -> None:
        """Account for one stored capture; a sentence seen on many pages counts once."""
        site = capture["site"]
        self.counts[site]["skipped" if capture.get("skip_reason") else "fetched"] += 1
        self.findings[site].update((f["label"], sentence_key(f["sentence"])) for f in findings)
        self.counts[site]["findings"] = len(self.findings[site])
        if self.live:
            self.live.update(self.table())

    def table(self) -> Table:
        table = Table(title="clinicscan crawl")
        table.add_column("site")
        for column in ("queued", "fetched", "skipped", "findings", "traps"):
            table.add_column(column, justify="right")
        for site in self.sites:
            table.add_row(site, *(str(self.counts[site][k]) for k in COLUMNS))
        return table


def format_summary(sites: int, totals: dict) -> str:
    """Plain-text summary of a run: pages, skipped by reason, distinct findings by label."""
    reasons: Counter = Counter()
    for reason, n in totals["skipped"].items():
        reasons[skip_category(reason)] += n
    lines = [f"{sites} site(s): {totals['pages']} page(s) stored, {sum(reasons.values())} skipped"]
    lines += [
        f"  skipped, {reason}: {n}"
        for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
    lines.append(f"findings: {sum(totals['labels'].values())}")
    lines += [f"  {label}: {n}" for label, n in sorted(totals["labels"].items())]
    return "\n".join(lines)
