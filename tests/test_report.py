"""Issue 5, the HTML report: self-contained, every claim in context with its evidence
and citation, a visible needs-review group, and page content that can never run.

The synthetic database built here (``build_database``) is shared with
test_exports.py and test_report_browser.py.
"""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path

import lxml.html
import pytest
from conftest import run_cli
from scanner.reports.html import sentence_in_context, web_href, write_report

from scanner.rulepack import load_rulepack
from scanner.store import Filters, Store

ALPHA, BETA, GAMMA = "alpha-clinic.example", "beta-stem.example", "gamma.example"
SCRIPT_TAG = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
SVG_ONLOAD = "</textarea><svg onload=alert(1)>"
TEMPLATE = "{{7*7}}"
FLAG_ONERROR = '"><img src=x onerror=window.__pwned=1>'
PAYLOADS = (SCRIPT_TAG, IMG_ONERROR, SVG_ONLOAD, TEMPLATE, FLAG_ONERROR)
JS_URL = "javascript:alert(1)"

CURE = "Our stem cell injections cure knee arthritis."
CURE_PARAGRAPH = f"Welcome to Alpha. {CURE} Call us today."
MIRACLE = f"A miracle {IMG_ONERROR} for every patient."
SAFE = f"{SVG_ONLOAD} Completely safe, with no side effects."
SAFE_PARAGRAPH = f"Photo: {FLAG_ONERROR} {TEMPLATE} {SAFE} {SCRIPT_TAG}"
FOOTER = "Our laboratory is FDA registered, so every product is FDA approved."
WALK = "Patients walk pain-free in 3 days."
REVIEW_BETA = "Cord tissue may support healthy joints."
RECRAWL = "Exosome therapy reverses ageing."


def capture(run_id: int, site: str, path: str, **fields) -> dict:
    """A capture dict as the crawler stores it."""
    url = f"https://{site}{path}"
    return {
        "run_id": run_id,
        "site": site,
        "requested_url": url,
        "final_url": fields.pop("final_url", url),
        "redirect_chain": [],
        "status": fields.pop("status", 200),
        "headers": {"content-type": "text/html"},
        "server_ip": "192.0.2.10",
        "fetched_at": fields.pop("fetched_at", f"2026-11-0{run_id}T10:00:00Z"),
        "user_agent": "clinicscan-test (+https://example.org/contact)",
        "robots": "allowed",
        "content_type": "text/html",
        "depth": 1,
        "model_version": "test-model",
        "rules_version": "test-rules",
        **fields,
    }


def finding(label: str, sentence: str, paragraph: str | None = None, **fields) -> dict:
    """A classifier finding placed inside its paragraph."""
    paragraph = paragraph or sentence
    start = fields.pop("start", 100)
    rulepack = load_rulepack()
    return {
        "label": label,
        "sentence": sentence,
        "start": start,
        "end": start + len(sentence),
        "score": fields.pop("score", 0.9),
        "rule": f"CSM-{label.upper().replace('_', '-')}",
        "citation": rulepack.labels[label]["citation"],
        "message": rulepack.message_for(label),
        "needs_review": fields.pop("needs_review", False),
        "paragraph": paragraph,
        "paragraph_offset": paragraph.index(sentence),
    }


def page(capture_fields: dict, findings: list[dict] = (), body: bytes | None = b"<html></html>"):
    return {"capture": capture_fields, "body": body, "findings": list(findings)}


def open_run(store: Store, seeds: list[str], key: str) -> int:
    versions = {
        "tool_version": "0.1.0",
        "rules_version": "test-rules",
        "model_version": "test-model",
    }
    run_id, _ = store.open_run(key, seeds, {"max_pages": 10}, versions, "clinicscan-test")
    return run_id


