"""The baseline: a bare Scrapy spider that only follows in-site links.

Same caps and politeness settings as ``clinicscan crawl --delay 0 --concurrency C``
(pages per site, link depth, per-site and global concurrency, download size and
retries), robots.txt obeyed through Scrapy's own RobotsTxtMiddleware, and no
item pipeline: pages are fetched, their links followed, nothing is stored.
Prints one line: ``pages N seconds S requests R`` (S from spider open to close).

    python benchmarks/bare_spider.py --seeds seeds.txt --concurrency 8
"""

from __future__ import annotations

import argparse
import time
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, seeds: list[str], max_pages: int, **kwargs):
        super().__init__(**kwargs)
        self.seeds = seeds
        self.max_pages = max_pages
        self.scheduled = {urlsplit(seed).netloc: 0 for seed in seeds}
        self.seen: set[str] = set()
        self.pages = 0

    async def start(self):
        for seed in self.seeds:
            request = self.follow(seed)
            if request:
                yield request

    def follow(self, url: str) -> scrapy.Request | None:
        url = url.split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc not in self.scheduled:
            return None
        if url in self.seen or self.scheduled[parts.netloc] >= self.max_pages:
            return None
        self.seen.add(url)
        self.scheduled[parts.netloc] += 1
        return scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        if not isinstance(response, scrapy.http.HtmlResponse):
            return
        self.pages += 1
        for href in response.css("a::attr(href)").getall():
            request = self.follow(response.urljoin(href))
            if request:
                yield request


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Bare Scrapy baseline crawl.")
    parser.add_argument("--seeds", required=True, help="File with one seed URL a line.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-pages", type=int, default=100_000)
    parser.add_argument("--max-depth", type=int, default=20)
    args = parser.parse_args(argv)
    with open(args.seeds) as handle:
        seeds = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    process = CrawlerProcess(
        {
            "BOT_NAME": "bare",
            "USER_AGENT": "bare-benchmark-spider",
            "ROBOTSTXT_OBEY": True,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "CONCURRENT_REQUESTS": max(16, min(256, args.concurrency * len(seeds))),
            "DOWNLOAD_TIMEOUT": 20,
            "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
            "RETRY_TIMES": 2,
            "DEPTH_LIMIT": args.max_depth,
            "DNSCACHE_ENABLED": True,
            "REACTOR_THREADPOOL_MAXSIZE": 4,
            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
            "ITEM_PIPELINES": {},
        }
    )
    crawler = process.create_crawler(BareSpider)
    times: dict[str, float] = {}

    def opened(spider):
        times["open"] = time.perf_counter()

    def closed(spider, reason):
        times["close"] = time.perf_counter()

    # Scrapy keeps weak references to receivers: these live until main() returns.
    crawler.signals.connect(opened, signal=signals.spider_opened)
    crawler.signals.connect(closed, signal=signals.spider_closed)
    process.crawl(crawler, seeds=seeds, max_pages=args.max_pages)
    process.start()
    stats = crawler.stats.get_stats()
    seconds = times["close"] - times["open"]
    print(
        f"pages {crawler.spider.pages} seconds {seconds:.3f} "
        f"requests {stats.get('downloader/request_count', 0)}",
        flush=True,
    )


if __name__ == "__main__":
    main()
