"""Issue 4, "survive the web" and "safe by default": each behaviour against a loopback
fixture site, where the crawl must finish and keep every other page."""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import random
import time
from itertools import count
from pathlib import Path
from types import SimpleNamespace

import pytest
from fixture_sites import CLAIM, SiteFarm, captures, crawl, gzipped, html, links, rows
from scanner.spiders.middlewares import AddressGuardMiddleware
from scanner.spiders.urls import MAX_URLS_PER_SHAPE, TrapGuard
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from scanner.localsites import DropConnection

BROCHURE = Path(__file__).resolve().parent.parent / "demo/sites/renewspine-clinic/brochure.pdf"
TEXT = "\u201cCurly\u201d quotes, it\u2019s caf\u00e9 cr\u00e8me \u2013 na\u00efve"
MB = 1024 * 1024


def huge_stream(handler):
    """30 MB of HTML sent in chunks, with no length announced."""
    chunk = b"<p>" + b"a" * (MB - 3)
    return 200, {"Content-Type": "text/html"}, (chunk for _ in range(30))


def huge_declared(handler):
    """30 MB announced by Content-Length."""
    return (
        200,
        {"Content-Type": "text/html", "Content-Length": str(30 * MB)},
        (b"x" * MB for _ in range(30)),
    )


@functools.cache
def bomb() -> bytes:
    """A small gzip body that expands to 64 MB, beyond the 10 MB download cap."""
    return gzipped(b"<html><body><p>" + b" " * (64 * MB) + b"</p></body></html>")


def gzip_bomb(handler):
    return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb()


def slow(handler):
    time.sleep(3)
    return 200, {"Content-Type": "text/html"}, html("late")


def flaky():
    attempts = count(1)

    def answer(handler):
        if next(attempts) <= 2:
            return 503, {"Content-Type": "text/html", "Retry-After": "0"}, b"busy"
        return 200, {"Content-Type": "text/html"}, html("<p>Recovered after retries.</p>")

    return answer


def typed(body: bytes, content_type: str) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": content_type}, body


def charset_page(text: str) -> str:
    return html(f"<p>{text}</p>", title=text)


ROUGH_PAGES = {
    "/huge": huge_stream,
    "/huge-declared": huge_declared,
    "/bomb": gzip_bomb,
    "/junk": typed(random.Random(7).randbytes(50_000), "text/html"),
    "/malformed": typed(
        b"<html><body><div><p>Broken <b>markup <i>still read</div></span>"
        b"<td>cell</td><p>tail\x00 end",
        "text/html",
    ),
    "/cp1252": typed(charset_page(TEXT).encode("cp1252"), "text/html"),
    "/latin1": typed(
        charset_page("Caf\u00e9 cr\u00e8me na\u00efve").encode("latin-1"),
        "text/html; charset=ISO-8859-1",
    ),
    "/bom": typed(b"\xef\xbb\xbf" + charset_page(TEXT).encode(), "text/html; charset=latin-1"),
    "/wrong-charset": typed(charset_page(TEXT).encode("cp1252"), "text/html; charset=utf-8"),
    "/slow": slow,
    "/loop-a": (302, {"Location": "/loop-b"}, b""),
    "/loop-b": (302, {"Location": "/loop-a"}, b""),
    "/js-only": html("<div id='app'></div><script src='/app.js'></script>", title="App"),
    "/brochure.pdf": None,  # filled in by the fixture
    "/footer-1": html(f"<p>Knee care.</p><footer><p>{CLAIM}</p></footer>"),
    "/footer-2": html(f"<p>Back care.</p><footer><p>{CLAIM}</p></footer>"),
    "/set-cookie": (
        200,
        {"Content-Type": "text/html", "Set-Cookie": "session=abc123; Path=/"},
        html(links("/after-cookie")).encode(),
    ),
    "/after-cookie": html("<p>After the cookie.</p>"),
    "/members": html("<p>Members page.</p>"),
}