def build_database(path: Path) -> Path:
    """Three sites over two runs, with injection payloads in every page-derived field.

    alpha: 4 flagged and 1 needs-review finding, a footer claim on 3 pages, a
    javascript: final URL and a hostile title. beta: run 1 has two findings, the
    later run 2 (its latest) one. gamma: one clean page and two skipped pages.
    """
    store = Store(path)
    run1 = open_run(store, [f"https://{s}/" for s in (ALPHA, BETA, GAMMA)], "job-1")
    footer = finding("fda_status_claim", FOOTER, score=0.91, start=900)
    store.save_pages(
        [
            page(
                capture(run1, ALPHA, "/", title=f"Alpha {SCRIPT_TAG} Clinic {IMG_ONERROR}"),
                [
                    finding("unapproved_use", CURE, CURE_PARAGRAPH, score=0.97),
                    finding("miracle_language", MIRACLE, score=0.62, needs_review=True),
                    footer,
                ],
                body=b"<html>alpha home</html>",
            ),
            page(
                capture(run1, ALPHA, "/treatments", final_url=JS_URL, title=SVG_ONLOAD),
                [finding("safety_claim", SAFE, SAFE_PARAGRAPH, score=0.88), footer],
                body=b"<html>alpha treatments</html>",
            ),
            page(capture(run1, ALPHA, "/contact"), [footer], body=b"<html>contact</html>"),
            page(capture(run1, ALPHA, "/about"), [finding("recovery_time", WALK, score=0.8)]),
            page(
                capture(run1, BETA, "/"),
                [
                    finding("recovery_time", WALK, score=0.93),
                    finding("unapproved_use", REVIEW_BETA, score=0.55, needs_review=True),
                ],
                body=b"<html>beta run 1</html>",
            ),
            page(capture(run1, GAMMA, "/"), body=b"<html>gamma, nothing to flag</html>"),
            page(
                capture(run1, GAMMA, "/private", skip_reason="disallowed by robots.txt"),
                body=None,
            ),
            page(
                capture(run1, GAMMA, "/gone", status=404, skip_reason="HTTP status 404"), body=None
            ),
        ]
    )
    store.close_run(run1, "finished")
    run2 = open_run(store, [f"https://{BETA}/"], "job-2")
    store.save_pages(
        [
            page(
                capture(run2, BETA, "/"),
                [finding("unapproved_use", RECRAWL, score=0.99)],
                body=b"<html>beta run 2</html>",
            )
        ]
    )
    store.close_run(run2, "finished")
    store.close()
    return path


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    return build_database(tmp_path_factory.mktemp("report") / "clinicscan.db")


def render(database: Path, out: Path, filters: Filters | None = None) -> tuple[dict, str]:
    """Write the report and return (summary, HTML)."""
    store = Store(database, create=False)
    try:
        summary = write_report(
            store, filters or Filters(), out, generated_at="2026-11-24T12:00:00Z"
        )
    finally:
        store.close()
    return summary, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(database, tmp_path_factory) -> tuple[dict, str]:
    return render(database, tmp_path_factory.mktemp("out") / "report.html")


@pytest.fixture(scope="module")
def tree(report):
    return lxml.html.fromstring(report[1])


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def findings_in(tree) -> list:
    return tree.xpath('//article[contains(@class, "finding")]')


def finding_with(tree, sentence: str):
    """The finding article whose highlighted sentence is ``sentence``."""
    matches = [a for a in findings_in(tree) if a.xpath("string(.//mark)") == sentence]
    assert len(matches) == 1, f"expected one finding for {sentence!r}, got {len(matches)}"
    return matches[0]


# -- self-contained and inert ---------------------------------------------------------------


def test_report_is_one_file_that_requests_nothing(tree, report):
    assert not tree.xpath("//*[@src]"), "no element may load a resource"
    assert not tree.xpath('//link[not(@rel="icon")]'), "no stylesheet or preload links"
    assert tree.xpath('//link[@rel="icon"]/@href') == ["data:,"]
    assert len(tree.xpath("//style")) == 1 and len(tree.xpath("//script")) == 1
    assert "@import" not in report[1] and "url(" not in tree.xpath("string(//style)")
    policy = tree.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy


def test_injection_payloads_stay_text(tree, report):
    html = report[1]
    scripts = tree.xpath("//script")
    assert len(scripts) == 1 and "alert" not in scripts[0].text
    assert not tree.xpath("//img | //svg//*[@onload] | //textarea | //iframe | //object")
    for element in tree.iter():
        if isinstance(element.tag, str):
            assert not [a for a in element.attrib if a.lower().startswith("on")], element.tag
            assert "style" not in element.attrib
    hrefs = tree.xpath("//@href")
    assert not [h for h in hrefs if not re.match(r"^(https?://|#|data:,$)", h)], hrefs
    page_text = text_of(tree)
    for payload in PAYLOADS:
        assert payload in page_text, payload
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert " 49 " not in page_text.replace(TEMPLATE, "")


