"""The clinicscan spider: crawls each seed's site, politely, and yields one capture item
per fetched document (raw bytes, the evidence an investigator asks for, and what the
document says). Each document is analysed in a worker process (``spider.analyser``),
which also returns its links, so a page is parsed once."""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin, urlsplit

import scrapy
from scanner.spiders.middlewares import parse_robots
from scanner.spiders.urls import TrapGuard, canonical_url, in_scope
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from scanner.store import site_key, utc_now

MAX_SITEMAP_BYTES = 20 * 1024 * 1024
SIZE_CAP_REASON = "response larger than the size cap"
# Media types whose text is read; anything else is recorded without its bytes.
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/pdf")
# Download failures by exception name, as the reason a capture was skipped.
_FAILURE_REASONS = {
    "DownloadTimeoutError": "timed out",
    "TimeoutError": "timed out",
    "CancelledError": SIZE_CAP_REASON,
    "DownloadCancelledError": SIZE_CAP_REASON,
    "CannotResolveHostError": "DNS lookup failed",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionRefusedError": "connection refused",
    "ResponseNeverReceived": "connection closed without a response",
    "ConnectionDone": "connection closed without a response",
    "ConnectionLost": "connection lost",
    "ResponseDataLossError": "connection lost before the whole response arrived",
    "DownloadFailedError": "download failed",
}


def unreadable_reason(status: int | None, content_type: str) -> str | None:
    """Why a response's text is not read (an HTTP error, a media type with no text),
    or None to read it."""
    if not 200 <= (status or 0) < 300:
        return f"HTTP status {status}"
    media = content_type.split(";")[0].strip().lower()
    if media and media not in TEXT_TYPES:
        return f"unsupported content type: {media}"
    return None


def failure_reason(error: BaseException) -> str:
    """A short, stable skip reason for a failed request."""
    name = type(error).__name__
    text = str(error)
    if isinstance(error, IgnoreRequest):
        if "DOWNLOAD_MAXSIZE" in text:
            return f"{SIZE_CAP_REASON}: too large once decompressed"
        if text == "max redirections reached":
            return "redirect loop: too many redirects"
        return text or "ignored"
    reason = _FAILURE_REASONS.get(name)
    if reason == SIZE_CAP_REASON and text:
        return f"{reason}: {text.split(' in request ')[0]}"
    return reason or f"download failed: {name} {text}".strip()


class SiteSpider(scrapy.Spider):
    """Crawl the sites of ``seeds``; never leave them, never exceed the caps."""

    name = "clinicscan"

    def __init__(
        self,
        seeds: list[str],
        run_id: int,
        store,
        max_pages: int = 500,
        max_depth: int = 20,
        stored: dict | None = None,
        progress=None,
        **kwargs,
    ):
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

    async def start(self):
        for seed in self.seeds:
            parts = urlsplit(seed)
            origin = f"{parts.scheme}://{parts.netloc}"
            request = self.page_request(seed, depth=0)
            if request:
                yield request
            yield scrapy.Request(
                f"{origin}/robots.txt",
                callback=self.parse_robots,
                errback=self.ignore,
                dont_filter=True,
                meta={"dont_obey_robotstxt": True, "robots_probe": True},
            )
            yield self.sitemap_request(f"{origin}/sitemap.xml")

    def page_request(
        self, url: str, depth: int, referrer: str | None = None
    ) -> scrapy.Request | None:
        """A request for a page of one of the sites, or None if out of scope, capped or a
        trap. Requests are breadth-first (shallow pages first), so a trap deep in a site
        cannot starve its real pages, and are deduplicated here (not by Scrapy), so a
        redirect hop back to a known URL is seen as the loop it is."""
        url = canonical_url(url)
        if url in self.seen or not in_scope(url, self.sites) or depth > self.max_depth:
            return None
        site = site_key(urlsplit(url).netloc)
        if self.scheduled[site] >= self.max_pages:
            return None
        self.seen.add(url)
        if self.traps.refusal(site, url, referrer):
            if self.progress:
                self.progress.count(site, "trap_skipped")
            return None
        self.scheduled[site] += 1
        if self.progress:
            self.progress.count(site, "queued")
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            dont_filter=True,
            priority=-depth,
            meta={"site": site, "page_depth": depth},
        )

    def sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self.ignore,
            priority=100,
            meta={"robots_probe": True},
        )

    async def parse_page(self, response):
        """Analyse the page (in a worker, while fetching goes on), yield its capture item,
        then follow its links. A page replayed from the store on resume is only read for
        its links."""
        stored = response.meta.get("from_store")
        capture = self.capture(response)
        analysis = None
        skip_reason = unreadable_reason(capture["status"], capture["content_type"])
        if skip_reason is None:
            future = self.analyser.submit(
                response.body, capture["content_type"], response.url, classify=not stored
            )
            analysis = await asyncio.wrap_future(future)
        if not stored:
            capture["skip_reason"] = skip_reason
            yield {
                "capture": capture,
                "body": response.body,
                # The bytes of an image or other non-text type go to the WARC only.
                "store_body": skip_reason is None or skip_reason.startswith("HTTP"),
                "analysis": analysis,
            }
        if analysis is not None:
            for url in analysis.links:
                request = self.page_request(url, response.meta["page_depth"] + 1, response.url)
                if request:
                    yield request

    def capture(self, response) -> dict:
        """The evidence record of a fetched response."""
        return {
            **self._request_record(response.request, response.url),
            "status": response.status,
            "headers": response.meta["wire_headers"],
            "server_ip": str(response.ip_address) if response.ip_address else None,
            "content_type": (response.headers.get("Content-Type") or b"").decode("latin-1"),
        }

    def _request_record(self, request, final_url: str) -> dict:
        """The evidence fields known from the request: URLs, chain, agent, robots."""
        chain = [*request.meta.get("redirect_urls", []), final_url]
        return {
            "run_id": self.run_id,
            "site": request.meta.get("site") or site_key(chain[0]),
            "requested_url": chain[0],
            "final_url": final_url,
            "redirect_chain": chain,
            "fetched_at": utc_now(),
            "user_agent": (request.headers.get("User-Agent") or b"").decode("latin-1"),
            "robots": request.meta.get("robots"),
            "depth": request.meta.get("page_depth"),
        }

    def on_error(self, failure):
        """A request that produced no response is still recorded, with the reason."""
        request = failure.request
        capture = self._request_record(request, request.url)
        capture.update(
            status=None,
            headers={},
            server_ip=None,
            content_type=None,
            skip_reason=failure_reason(failure.value)[:300],
        )
        yield {"capture": capture, "body": None}

    def parse_robots(self, response):
        if not 200 <= response.status < 300:
            return
        for url in parse_robots(response.body).sitemaps:
            url = urljoin(response.url, url)
            if in_scope(url, self.sites):
                yield self.sitemap_request(url)

    def parse_sitemap(self, response):
        if not 200 <= response.status < 300:
            return
        try:
            body = response.body
            if body[:2] == b"\x1f\x8b":
                body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
            sitemap = Sitemap(body)
            entries = list(sitemap)
        except Exception:  # noqa: BLE001 - a broken or oversized sitemap is simply not used
            return
        for entry in entries:
            url = urljoin(response.url, entry.get("loc", ""))
            if sitemap.type == "sitemapindex":
                if in_scope(url, self.sites):
                    yield self.sitemap_request(url)
            else:
                request = self.page_request(url, depth=1)
                if request:
                    yield request

    def ignore(self, failure):
        """Robots and sitemap probes may fail; the crawl goes on without them."""
        return None
