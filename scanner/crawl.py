"""Run a crawl in-process: validate seeds, open or resume the run, start Scrapy."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scanner import USER_AGENT, __version__
from scanner.progress import CrawlProgress, format_summary
from scanner.spiders.middlewares import resolve
from scanner.spiders.urls import canonical_url, is_public_address
from scanner.store import Store, site_key


class CrawlInputError(ValueError):
    """A seed or option is unusable; the message names it."""


@dataclass
class CrawlOptions:
    """Everything that defines a crawl; the same options resume the same run."""

    max_pages: int = 500
    max_depth: int = 20
    delay: float = 1.0
    concurrency: int = 1
    allow_private: bool = False
    timeout: float = 20.0


def validate_seed(url: str, allow_private: bool) -> str:
    """The canonical form of a seed URL, or CrawlInputError naming the problem."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise CrawlInputError(f"invalid URL {url!r}: {error}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CrawlInputError(f"invalid URL {url!r}: need http:// or https:// and a host")
    if not allow_private:
        addresses = resolve(parts.hostname)
        if not addresses:
            raise CrawlInputError(f"cannot resolve host {parts.hostname!r} in {url}")
        private = [a for a in addresses if not is_public_address(a)]
        if private:
            raise CrawlInputError(
                f"refusing {url}: {parts.hostname} resolves to non-public address {private[0]} "
                "(use --allow-private to crawl local or private networks)"
            )
    return canonical_url(url)


def read_seeds_file(path: Path) -> list[str]:
    """One URL a line; blank lines and ``#`` comments ignored."""
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CrawlInputError(f"cannot read seeds file {path}: {error}") from None
    return [
        line.split("#", 1)[0].strip() for line in text.splitlines() if line.split("#", 1)[0].strip()
    ]


def job_key(seeds: list[str], options: CrawlOptions) -> str:
    """Identifies a crawl so that running the same command again resumes it."""
    payload = json.dumps({"seeds": sorted(seeds), "options": asdict(options)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:20]


def run_crawl(
    seeds: list[str],
    db_path: Path,
    options: CrawlOptions,
    warc_dir: Path | None = None,
    live: bool = False,
    workers: int | None = None,
) -> dict:
    """Crawl ``seeds`` into ``db_path``; return a summary. Blocks until done.

    Documents are read and classified in ``workers`` processes (default: one per core;
    0 classifies in the crawl process itself).
    """
    seeds = list(dict.fromkeys(validate_seed(s, options.allow_private) for s in seeds))
    if not seeds:
        raise CrawlInputError("no seed URLs given")
    from scanner.analyse import Analyser, default_workers
    from scanner.models import shipped_versions

    versions = shipped_versions()
    analyser = Analyser(default_workers() if workers is None else workers)
    store = Store(db_path)
    run_id, resumed = store.open_run(
        job_key(seeds, options),
        seeds,
        asdict(options),
        {"tool_version": __version__, **versions},
        USER_AGENT,
    )
    stored = store.stored_captures(run_id) if resumed else {}
    progress = CrawlProgress([site_key(s) for s in seeds], live=live)
    warc = None
    if warc_dir is not None:
        from scanner.warc import WarcArchive

        warc = WarcArchive(Path(warc_dir), run_id)
    status = "interrupted"
    try:
        with progress:
            spider_args = {
                "run_id": run_id,
                "store": store,
                "stored": stored,
                "progress": progress,
                "analyser": analyser,
                "versions": versions,
                "warc": warc,
            }
            finished = _run_scrapy(seeds, options, spider_args)
        status = "finished" if finished else "interrupted"
    finally:
        analyser.close()
        store.close_run(run_id, status)
        if warc is not None:
            warc.close()
    summary = {
        "run_id": run_id,
        "resumed": resumed,
        "status": status,
        "summary": format_summary(len(seeds), store.run_summary(run_id)),
        "warc": str(warc.path) if warc else None,
    }
    store.close()
    return summary


def _run_scrapy(seeds: list[str], options: CrawlOptions, spider_args: dict) -> bool:
    """Run the spider over ``seeds``; True if it finished rather than being interrupted."""
    from scrapy.crawler import CrawlerProcess

    from scanner.spiders.settings import crawl_settings
    from scanner.spiders.site_spider import SiteSpider

    settings = crawl_settings(options.delay, options.concurrency, len(seeds), options.timeout)
    settings["CLINICSCAN_ALLOW_PRIVATE"] = options.allow_private
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(SiteSpider)
    outcome = {}

    def closed(spider, reason):
        outcome["reason"] = reason

    from scrapy import signals

    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(
        crawler,
        seeds=seeds,
        max_pages=options.max_pages,
        max_depth=options.max_depth,
        tool_version=__version__,
        **spider_args,
    )
    process.start()
    return outcome.get("reason") == "finished"