def test_javascript_url_is_shown_as_text_not_linked(tree):
    article = finding_with(tree, SAFE)
    assert JS_URL in [text_of(s) for s in article.xpath('.//span[@class="url-text"]')]
    assert not [h for h in article.xpath(".//@href") if "javascript" in h.lower()]


def test_page_data_never_reaches_script_or_style(tree):
    script_and_style = tree.xpath("string(//script)") + tree.xpath("string(//style)")
    for value in (ALPHA, CURE, "alert(1)", "onerror", JS_URL, TEMPLATE):
        assert value not in script_and_style


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/",
        "/relative/path",
        "https:evil.example",
        "http://a b.example/",
        "http://[::1/unclosed",
        None,
        "",
    ],
)
def test_web_href_refuses_anything_but_absolute_http(url):
    assert web_href(url) is None


def test_web_href_keeps_http_and_https():
    assert web_href("https://clinic.example/a?b=1#c") == "https://clinic.example/a?b=1#c"
    assert web_href("HTTP://clinic.example/") == "HTTP://clinic.example/"


# -- each finding in context -------------------------------------------------------------------


def test_sentence_is_highlighted_inside_its_paragraph(tree):
    article = finding_with(tree, CURE)
    quote = article.xpath('.//blockquote[@class="context"]/p')[0]
    assert text_of(quote) == CURE_PARAGRAPH
    assert quote.xpath("string(mark)") == CURE
    hostile = finding_with(tree, SAFE).xpath('.//blockquote[@class="context"]/p')[0]
    assert hostile.text_content() == SAFE_PARAGRAPH


def test_sentence_in_context_splits_trims_and_falls_back():
    assert sentence_in_context("One. Two. Three.", 5, "Two.") == {
        "before": "One. ",
        "sentence": "Two.",
        "after": " Three.",
    }
    assert sentence_in_context("One. Two.", 0, "Two.")["before"] == "One. "
    assert sentence_in_context("Elsewhere.", 0, "Two.") == {
        "before": "",
        "sentence": "Two.",
        "after": "",
    }
    long = sentence_in_context("word " * 300 + "Claim." + " tail" * 300, 1500, "Claim.")
    assert long["before"].startswith("…") and long["after"].endswith("…")
    assert len(long["before"]) <= 401 and len(long["after"]) <= 401


def test_finding_has_label_score_message_citation_and_evidence(tree):
    rulepack = load_rulepack()
    article = finding_with(tree, CURE)
    text = text_of(article)
    assert "Unapproved use" in text and "score 0.97" in text
    assert " ".join(rulepack.message_for("unapproved_use").split()) in text
    citation_id = rulepack.labels["unapproved_use"]["citation"]
    source = rulepack.citations[citation_id]
    link = article.xpath('.//a[@class="cite-link"]')[0]
    assert link.get("href") == source["url"] and text_of(link) == citation_id
    assert " ".join(source["title"].split()) in text
    evidence = {
        text_of(row.xpath("dt")[0]): text_of(row.xpath("dd")[0])
        for row in article.xpath('.//dl[@class="evidence"]/div')
    }
    assert evidence["URL"] == evidence["Final URL"] == f"https://{ALPHA}/"
    assert evidence["Captured (UTC)"] == "2026-11-01T10:00:00Z"
    assert re.fullmatch(r"[0-9a-f]{64}", evidence["SHA-256"])
    assert evidence["Page title"] == f"Alpha {SCRIPT_TAG} Clinic {IMG_ONERROR}"


def test_every_page_a_sentence_appears_on_is_listed(tree):
    article = finding_with(tree, FOOTER)
    pages = [
        text_of(li.xpath("(a|span)")[0]) for li in article.xpath('.//details[@class="pages"]//li')
    ]
    assert sorted(pages) == sorted([f"https://{ALPHA}/", f"https://{ALPHA}/contact", JS_URL])
    assert "Appears on 3 pages" in text_of(article.xpath(".//summary")[0])


