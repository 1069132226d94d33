"""URL scoping and canonicalisation: one site per host, traps recognised by shape."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from scanner.store import site_key

# Query parameters that carry sessions or tracking, never content.
VOLATILE_PARAMS = re.compile(
    r"^(utm_\w+|sid|sessionid|session_id|session|jsessionid|phpsessid|aspsessionid\w*|"
    r"cfid|cftoken|fbclid|gclid|msclkid|mc_cid|mc_eid|_ga|ref|replytocom)$",
    re.IGNORECASE,
)
_PATH_SESSION = re.compile(r";(jsessionid|sid|phpsessid)=[^/?#]*", re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
MAX_URL_LENGTH = 512
MAX_PATH_SEGMENTS = 12
# At most this many URLs of one shape per site may be found on pages of that same
# shape: ends endless calendars and ?page=N+1 chains, while any number of sibling
# pages linked from an index (/article/1 ... /article/500) are kept.
MAX_URLS_PER_SHAPE = 40


@lru_cache(maxsize=50_000)
def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, credentials, session or tracking parameters."""
    parts = urlsplit(url.strip())
    path = _PATH_SESSION.sub("", parts.path) or "/"
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not VOLATILE_PARAMS.match(k)
        ]
    )
    netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    return canonicalize_url(urlunsplit((parts.scheme.lower(), netloc, path, query, "")))


def url_shape(url: str) -> str:
    """The path with digit runs folded and the query's keys only: /cal/N/N?page."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return _DIGITS.sub("N", parts.path) + "?" + "&".join(keys)


class TrapGuard:
    """Refuses URLs that look like crawler traps: absurd paths, and shapes that keep
    generating themselves (a calendar's next month, a listing's next page)."""

    def __init__(self, max_per_shape: int = MAX_URLS_PER_SHAPE):
        self.max_per_shape = max_per_shape
        self.shapes: Counter = Counter()

    def refusal(self, site: str, url: str, referrer: str | None = None) -> str | None:
        """Why ``url`` (found on ``referrer``) is refused, or None to allow it."""
        if len(url) > MAX_URL_LENGTH:
            return "url too long"
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if len(segments) > MAX_PATH_SEGMENTS:
            return "path too deep"
        if any(count > 2 for count in Counter(segments).values()):
            return "repeating path segments"
        shape = url_shape(url)
        if referrer is None or url_shape(referrer) != shape:
            return None
        if self.shapes[site, shape] >= self.max_per_shape:
            return "too many self-linked URLs of the same shape"
        self.shapes[site, shape] += 1
        return None


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses only."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def in_scope(url: str, sites: set[str]) -> bool:
    """Whether ``url`` is http(s) on one of the crawled sites."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and site_key(parts.netloc) in sites
