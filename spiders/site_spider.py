"""The clinicscan spider: crawls each seed's site, politely, and yields one capture item
per fetched document (raw bytes plus the evidence an investigator asks for)."""

from __future__ import annotations

import gzip
from urllib.parse import urljoin, urlsplit

import scrapy
from protego import Protego
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.utils.sitemap import Sitemap

from scanner.spiders.urls import TrapGuard, canonical_url, in_scope
from scanner.store import site_key, utc_now

MAX_SITEMAP_BYTES = 20 * 1024 * 1024
_FAILURE_REASONS = {
    "CancelledError": "response larger than the size cap",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "DNSLookupError": "DNS lookup failed",
    "ConnectionRefusedError": "connection refused",
    "ResponseNeverReceived": "no response received",
}


class SiteSpider(scrapy.Spider):
    """Crawl the sites of ``seeds``; never leave them, never exceed the caps."""

    name = "clinicscan"

    def __init__(self, seeds: list[str], run_id: int, store, max_pages: int = 500,
                 max_depth: int = 20, stored: dict | None = None, progress=None, **kwargs):
        super().__init__(**kwargs)
        self.seeds = [canonical_url(s) for s in seeds]
        self.sites = {site_key(s) for s in self.seeds}
        self.run_id = run_id
        self.store = store
        self.stored = stored or {}
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.progress = progress
        self.traps = TrapGuard()
        self.scheduled: dict[str, int] = dict.fromkeys(self.sites, 0)
        self.seen: set[str] = set()
        self.links = LinkExtractor(
            deny_extensions=[e for e in IGNORED_EXTENSIONS if e != "pdf"],
            tags=("a", "area"),
            attrs=("href",),
            unique=True,
        )

    async def start(self):
        for seed in self.seeds:
            parts = urlsplit(seed)
            origin = f"{parts.scheme}://{parts.netloc}"
            request = self.page_request(seed, depth=0)
            if request:
                yield request
            yield scrapy.Request(f"{origin}/robots.txt", callback=self.parse_robots,
                                 errback=self.ignore, dont_filter=True,
                                 meta={"dont_obey_robotstxt": True, "robots_probe": True})
            yield scrapy.Request(f"{origin}/sitemap.xml", callback=self.parse_sitemap,
                                 errback=self.ignore, meta={"robots_probe": True})

    def page_request(self, url: str, depth: int) -> scrapy.Request | None:
        """A request for a page of one of the sites, or None if out of scope or capped."""
        url = canonical_url(url)
        if url in self.seen or not in_scope(url, self.sites) or depth > self.max_depth:
            return None
        site = site_key(urlsplit(url).netloc)
        if self.scheduled[site] >= self.max_pages:
            return None
        self.seen.add(url)
        refusal = self.traps.refusal(site, url)
        if refusal:
            if self.progress:
                self.progress.count(site, "trap_skipped")
            return None
        self.scheduled[site] += 1
        if self.progress:
            self.progress.count(site, "queued")
        return scrapy.Request(url, callback=self.parse_page, errback=self.on_error,
                              meta={"site": site, "page_depth": depth})

    def parse_page(self, response):
        meta = response.meta
        if not meta.get("from_store"):
            yield {"capture": self.capture(response), "body": response.body}
        if isinstance(response, scrapy.http.HtmlResponse) and 200 <= response.status < 300:
            for link in self.links.extract_links(response):
                request = self.page_request(link.url, meta["page_depth"] + 1)
                if request:
                    yield request

    def capture(self, response) -> dict:
        """The evidence record of a fetched response."""
        request = response.request
        chain = [*request.meta.get("redirect_urls", []), response.url]
        headers = {k.decode("latin-1"): [v.decode("latin-1") for v in values]
                   for k, values in response.headers.items()}
        return {
            "run_id": self.run_id,
            "site": request.meta["site"],
            "requested_url": chain[0],
            "final_url": response.url,
            "redirect_chain": chain,
            "status": response.status,
            "headers": headers,
            "server_ip": str(response.ip_address) if response.ip_address else None,
            "fetched_at": utc_now(),
            "user_agent": (request.headers.get("User-Agent") or b"").decode("latin-1"),
            "robots": request.meta.get("robots"),
            "content_type": (response.headers.get("Content-Type") or b"").decode("latin-1"),
            "depth": request.meta.get("page_depth"),
        }

    def on_error(self, failure):
        request = failure.request
        error = failure.value
        name = type(error).__name__
        reason = _FAILURE_REASONS.get(name) or str(error) or name
        chain = [*request.meta.get("redirect_urls", []), request.url]
        yield {
            "capture": {
                "run_id": self.run_id,
                "site": request.meta.get("site") or site_key(request.url),
                "requested_url": chain[0],
                "final_url": request.url,
                "redirect_chain": chain,
                "status": None,
                "headers": {},
                "server_ip": None,
                "fetched_at": utc_now(),
                "user_agent": (request.headers.get("User-Agent") or b"").decode("latin-1"),
                "robots": request.meta.get("robots"),
                "content_type": None,
                "depth": request.meta.get("page_depth"),
                "skip_reason": reason[:300],
            },
            "body": None,
        }

    def parse_robots(self, response):
        if not 200 <= response.status < 300:
            return
        robots = Protego.parse(response.body.decode("utf-8", "replace"))
        for url in robots.sitemaps:
            url = urljoin(response.url, url)
            if in_scope(url, self.sites):
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.ignore,
                                     meta={"robots_probe": True})

    def parse_sitemap(self, response):
        if not 200 <= response.status < 300:
            return
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)[:MAX_SITEMAP_BYTES]
            except (OSError, EOFError):
                return
        try:
            sitemap = Sitemap(body)
        except Exception:  # noqa: BLE001 - a malformed sitemap is simply not used
            return
        for entry in sitemap:
            url = urljoin(response.url, entry.get("loc", ""))
            if sitemap.type == "sitemapindex":
                if in_scope(url, self.sites):
                    yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.ignore,
                                         meta={"robots_probe": True})
            else:
                request = self.page_request(url, depth=1)
                if request:
                    yield request

    def ignore(self, failure):
        """Robots and sitemap probes may fail; the crawl goes on without them."""
        return None