@pytest.fixture(scope="module")
def rough(tmp_path_factory):
    """One crawl of a site that does everything real sites do wrong."""
    tmp = tmp_path_factory.mktemp("rough")
    with SiteFarm() as farm:
        site = farm(dict(ROUGH_PAGES))
        host = site.origin.split("//")[1]
        site.pages["/brochure.pdf"] = typed(BROCHURE.read_bytes(), "application/pdf")
        site.pages["/flaky"] = flaky()
        site.pages["/"] = html(
            links(*(p for p in ROUGH_PAGES if p != "/members"), "/flaky")
            + f'<a href="http://user:secret@{host}/members">members</a>'
            '<a href="ftp://example.com/file">ftp</a>'
            '<a href="mailto:info@example.com">mail</a>'
            '<a href="javascript:alert(1)">js</a>'
            '<a href="file:///etc/passwd">file</a>'
            '<a href="data:text/html,hi">data</a>'
        )
        db = tmp / "rough.db"
        started = time.monotonic()
        result = crawl(
            db, site.url("/"), "--timeout", "2", "--concurrency", "4", "--warc", str(tmp / "warc")
        )
        yield SimpleNamespace(
            site=site,
            db=db,
            result=result,
            captures=captures(db),
            seconds=time.monotonic() - started,
            tmp=tmp,
        )


def capture_of(rough, path: str) -> dict:
    return rough.captures[rough.site.url(path)]


def test_rough_site_crawl_finishes_and_keeps_the_rest(rough):
    assert rough.result.returncode == 0, rough.result.stderr
    assert "Traceback" not in rough.result.stderr
    for path in ("/", "/malformed", "/cp1252", "/after-cookie", "/members", "/footer-2"):
        assert capture_of(rough, path)["skip_reason"] is None, path


@pytest.mark.parametrize("path", ["/huge", "/huge-declared", "/bomb"])
def test_huge_responses_and_bombs_skipped_for_size(rough, path):
    capture = capture_of(rough, path)
    assert "size" in capture["skip_reason"]
    assert capture["sha256"] is None


def test_binary_junk_skipped(rough):
    assert "binary" in capture_of(rough, "/junk")["skip_reason"]


def test_malformed_html_extracted(rough):
    capture = capture_of(rough, "/malformed")
    assert capture["skip_reason"] is None and capture["text_chars"] > 20


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/cp1252", TEXT),
        ("/latin1", "Caf\u00e9 cr\u00e8me na\u00efve"),
        ("/bom", TEXT),
        ("/wrong-charset", TEXT),
    ],
)
def test_charsets_come_out_right(rough, path, title):
    assert capture_of(rough, path)["title"] == title


def test_slow_page_times_out(rough):
    assert capture_of(rough, "/slow")["skip_reason"] == "timed out"


def test_5xx_recovers_after_retries(rough):
    capture = capture_of(rough, "/flaky")
    assert capture["status"] == 200 and capture["skip_reason"] is None
    assert rough.site.hits("/flaky") == 3


def test_redirect_loop_recorded(rough):
    capture = capture_of(rough, "/loop-a")
    assert capture["skip_reason"].startswith("redirect loop")
    assert rough.site.hits("/loop-a") + rough.site.hits("/loop-b") <= 4


def test_js_only_page_marked_needs_browser(rough):
    assert capture_of(rough, "/js-only")["needs_browser"] == 1
    assert capture_of(rough, "/malformed")["needs_browser"] == 0


def test_pdf_brochure_text_extracted(rough):
    capture = capture_of(rough, "/brochure.pdf")
    assert capture["skip_reason"] is None and capture["text_chars"] > 200
    assert rows(
        rough.db, "SELECT * FROM finding_pages WHERE url = ?", [rough.site.url("/brochure.pdf")]
    )


def test_boilerplate_claim_is_one_finding_on_every_page(rough):
    found = rows(rough.db, "SELECT id FROM findings WHERE sentence = ?", [CLAIM])
    assert found
    for finding in found:
        pages = rows(
            rough.db, "SELECT url FROM finding_pages WHERE finding_id = ?", [finding["id"]]
        )
        assert sorted(p["url"] for p in pages) == [
            rough.site.url("/footer-1"),
            rough.site.url("/footer-2"),
        ]


def test_only_http_and_https_fetched(rough):
    assert all(url.startswith("http://") for url in rough.captures)
    assert set(rough.captures) <= {rough.site.url(p) for p in [*ROUGH_PAGES, "/", "/flaky"]}


