"""Live crawl progress per site and the end-of-crawl summary."""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.live import Live
from rich.table import Table


class CrawlProgress:
    """Counts per site: queued, fetched, skipped (by reason), findings (by label)."""

    def __init__(self, sites: list[str], live: bool = False, console: Console | None = None):
        self.sites = sorted(sites)
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.skip_reasons: Counter = Counter()
        self.labels: Counter = Counter()
        self.console = console or Console(stderr=True)
        self.live = Live(self.table(), console=self.console, refresh_per_second=4,
                         transient=True) if live else None

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
        """Account for one stored capture."""
        site = capture["site"]
        reason = capture.get("skip_reason")
        if reason:
            self.counts[site]["skipped"] += 1
            self.skip_reasons[reason.split(":")[0][:60]] += 1
        else:
            self.counts[site]["fetched"] += 1
        self.counts[site]["findings"] += len(findings)
        self.labels.update(f["label"] for f in findings)
        if self.live:
            self.live.update(self.table())

    def table(self) -> Table:
        table = Table(title="clinicscan crawl")
        for column in ("site", "queued", "fetched", "skipped", "findings", "traps"):
            table.add_column(column, justify="left" if column == "site" else "right")
        for site in self.sites:
            c = self.counts[site]
            table.add_row(site, *(str(c[k]) for k in
                                  ("queued", "fetched", "skipped", "findings", "trap_skipped")))
        return table

    def summary(self) -> str:
        """Plain-text summary: pages, skipped with reasons, findings by label."""
        fetched = sum(c["fetched"] for c in self.counts.values())
        skipped = sum(c["skipped"] for c in self.counts.values())
        lines = [f"{len(self.sites)} site(s): {fetched} page(s) stored, {skipped} skipped"]
        lines += [f"  skipped, {reason}: {n}" for reason, n in self.skip_reasons.most_common()]
        lines.append(f"findings: {sum(self.labels.values())}")
        lines += [f"  {label}: {n}" for label, n in sorted(self.labels.items())]
        return "\n".join(lines)