def test_needs_review_findings_sit_in_their_own_visible_group(tree):
    alpha = tree.xpath(f'//section[@class="site"][@data-site="{ALPHA}"]')[0]
    flagged_group, review_group = alpha.xpath('./section[@class="group"]')
    assert text_of(flagged_group.xpath("h3")[0]) == "Flagged (4)"
    assert text_of(review_group.xpath("h3")[0]) == "Needs review (1)"
    assert [a.xpath("string(.//mark)") for a in review_group.xpath(".//article")] == [MIRACLE]
    assert "needs review" in text_of(review_group.xpath(".//article//h4")[0])
    assert MIRACLE not in [a.xpath("string(.//mark)") for a in flagged_group.xpath(".//article")]
    scores = [float(a.get("data-score")) for a in flagged_group.xpath(".//article")]
    assert scores == sorted(scores, reverse=True)
    assert not review_group.xpath(".//article[@hidden]"), "needs review is never hidden"


def test_findings_carry_data_attributes_for_the_filters(tree):
    for article in findings_in(tree):
        assert article.get("data-label") in load_rulepack().labels
        assert article.get("data-site") in (ALPHA, BETA)
        assert 0 <= float(article.get("data-score")) <= 1


# -- overview ------------------------------------------------------------------------------------


def test_overview_counts_runs_pages_and_skip_reasons(tree, report):
    summary, _ = report
    assert summary["findings"] == 6 and summary["needs_review"] == 1 and summary["sites"] == 3
    figures = {
        text_of(d.xpath("dt")[0]): text_of(d.xpath("dd")[0])
        for d in tree.xpath('//dl[@class="figures"]/div')
    }
    assert figures == {
        "Sites": "3",
        "Pages read": "6",
        "Pages skipped": "2",
        "Findings flagged": "5",
        "Findings to review": "1",
    }
    reasons = {
        text_of(tr.xpath("td")[0]): text_of(tr.xpath("td")[1])
        for tr in tree.xpath('//table[@class="skip-reasons"]/tbody/tr')
    }
    assert reasons == {"disallowed by robots.txt": "1", "HTTP status 404": "1"}
    runs = [text_of(tr.xpath("td")[0]) for tr in tree.xpath('//table[@class="runs"]/tbody/tr')]
    assert runs == ["1", "2"]


def test_charts_are_inline_svg_by_label_and_by_site(tree):
    label_chart = tree.xpath('//section[@id="by-label"]//svg')[0]
    assert label_chart.get("role") == "img"
    assert "Unapproved use: 2 flagged, 0 needs review." in text_of(label_chart.xpath("desc")[0])
    site_chart = tree.xpath('//section[@id="by-site"]//svg')[0]
    assert f"{ALPHA}: 4 flagged, 1 needs review." in text_of(site_chart.xpath("desc")[0])
    assert f"{BETA}: 1 flagged, 0 needs review." in text_of(site_chart.xpath("desc")[0])


def test_sites_are_ranked_by_seriousness(tree):
    rows = tree.xpath('//table[@class="ranking"]/tbody/tr')
    assert [text_of(r.xpath("th")[0]) for r in rows] == [ALPHA, BETA, GAMMA]
    sections = [s.get("data-site") for s in tree.xpath('//section[@class="site"]')]
    assert sections == [ALPHA, BETA, GAMMA]
    assert [r.xpath("th/a/@href")[0] for r in rows] == ["#site-1", "#site-2", "#site-3"]


def test_default_report_uses_each_sites_latest_run(tree):
    marks = [a.xpath("string(.//mark)") for a in findings_in(tree) if a.get("data-site") == BETA]
    assert marks == [RECRAWL]


def test_run_filter_reports_an_earlier_run(database, tmp_path):
    _, html = render(database, tmp_path / "run1.html", Filters(run=1))
    marks = {a.xpath("string(.//mark)") for a in findings_in(lxml.html.fromstring(html))}
    assert {WALK, REVIEW_BETA} <= marks and RECRAWL not in marks


def test_label_and_min_score_filters(database, tmp_path):
    filters = Filters(label="recovery_time", min_score=0.85, run=1)
    _, html = render(database, tmp_path / "f.html", filters)
    articles = findings_in(lxml.html.fromstring(html))
    assert [(a.get("data-label"), a.get("data-site")) for a in articles] == [
        ("recovery_time", BETA)
    ]
    assert "label recovery_time, score at least 0.85, crawl run 1" in html