def test_no_cookies_sent(rough):
    assert rough.site.hits("/after-cookie") == 1
    for _, headers in rough.site.requests:
        assert "Cookie" not in headers


def test_no_credentials_sent(rough):
    assert rough.site.hits("/members") == 1
    (headers,) = rough.site.headers_of("/members")
    assert "Authorization" not in headers
    assert not [url for url in rough.captures if "secret" in url or "@" in url]


def test_rough_site_crawl_takes_seconds(rough):
    assert rough.seconds < 40


# -- robots.txt per RFC 9309 --------------------------------------------------------


def robots_sites(farm):
    def site(robots):
        return farm(
            {"/": html(links("/page")), "/page": html("<p>A page.</p>"), "/robots.txt": robots}
        )

    def drop(handler):
        raise DropConnection

    return {
        "missing": site(None),
        "forbidden": site((403, {}, b"no")),
        "error": site((500, {}, b"oops")),
        "unreachable": site(drop),
    }


@pytest.fixture(scope="module")
def robots(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("robots")
    with SiteFarm() as farm:
        sites = robots_sites(farm)
        db = tmp / "robots.db"
        result = crawl(db, *(s.url("/") for s in sites.values()))
        yield SimpleNamespace(sites=sites, result=result, captures=captures(db))


@pytest.mark.parametrize("kind", ["missing", "forbidden"])
def test_robots_4xx_means_crawl(robots, kind):
    site = robots.sites[kind]
    assert robots.captures[site.url("/page")]["status"] == 200
    assert "no restrictions" in robots.captures[site.url("/")]["robots"]


@pytest.mark.parametrize("kind", ["error", "unreachable"])
def test_robots_5xx_or_unreachable_means_disallow(robots, kind):
    site = robots.sites[kind]
    assert set(site.hits()) == {"/robots.txt"}
    capture = robots.captures[site.url("/")]
    assert capture["status"] is None and "disallowed" in capture["skip_reason"]
    assert robots.result.returncode == 0


# -- address safety (cases a loopback crawl cannot reach) ---------------------------


def guard(allow_private: bool = False) -> AddressGuardMiddleware:
    return AddressGuardMiddleware(allow_private)


def redirect_hop(url: str) -> Request:
    return Request(url, meta={"redirect_urls": ["https://clinic.example/old"]})


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://10.0.0.8/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://224.0.0.1/",
        "http://240.0.0.1/",
    ],
)
def test_redirect_to_private_address_refused(url):
    with pytest.raises(IgnoreRequest, match="non-public"):
        asyncio.run(guard().process_request(redirect_hop(url)))
    assert asyncio.run(guard(allow_private=True).process_request(redirect_hop(url))) is None


def test_host_resolving_to_private_address_refused():
    middleware = guard()
    middleware.resolved["clinic.example"] = ["93.184.216.34"]
    middleware.resolved["rebound.example"] = ["93.184.216.34", "192.168.1.1"]
    assert asyncio.run(middleware.process_request(Request("https://clinic.example/"))) is None
    with pytest.raises(IgnoreRequest, match="192.168.1.1"):
        asyncio.run(middleware.process_request(redirect_hop("https://rebound.example/")))


@pytest.mark.parametrize("url", ["ftp://clinic.example/", "file:///etc/passwd"])
def test_only_http_schemes(url):
    with pytest.raises(IgnoreRequest, match="scheme"):
        asyncio.run(guard(allow_private=True).process_request(Request(url)))


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("http://user:pw@clinic.example:8080/x", "http://clinic.example:8080/x"),
        ("http://user@[2001:db8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
    ],
)
def test_credentials_stripped_from_request(url, clean):
    cleaned = asyncio.run(guard(allow_private=True).process_request(Request(url)))
    assert cleaned.url == clean


def test_response_from_private_address_refused():
    request = Request("https://clinic.example/")
    response = SimpleNamespace(ip_address=ipaddress.ip_address("127.0.0.1"))
    with pytest.raises(IgnoreRequest, match="connected to non-public"):
        guard().process_response(request, response)
    public = SimpleNamespace(ip_address=ipaddress.ip_address("93.184.216.34"))
    assert guard().process_response(request, public) is public
    assert guard(allow_private=True).process_response(request, response) is response


