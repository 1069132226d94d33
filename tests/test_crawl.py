"""Crawl behaviours of issue 2, each against loopback fixture sites.

One module-level crawl of a small clinic site (robots rules, off-site links,
sitemaps, redirects, a PNG, empty pages) answers most questions; caps and bad
inputs get their own short runs.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from conftest import run_cli
from fixture_sites import CLAIM, SiteFarm, captures, crawl, gzipped, html, links, rows
from rich.console import Console
from scanner.spiders.settings import crawl_settings
from scanner.spiders.urls import canonical_url, in_scope

from scanner.progress import CrawlProgress, format_summary
from scanner.store import site_key

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + bytes(64)


def sitemap(*urls: str, index: bool = False) -> tuple[int, dict, bytes]:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{u}</loc></{item}>" for u in urls)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><{tag} '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</{tag}>'
    )
    return 200, {"Content-Type": "application/xml"}, xml.encode()


@pytest.fixture(scope="module")
def clinic(tmp_path_factory):
    """A crawled clinic site next to an outsider site it links and redirects to."""
    tmp = tmp_path_factory.mktemp("clinic")
    with SiteFarm() as farm:
        outsider = farm({"/": html("Another clinic"), "/landing": html("Landing")})
        site = farm({})
        site.pages.update(
            {
                "/": html(
                    "<h1>Welcome</h1>"
                    + links(
                        "/about",
                        "/treatments",
                        "/private/secret",
                        "/not-for-us",
                        "/old",
                        "/away",
                        "/photo",
                        "/empty",
                        "/blank",
                        outsider.url("/"),
                    )
                    + f'<a href="{outsider.url("/x")}">x</a>'
                ),
                "/about": html("<p>About our clinic and its staff.</p>"),
                "/treatments": html(f"<p>{CLAIM}</p>"),
                "/private/secret": html("secret"),
                "/old": (301, {"Location": "/new"}, b""),
                "/new": html("<p>The new page after a redirect.</p>"),
                "/away": (302, {"Location": outsider.url("/landing")}, b""),
                "/photo": (200, {"Content-Type": "image/png"}, PNG),
                "/empty": (200, {"Content-Type": "text/html"}, b""),
                "/blank": html("", title=""),
                "/robots.txt": (
                    200,
                    {"Content-Type": "text/plain"},
                    f"User-agent: *\nDisallow: /private/\n\n"
                    "User-agent: clinicscan\nDisallow: /private/\nDisallow: /not-for-us\n\n"
                    f"Sitemap: {site.url('/maps/index.xml')}\n".encode(),
                ),
                "/maps/index.xml": sitemap(site.url("/maps/pages.xml.gz"), index=True),
                "/maps/pages.xml.gz": (
                    200,
                    {"Content-Type": "application/x-gzip"},
                    gzipped(sitemap(site.url("/only-in-gzip-sitemap"))[2]),
                ),
                "/only-in-gzip-sitemap": html("<p>Listed only in a gzipped sitemap.</p>"),
                "/sitemap.xml": sitemap(site.url("/only-in-sitemap")),
                "/only-in-sitemap": html("<p>Listed only in /sitemap.xml.</p>"),
            }
        )
        seeds = tmp / "seeds.txt"
        seeds.write_text(f"# clinics to audit\n\n{site.url('/')}   # the fixture clinic\n")
        db = tmp / "clinic.db"
        result = crawl(db, "--seeds", str(seeds), "--concurrency", "3")
        yield {
            "site": site,
            "outsider": outsider,
            "db": db,
            "result": result,
            "captures": captures(db),
        }


def test_crawl_finishes(clinic):
    assert clinic["result"].returncode == 0, clinic["result"].stderr
    assert re.search(r"run \d+ finished", clinic["result"].stderr)


def test_seeds_file_with_comments(clinic):
    (run,) = rows(clinic["db"], "SELECT * FROM runs")
    assert json.loads(run["seeds"]) == [clinic["site"].url("/")]


def test_robots_disallow_obeyed(clinic):
    site = clinic["site"]
    assert site.hits("/private/secret") == 0
    assert site.hits("/not-for-us") == 0, "the group naming clinicscan applies"
    capture = clinic["captures"][site.url("/private/secret")]
    assert capture["skip_reason"] == "disallowed by robots.txt"
    assert capture["robots"] == "disallowed by robots.txt"
    assert clinic["captures"][site.url("/about")]["robots"] == "allowed by robots.txt"


def test_offsite_links_not_followed(clinic):
    assert clinic["outsider"].hits() == {}
    assert not [
        u
        for u in clinic["captures"]
        if u.startswith(clinic["outsider"].origin) and not clinic["captures"][u]["skip_reason"]
    ]


def test_sitemap_only_pages_found(clinic):
    site = clinic["site"]
    for path in ("/only-in-sitemap", "/only-in-gzip-sitemap"):
        capture = clinic["captures"][site.url(path)]
        assert capture["status"] == 200 and capture["skip_reason"] is None


def test_in_site_redirect_followed_with_chain(clinic):
    site = clinic["site"]
    capture = clinic["captures"][site.url("/old")]
    assert capture["final_url"] == site.url("/new")
    assert capture["redirect_chain"] == [site.url("/old"), site.url("/new")]
    assert capture["status"] == 200 and capture["skip_reason"] is None


def test_offsite_redirect_refused_and_recorded(clinic):
    capture = clinic["captures"][clinic["site"].url("/away")]
    assert capture["skip_reason"].startswith("redirected off-site")
    assert capture["redirect_chain"][-1] == clinic["outsider"].url("/landing")
    assert clinic["outsider"].hits("/landing") == 0


def test_non_html_recorded_as_skipped(clinic):
    capture = clinic["captures"][clinic["site"].url("/photo")]
    assert capture["status"] == 200
    assert capture["skip_reason"] == "unsupported content type: image/png"


def test_empty_pages_recorded_as_skipped(clinic):
    site = clinic["site"]
    assert clinic["captures"][site.url("/empty")]["skip_reason"] == "empty document"
    assert clinic["captures"][site.url("/blank")]["skip_reason"] == "no visible text"


def test_user_agent_names_a_contact_url(clinic):
    agents = {h.get("User-Agent") for p, h in clinic["site"].requests}
    (agent,) = agents
    assert agent.startswith("clinicscan/") and re.search(r"\+https?://", agent)
    assert clinic["captures"][clinic["site"].url("/about")]["user_agent"] == agent


def test_delay_and_concurrency_recorded(clinic):
    (run,) = rows(clinic["db"], "SELECT options FROM runs")
    options = json.loads(run["options"])
    assert options["delay"] == 0 and options["concurrency"] == 3


def test_summary_counts_pages_skips_and_distinct_findings(clinic):
    db, stderr = clinic["db"], clinic["result"].stderr
    pages = rows(db, "SELECT COUNT(*) AS n FROM captures WHERE skip_reason IS NULL")[0]["n"]
    skipped = rows(db, "SELECT COUNT(*) AS n FROM captures WHERE skip_reason IS NOT NULL")[0]["n"]
    assert f"{pages} page(s) stored, {skipped} skipped" in stderr
    assert "skipped, disallowed by robots.txt: 2" in stderr
    assert "skipped, unsupported content type: 1" in stderr
    labels = rows(db, "SELECT label, COUNT(*) AS n FROM findings GROUP BY label")
    assert labels, "the claim page must give findings"
    assert f"findings: {sum(r['n'] for r in labels)}" in stderr
    for row in labels:
        assert f"  {row['label']}: {row['n']}" in stderr


def test_crawl_settings_apply_delay_and_concurrency():
    settings = crawl_settings(delay=2.5, concurrency=3, sites=10, timeout=7)
    assert settings["DOWNLOAD_DELAY"] == 2.5
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 3
    assert settings["CONCURRENT_REQUESTS"] >= 30
    assert settings["DOWNLOAD_TIMEOUT"] == 7
    assert settings["COOKIES_ENABLED"] is False


def test_caps_on_pages_and_depth(tmp_path):
    with SiteFarm() as farm:
        chain = farm(
            {
                "/": html(links("/a")),
                "/a": html(links("/b")),
                "/b": html(links("/c")),
                "/c": html("end"),
            }
        )
        wide = farm(
            {"/": html(links(*(f"/p{i}" for i in range(20))))},
            fallback=lambda handler: html("<p>a page</p>"),
        )
        db = tmp_path / "caps.db"
        result = crawl(
            db,
            chain.url("/"),
            wide.url("/"),
            "--max-pages",
            "5",
            "--max-depth",
            "1",
            "--concurrency",
            "4",
        )
        assert result.returncode == 0, result.stderr
        stored = captures(db)
    assert {u for u in stored if u.startswith(chain.origin)} == {chain.url("/"), chain.url("/a")}
    assert chain.hits("/b") == 0
    assert len([u for u in stored if u.startswith(wide.origin)]) == 5
    assert sum(n for path, n in wide.hits().items() if path.startswith("/p")) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--seeds", "missing-seeds.txt"), "cannot read seeds file"),
        (("--seeds", "binary-seeds.txt"), "cannot read seeds file"),
        (("--seeds", "."), "is a directory"),
        (("not a url",), "invalid URL"),
        (("http://",), "invalid URL"),
        (("http://[::1",), "invalid URL"),
        (("http://example.com:99999/",), "invalid URL"),
        (("ftp://example.com/",), "invalid URL"),
        (("javascript:alert(1)",), "invalid URL"),
        (("file:///etc/passwd",), "invalid URL"),
        (("http://127.0.0.1:9/",), "--allow-private"),
        (("http://localhost/",), "--allow-private"),
        (("http://10.1.2.3/",), "--allow-private"),
        (("http://169.254.169.254/latest/",), "--allow-private"),
        (("http://[::1]/",), "--allow-private"),
        ((), "no seed URLs"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, args, message):
    (tmp_path / "binary-seeds.txt").write_bytes(b"\xff\xfe\x00garbage\x81")
    db = tmp_path / "bad.db"
    result = run_cli("crawl", *args, "--db", str(db), cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert message in result.stderr
    assert not db.exists() or not rows(db, "SELECT * FROM captures")


def test_www_host_folds_into_one_site():
    assert site_key("www.Clinic.example") == "clinic.example"
    assert site_key("https://www.clinic.example:8443/x") == "clinic.example:8443"
    sites = {site_key("https://clinic.example/")}
    assert in_scope("https://www.clinic.example/about", sites)
    assert not in_scope("https://other.example/", sites)
    assert not in_scope("ftp://clinic.example/file", sites)


def test_canonical_url_drops_fragments_sessions_and_credentials():
    assert (
        canonical_url("HTTP://User:Pw@Clinic.Example/a;jsessionid=XYZ?b=2&sid=9&a=1#top")
        == "http://clinic.example/a?a=1&b=2"
    )


def test_live_progress_counts_distinct_findings():
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    finding = {"label": "safety_claim", "sentence": CLAIM}
    with CrawlProgress(["clinic.example"], live=True, console=console) as progress:
        progress.count("clinic.example", "queued", 3)
        for page in ("/a", "/b"):
            progress.record({"site": "clinic.example", "requested_url": page}, [finding])
        progress.record({"site": "clinic.example", "skip_reason": "timed out"}, [])
    assert dict(progress.counts["clinic.example"]) == {
        "queued": 3,
        "fetched": 2,
        "skipped": 1,
        "findings": 1,
    }
    assert "clinic.example" in console.file.getvalue()


def test_summary_groups_skip_reasons():
    summary = format_summary(
        2,
        {
            "pages": 5,
            "labels": {"safety_claim": 2, "unapproved_use": 1},
            "skipped": {
                "redirected off-site: http://a.example/": 1,
                "redirected off-site: http://b.example/": 1,
                "timed out": 1,
            },
        },
    )
    assert summary.splitlines() == [
        "2 site(s): 5 page(s) stored, 3 skipped",
        "  skipped, redirected off-site: 2",
        "  skipped, timed out: 1",
        "findings: 3",
        "  safety_claim: 2",
        "  unapproved_use: 1",
    ]
