"""Issue 5, tested as a person would: the report opened in headless Chromium with the
network blocked. It loads with no request but its own file and no console error, the
filters and the search change what is shown, and the injection payloads stay inert.

Playwright drives Debian's ``chromium`` (``executable_path``); ``playwright install``
is never needed. These tests skip only when no ``chromium`` is on PATH (CI installs it).

The README's screenshot is taken the same way, without a script:

    make demo
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --user-data-dir="$(mktemp -d)" --window-size=1280,2000 \
        --screenshot=docs/report-screenshot.png "file://$PWD/demo-out/report.html"
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, sync_playwright
from scanner.reports.html import write_report
from test_report import ALPHA, BETA, CURE, FOOTER, MIRACLE, SAFE, WALK, build_database

from scanner.store import Filters, Store

CHROMIUM = shutil.which("chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]


@dataclass
class OpenedReport:
    """A report page and everything it tried to do while open."""

    page: Page
    other_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def report_url(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("browser")
    store = Store(build_database(folder / "clinicscan.db"), create=False)
    try:
        write_report(store, Filters(), folder / "report.html")
    finally:
        store.close()
    return (folder / "report.html").as_uri()


@pytest.fixture(scope="module")
def browser_context():
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield context
        context.close()


@pytest.fixture
def opened(browser_context, report_url) -> OpenedReport:
    """The report loaded offline: any request but the report file is aborted and kept."""
    page = browser_context.new_page()
    seen = OpenedReport(page)

    def only_the_report(route):
        if route.request.url == report_url:
            route.continue_()
        else:
            seen.other_requests.append(route.request.url)
            route.abort()

    def on_dialog(dialog):
        seen.dialogs.append(dialog.message)
        dialog.dismiss()

    page.route("**/*", only_the_report)
    page.on("console", lambda m: m.type == "error" and seen.console_errors.append(m.text))
    page.on("pageerror", lambda error: seen.page_errors.append(str(error)))
    page.on("dialog", on_dialog)
    page.goto(report_url, wait_until="load")
    page.wait_for_timeout(200)
    yield seen
    page.close()


def shown_findings(page: Page) -> list[dict]:
    """The finding cards a reader can see right now."""
    return page.eval_on_selector_all(
        ".finding",
        """cards => cards.filter(card => card.checkVisibility()).map(card => ({
            label: card.dataset.label,
            site: card.dataset.site,
            score: parseFloat(card.dataset.score),
            sentence: card.querySelector("mark").textContent,
        }))""",
    )


def status(page: Page) -> str:
    return page.text_content("#filter-status").strip()


def search(page: Page, words: str) -> None:
    """Type into the search box and wait for the (debounced) search to apply."""
    page.fill("#f-search", words)
    wait_for_search(page, words)


def wait_for_search(page: Page, words: str) -> None:
    page.wait_for_function(
        "words => document.getElementById('filter-status').textContent.includes(words)",
        arg=f"“{words.lower()}”",
    )


def test_loads_offline_with_no_request_and_no_console_error(opened):
    assert opened.other_requests == []
    assert opened.console_errors == [] and opened.page_errors == []
    assert opened.page.is_visible("#filters"), "the inline script ran under the CSP"
    assert status(opened.page) == "Showing all 6 findings."
    assert len(shown_findings(opened.page)) == 6


def test_injection_payloads_stay_inert(opened):
    page = opened.page
    page.wait_for_timeout(300)
    assert opened.dialogs == []
    assert page.evaluate("() => window.__pwned") is None
    assert page.evaluate("() => document.querySelectorAll('img, iframe, textarea').length") == 0
    assert page.evaluate("() => document.querySelectorAll('[onload], [onerror]').length") == 0
    assert page.evaluate("() => document.scripts.length") == 1
    assert SAFE in page.text_content("main"), "the payloads are shown as text"
    assert opened.other_requests == []


def test_label_filter_shows_only_that_label(opened):
    page = opened.page
    page.select_option("#f-label", "safety_claim")
    assert [f["sentence"] for f in shown_findings(page)] == [SAFE]
    assert status(page) == "Showing 1 of 6 findings."
    assert page.is_hidden(f'.site[data-site="{BETA}"]'), "a site with nothing to show is hidden"


def test_minimum_score_hides_weaker_findings(opened):
    page = opened.page
    page.fill("#f-score", "0.9")
    shown = shown_findings(page)
    assert shown and all(f["score"] >= 0.9 for f in shown)
    assert {f["sentence"] for f in shown} == {CURE, FOOTER, "Exosome therapy reverses ageing."}


def test_site_filter_shows_one_site(opened):
    page = opened.page
    page.select_option("#f-site", BETA)
    assert {f["site"] for f in shown_findings(page)} == {BETA}
    assert page.is_hidden(f'.site[data-site="{ALPHA}"]')


def test_search_matches_sentence_paragraph_and_evidence(opened):
    page = opened.page
    search(page, "PAIN-FREE")
    assert [f["sentence"] for f in shown_findings(page)] == [WALK]
    search(page, "/contact")
    assert [f["sentence"] for f in shown_findings(page)] == [FOOTER]
    search(page, "no such words anywhere")
    assert shown_findings(page) == []
    assert status(page) == "Showing 0 of 6 findings containing “no such words anywhere”."


def test_filters_combine_and_clear(opened):
    page = opened.page
    page.select_option("#f-site", ALPHA)
    page.fill("#f-score", "0.5")
    search(page, "miracle")
    assert [f["sentence"] for f in shown_findings(page)] == [MIRACLE]
    page.click("button[type=reset]")
    page.wait_for_function("() => !document.querySelector('.finding[hidden]')")
    assert len(shown_findings(page)) == 6 and status(page) == "Showing all 6 findings."


def test_needs_review_group_is_visible(opened):
    group = opened.page.locator(f'.site[data-site="{ALPHA}"] .group').nth(1)
    assert group.locator("h3").inner_text() == "Needs review (1)"
    assert group.locator(".finding").is_visible()


def test_keyboard_reaches_the_filters_with_visible_focus(opened):
    page = opened.page
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.focus("#f-site")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-score"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "f-search"
    page.keyboard.type("exosome")
    wait_for_search(page, "exosome")
    assert [f["sentence"] for f in shown_findings(page)] == ["Exosome therapy reverses ageing."]
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_print_hides_the_filters_and_shows_everything(opened):
    page = opened.page
    page.select_option("#f-label", "safety_claim")
    page.emulate_media(media="print")
    assert page.is_hidden(".filters")
    assert len(shown_findings(page)) == 6, "printing shows every finding"
    assert page.locator(".skipped li").first.is_visible(), "closed details print expanded"
    page.emulate_media(media="screen")
    assert len(shown_findings(page)) == 1
    assert opened.console_errors == []