# -- traps ----------------------------------------------------------------------------


def trap_page(handler) -> str | None:
    """Endless calendar months and ?page=N+1 listings; every page carries session ids."""
    path = handler.path
    token = random.randrange(10**9)
    session = f'<a href="/section/1?sid={token}">s</a><a href="/article/1;jsessionid={token}">j</a>'
    if path.startswith("/cal/"):
        year, month = (int(x) for x in path.split("/")[2:4])
        months = [
            (year + (month + d - 1) // 12, (month + d - 1) % 12 + 1) for d in (-13, -1, 1, 12)
        ]
        return html(links(*(f"/cal/{y}/{m:02d}" for y, m in months)) + session)
    if path.startswith("/list?page="):
        n = int(path.split("=")[1])
        return html(
            links(*(f"/list?page={n + d}" for d in (1, 2, 3)), f"/article/{n % 45}") + session
        )
    return None


@pytest.fixture(scope="module")
def trapped(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("traps")
    nav = links("/cal/2024/01", "/list?page=1")
    pages = {
        "/": html(nav + '<a href="docs/">docs</a>' + links(*(f"/section/{s}" for s in range(9)))),
        "/docs/": html('<a href="docs/">deeper</a>'),
    }
    for s in range(9):
        pages[f"/section/{s}"] = html(nav + links(*(f"/article/{s * 5 + i}" for i in range(5))))
    for a in range(45):
        pages[f"/article/{a}"] = html(nav + f"<p>Article {a} about knee care.</p>")
    with SiteFarm() as farm:
        site = farm(pages, fallback=trap_page)
        site.pages["/docs/docs/"] = site.pages["/docs/docs/docs/"] = pages["/docs/"]
        db = tmp / "traps.db"
        started = time.monotonic()
        result = crawl(db, site.url("/"), "--concurrency", "4")
        yield SimpleNamespace(
            site=site, result=result, captures=captures(db), seconds=time.monotonic() - started
        )


def test_traps_end_and_real_pages_kept(trapped):
    assert trapped.result.returncode == 0, trapped.result.stderr
    stored = {u for u, c in trapped.captures.items() if c["skip_reason"] is None}
    site = trapped.site
    for a in range(45):
        assert site.url(f"/article/{a}") in stored
    for s in range(9):
        assert site.url(f"/section/{s}") in stored


@pytest.mark.parametrize("prefix", ["/cal/", "/list?page="])
def test_trap_urls_capped(trapped, prefix):
    fetched = [u for u in trapped.captures if u.startswith(trapped.site.url(prefix))]
    assert 10 <= len(fetched) <= MAX_URLS_PER_SHAPE + 1


def test_session_ids_canonicalised(trapped):
    assert not [u for u in trapped.captures if "sid=" in u or "jsessionid" in u]
    hits = trapped.site.hits()
    assert not [path for path in hits if "sid" in path]
    assert hits["/section/1"] == 1 and hits["/article/1"] == 1


def test_relative_path_trap_ended(trapped):
    docs = [u for u in trapped.captures if "/docs/" in u]
    assert 1 <= len(docs) <= 3


def test_trap_laden_site_finishes_in_seconds(trapped):
    assert trapped.seconds < 30


def test_trap_guard_caps_self_linked_shapes_not_siblings():
    guard = TrapGuard(max_per_shape=3)
    index = "http://c.example/articles"
    for i in range(10):
        assert guard.refusal("c", f"http://c.example/article/{i}", index) is None
    listing = "http://c.example/list?page=1"
    verdicts = [guard.refusal("c", f"http://c.example/list?page={i}", listing) for i in range(2, 7)]
    assert verdicts[:3] == [None, None, None] and all(verdicts[3:])
    assert guard.refusal("c", "http://c.example/list?page=99") is None, "sitemap URLs pass"
    assert guard.refusal("c", "http://c.example/a/b/a/b/a/x") == "repeating path segments"
    assert guard.refusal("c", "http://c.example/" + "x" * 600) == "url too long"
