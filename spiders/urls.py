"""URL scoping and canonicalisation: one site per host, traps recognised by shape."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
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
# At most this many URLs of one shape (digits folded) per site: ends calendars and
# endless ?page=N chains while keeping ordinary pages.
MAX_URLS_PER_SHAPE = 40


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no session or tracking parameters."""
    parts = urlsplit(url.strip())
    path = _PATH_SESSION.sub("", parts.path) or "/"
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not VOLATILE_PARAMS.match(k)]
    )
    netloc = parts.netloc.lower().rsplit("@", 1)[-1]
    return canonicalize_url(urlunsplit((parts.scheme.lower(), netloc, path, query, "")))


def url_shape(url: str) -> str:
    """The URL with every digit run replaced: /cal/2024/05?page=3 -> /cal/N/N?page=N."""
    parts = urlsplit(url)
    return _DIGITS.sub("N", parts.path) + "?" + _DIGITS.sub("N", parts.query)


class TrapGuard:
    """Refuses URLs that look like crawler traps, counting URL shapes per site."""

    def __init__(self, max_per_shape: int = MAX_URLS_PER_SHAPE):
        self.max_per_shape = max_per_shape
        self.shapes: Counter = Counter()

    def refusal(self, site: str, url: str) -> str | None:
        """Why ``url`` is refused, or None to allow it (and count its shape)."""
        if len(url) > MAX_URL_LENGTH:
            return "url too long"
        segments = [s for s in urlsplit(url).path.split("/") if s]
        if len(segments) > MAX_PATH_SEGMENTS:
            return "path too deep"
        if any(count > 2 for count in Counter(segments).values()):
            return "repeating path segments"
        key = (site, url_shape(url))
        if self.shapes[key] >= self.max_per_shape:
            return "too many URLs of the same shape"
        self.shapes[key] += 1
        return None


def is_public_address(address: str) -> bool:
    """True for globally routable unicast addresses only."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified or not ip.is_global)


def in_scope(url: str, sites: set[str]) -> bool:
    """Whether ``url`` is http(s) on one of the crawled sites."""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and site_key(parts.netloc) in sites
