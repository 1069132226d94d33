"""Downloader middlewares: address safety, robots.txt per RFC 9309, resume from store."""

from __future__ import annotations

import ipaddress
import json
import socket
from urllib.parse import urlsplit, urlunsplit

from protego import Protego
from scanner.spiders.urls import in_scope, is_public_address
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.threads import deferToThread

from scanner.evidence import decoded_headers


class AddressGuardMiddleware:
    """Only http(s), no credentials, and no private/loopback/link-local/multicast/reserved
    addresses (checked after DNS resolution, on every redirect hop and on the address
    actually connected to), unless the crawl allows private addresses."""

    def __init__(self, allow_private: bool):
        self.allow_private = allow_private
        self.resolved: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getbool("CLINICSCAN_ALLOW_PRIVATE"))

    async def process_request(self, request: Request, spider=None):
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            raise IgnoreRequest(f"refused: scheme {parts.scheme} is not http or https")
        if parts.username or parts.password:
            clean = parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1])
            return request.replace(url=urlunsplit(clean))
        if self.allow_private:
            return None
        host = parts.hostname or ""
        if host not in self.resolved:
            self.resolved[host] = literal_address(host) or await maybe_deferred_to_future(
                deferToThread(resolve, host)
            )
        addresses = self.resolved[host]
        if not addresses:
            raise IgnoreRequest(f"refused: cannot resolve {host}")
        private = [a for a in addresses if not is_public_address(a)]
        if private:
            raise IgnoreRequest(f"refused: {host} resolves to non-public address {private[0]}")
        return None

    def process_response(self, request: Request, response, spider=None):
        ip = getattr(response, "ip_address", None)
        if ip is not None and not self.allow_private and not is_public_address(str(ip)):
            raise IgnoreRequest(f"refused: connected to non-public address {ip}")
        return response


def literal_address(host: str) -> list[str]:
    """``[host]`` if the host is an IP address literal, else an empty list."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        return []


def resolve(host: str) -> list[str]:
    """All addresses ``host`` resolves to (empty if it does not resolve)."""
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, None)})
    except (socket.gaierror, UnicodeError):
        return []


ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 section 2.5: parse at least 500 KiB


def parse_robots(body: bytes) -> Protego:
    """The rules of a robots.txt body (its first 500 KiB)."""
    return Protego.parse(body[:ROBOTS_MAX_BYTES].decode("utf-8", "replace"))


class RobotsMiddleware:
    """Obey robots.txt as RFC 9309 says: 2xx rules apply; 4xx means no restrictions;
    5xx or unreachable means disallow everything. The decision is kept in
    ``request.meta["robots"]`` for the evidence record."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.user_agent = crawler.settings["USER_AGENT"]
        self.policies: dict[str, tuple] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request: Request, spider=None):
        if request.meta.get("dont_obey_robotstxt"):
            request.meta.setdefault("robots", "not applicable (robots.txt itself)")
            return None
        parts = urlsplit(request.url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self.policies:
            waiter: Deferred = Deferred()
            self.policies[key] = waiter
            policy = await self._fetch(key)
            self.policies[key] = policy
            waiter.callback(policy)
        policy = self.policies[key]
        if isinstance(policy, Deferred):
            policy = await maybe_deferred_to_future(policy)
        kind, detail = policy
        if kind == "rules":
            if detail.can_fetch(request.url, self.user_agent):
                request.meta["robots"] = "allowed by robots.txt"
                return None
            request.meta["robots"] = "disallowed by robots.txt"
            raise IgnoreRequest("disallowed by robots.txt")
        if kind == "allow":
            request.meta["robots"] = detail
            return None
        request.meta["robots"] = detail
        raise IgnoreRequest(detail)

    async def _fetch(self, origin: str) -> tuple:
        robots = Request(
            f"{origin}/robots.txt",
            callback=NO_CALLBACK,
            priority=1000,
            meta={"dont_obey_robotstxt": True, "robots_probe": True},
        )
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as error:  # noqa: BLE001 - any failure to fetch means disallow
            return (
                "deny",
                f"robots.txt unreachable ({type(error).__name__}): "
                "all paths disallowed per RFC 9309",
            )
        if 200 <= response.status < 300:
            return ("rules", parse_robots(response.body))
        if 400 <= response.status < 500:
            return ("allow", f"robots.txt HTTP {response.status}: no restrictions per RFC 9309")
        return ("deny", f"robots.txt HTTP {response.status}: all paths disallowed per RFC 9309")


class StoredResponseMiddleware:
    """On a resumed run, answer requests for pages already stored from the database,
    so links are still followed but nothing is fetched, stored or classified twice."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None):
        spider = self.crawler.spider
        stored = getattr(spider, "stored", {}).get(request.url) if spider else None
        if not stored or not stored.get("sha256") or request.meta.get("robots_probe"):
            return None
        body = spider.store.body(stored["sha256"]) or b""
        headers = decoded_headers(json.loads(stored["headers"] or "{}"))
        response_class = responsetypes.from_args(
            headers=headers, url=stored["final_url"], body=body
        )
        request.meta["from_store"] = True
        return response_class(
            url=stored["final_url"],
            status=stored["status"] or 200,
            headers=headers,
            body=body,
            request=request,
            flags=["stored"],
        )


class WireHeadersMiddleware:
    """Keep the response headers exactly as the server sent them (decompression rewrites
    them) in ``request.meta["wire_headers"]``, for the evidence record. Runs next to
    the downloader, before any other middleware sees the response."""

    def process_response(self, request: Request, response, spider=None):
        request.meta["wire_headers"] = {
            name.decode("latin-1"): [value.decode("latin-1") for value in values]
            for name, values in response.headers.items()
        }
        return response


class ScopeMiddleware:
    """Drop redirect hops that leave the crawled sites or come back to a URL already on
    the chain (a redirect loop)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider=None):
        if request.meta.get("robots_probe"):
            return None
        if not in_scope(request.url, self.crawler.spider.sites):
            raise IgnoreRequest(f"redirected off-site: {request.url}")
        if request.url in request.meta.get("redirect_urls", ()):
            raise IgnoreRequest(f"redirect loop: back to {request.url}")
        return None