# -- --site, empty database, accessibility ---------------------------------------------------------


def test_site_option_limits_the_report_to_one_site(database, tmp_path):
    summary, html = render(database, tmp_path / "beta.html", Filters(site=f"www.{BETA}"))
    tree = lxml.html.fromstring(html)
    assert [s.get("data-site") for s in tree.xpath('//section[@class="site"]')] == [BETA]
    assert {a.get("data-site") for a in findings_in(tree)} == {BETA}
    assert summary["sites"] == 1 and summary["findings"] == 1
    assert BETA in text_of(tree.xpath("//h1")[0])
    assert ALPHA not in html and CURE not in html


def test_site_option_through_the_cli(database, tmp_path):
    out = tmp_path / "alpha.html"
    result = run_cli("report", "--db", str(database), "--out", str(out), "--site", ALPHA)
    assert result.returncode == 0, result.stderr
    tree = lxml.html.fromstring(out.read_text(encoding="utf-8"))
    assert {a.get("data-site") for a in findings_in(tree)} == {ALPHA}
    assert len(findings_in(tree)) == 5


def test_unknown_site_says_so(database, tmp_path):
    _, html = render(database, tmp_path / "none.html", Filters(site="nowhere.example"))
    text = text_of(lxml.html.fromstring(html))
    assert "The database holds no crawled pages from nowhere.example" in text


def test_empty_database_is_a_plain_valid_report(tmp_path):
    Store(tmp_path / "empty.db").close()
    summary, html = render(tmp_path / "empty.db", tmp_path / "empty.html")
    tree = lxml.html.fromstring(html)
    assert summary["findings"] == 0 and summary["sites"] == 0
    assert "The database holds no crawled pages, so there are no findings to report." in text_of(
        tree
    )
    assert len(tree.xpath("//h1")) == 1 and not findings_in(tree)
    assert not tree.xpath('//form[@id="filters"]')
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def test_site_without_findings_says_so(database, tmp_path):
    _, html = render(database, tmp_path / "gamma.html", Filters(site=GAMMA))
    tree = lxml.html.fromstring(html)
    assert "No findings: none of the 1 page read on 1 site contains wording" in text_of(tree)
    assert "Skipped pages (2)" in text_of(tree)


def test_headings_are_ordered_and_controls_labelled(tree):
    assert len(tree.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in tree.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
    assert levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    labelled = set(tree.xpath("//label/@for"))
    controls = tree.xpath("//input | //select")
    assert controls and all(c.get("id") in labelled for c in controls)
    assert tree.get("lang") == "en"
    assert tree.xpath('//a[@class="skip-link"]/@href') == ["#findings"]


def test_print_stylesheet_hides_filters_and_expands_everything(tree):
    css = tree.xpath("string(//style)")
    print_rules = css[css.index("@media print") :]
    assert ".filters" in print_rules and "display: none" in print_rules
    assert "details::details-content" in print_rules and ".finding[hidden]" in print_rules


# -- scale ----------------------------------------------------------------------------------


def test_report_memory_stays_flat_as_findings_grow(tmp_path):
    """Writing 1,000 findings peaks at about the memory that writing 10 takes."""
    small_peak, _ = report_peak_memory(tmp_path / "small", pages=10)
    large_peak, large_html = report_peak_memory(tmp_path / "large", pages=1000)
    assert len(findings_in(lxml.html.fromstring(large_html.read_bytes()))) == 1000
    assert large_peak < small_peak + large_html.stat().st_size / 20, (small_peak, large_peak)


def report_peak_memory(folder: Path, pages: int) -> tuple[int, Path]:
    """Peak Python memory while writing the report of a ``pages``-page site."""
    folder.mkdir()
    store = Store(folder / "clinicscan.db")
    run_id = open_run(store, [f"https://{ALPHA}/"], "scale")
    store.save_pages(
        [
            page(
                capture(run_id, ALPHA, f"/p{n}"),
                [finding("unapproved_use", f"Stem cells cure condition number {n}.")],
                body=f"<html>{n}</html>".encode(),
            )
            for n in range(pages)
        ]
    )
    out = folder / "report.html"
    tracemalloc.start()
    try:
        write_report(store, Filters(), out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        store.close()
    return peak, out
