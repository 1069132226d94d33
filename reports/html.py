"""The self-contained HTML audit report.

One file with inline CSS, JS and SVG that a browser shows offline and requests
nothing. Every value that came from a crawled page reaches the page only through
jinja's autoescaping, and only http(s) URLs become links. The findings are read
from the database site by site and the template is streamed to disk chunk by
chunk, so memory does not grow with the number of pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scanner import __version__
from scanner.rulepack import LABELS, load_rulepack
from scanner.store import Filters, Store, site_key, utc_now

LABEL_NAMES = {
    "unapproved_use": "Unapproved use",
    "miracle_language": "Miracle language",
    "recovery_time": "Recovery time",
    "safety_claim": "Safety claim",
    "fda_status_claim": "FDA status claim",
}
# How much one finding of a label weighs in a site's seriousness score.
LABEL_WEIGHTS = {
    "unapproved_use": 3,
    "fda_status_claim": 3,
    "safety_claim": 2,
    "miracle_language": 2,
    "recovery_time": 1,
}
# Characters of paragraph shown on each side of a flagged sentence.
CONTEXT_CHARS = 400
# Sites drawn in the "findings by site" chart; the ranking table lists all.
CHART_SITES = 15
# Characters that never appear in a URL we link to: controls, space, backslash.
UNSAFE_URL_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")
# Pages listed open under a finding; more than this start collapsed.
OPEN_PAGE_LIST = 5


@dataclass
class SiteSummary:
    """One site's figures for the overview and its section heading."""

    site: str
    run_id: int | None = None
    pages: int = 0
    skipped: int = 0
    first_fetch: str | None = None
    last_fetch: str | None = None
    labels: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    needs_review: int = 0
    seriousness: float = 0.0
    rank: int = 0

    @property
    def findings(self) -> int:
        return self.flagged + self.needs_review

    @property
    def anchor(self) -> str:
        return f"site-{self.rank}"


@dataclass
class Bar:
    """One row of a horizontal bar chart, in SVG user units."""

    name: str
    flagged: int
    needs_review: int
    y: int
    flagged_width: float
    review_width: float


def write_report(
    store: Store, filters: Filters, out_path: str | Path, generated_at: datetime | str | None = None
) -> dict:
    """Render the report for ``filters`` to ``out_path``; return its headline figures."""
    environment = template_environment()
    context = report_context(store, filters, environment, format_time(generated_at))
    render_to_file(environment.get_template("report.html.j2"), context, Path(out_path))
    return {**context["totals"], "sites": len(context["sites"]), "path": str(out_path)}


def report_context(
    store: Store, filters: Filters, environment: Environment, generated_at: str
) -> dict:
    """Everything the template shows; the findings themselves are read lazily."""
    counts = store.finding_counts(filters)
    sites = site_summaries(store, filters, counts)
    label_totals = totals_by_label(counts)
    rulepack = load_rulepack()
    stylesheet = environment.get_template("report.css.j2").render()
    script = environment.get_template("report.js.j2").render()
    return {
        "title": "clinicscan audit report",
        "generated_at": generated_at,
        "tool_version": __version__,
        "scope": describe_filters(filters),
        "narrowed": filters.label is not None or filters.min_score is not None,
        "requested_site": site_key(filters.site) if filters.site else None,
        "sites": sites,
        "runs": runs_covered(store, sites),
        "skip_reasons": store.skip_reason_counts(filters),
        "label_totals": label_totals,
        "label_chart": bar_chart([(LABEL_NAMES[label], *label_totals[label]) for label in LABELS]),
        "site_chart": bar_chart(site_chart_rows(sites)),
        "totals": report_totals(sites),
        "labels": LABELS,
        "label_names": LABEL_NAMES,
        "label_weights": LABEL_WEIGHTS,
        "label_messages": {label: rulepack.message_for(label) for label in LABELS},
        "citations": rulepack.citations,
        "site_findings": lambda site, needs_review: report_findings(
            store, filters, site, needs_review, rulepack.citations
        ),
        "skipped_pages": lambda site: store.skip_reasons(replace(filters, site=site)),
        "open_page_list": OPEN_PAGE_LIST,
        "chart_sites": CHART_SITES,
        "stylesheet": stylesheet,
        "script": script,
        "csp": content_security_policy(stylesheet, script),
    }


def template_environment() -> Environment:
    """Jinja with autoescaping on for every template and the report's filters."""
    environment = Environment(
        loader=PackageLoader("scanner.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["web_href"] = web_href
    environment.filters["score"] = lambda value: f"{value:.2f}"
    return environment


def render_to_file(template, context: dict, out_path: Path) -> None:
    """Stream the rendered template into a temporary file, then move it into place."""
    partial = out_path.with_name(out_path.name + ".partial")
    try:
        with open(partial, "w", encoding="utf-8") as handle:
            for chunk in template.generate(**context):
                handle.write(chunk)
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)


def content_security_policy(stylesheet: str, script: str) -> str:
    """A policy that allows only our own inline style and script and no request at all."""
    return (
        "default-src 'none'; "
        f"style-src '{csp_hash(stylesheet)}'; script-src '{csp_hash(script)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def format_time(moment: datetime | str | None) -> str:
    """ISO-8601 UTC with seconds; now when not given."""
    if moment is None:
        return utc_now()
    if isinstance(moment, str):
        return moment
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def describe_filters(filters: Filters) -> list[str]:
    """What the report covers, in words: its filters and which crawl runs."""
    scope = []
    if filters.site:
        scope.append(f"site {site_key(filters.site)}")
    if filters.label:
        scope.append(f"label {filters.label}")
    if filters.min_score is not None:
        scope.append(f"score at least {filters.min_score:g}")
    scope.append(f"crawl run {filters.run}" if filters.run is not None else "latest run per site")
    return scope


# -- overview ---------------------------------------------------------------------------


def site_summaries(store: Store, filters: Filters, counts: list[dict]) -> list[SiteSummary]:
    """Every covered site with its pages and findings, ranked by seriousness."""
    sites = {
        row["site"]: SiteSummary(
            site=row["site"],
            run_id=row["run_id"],
            pages=row["pages"] or 0,
            skipped=row["skipped"] or 0,
            first_fetch=row["first_fetch"],
            last_fetch=row["last_fetch"],
        )
        for row in store.site_summaries(filters)
    }
    for row in counts:
        summary = sites.setdefault(row["site"], SiteSummary(site=row["site"]))
        review = row["needs_review"] or 0
        summary.labels[row["label"]] = row["findings"]
        summary.needs_review += review
        summary.flagged += row["findings"] - review
        summary.seriousness += LABEL_WEIGHTS.get(row["label"], 1) * (row["score_sum"] or 0)
    ranked = sorted(sites.values(), key=lambda s: (-s.seriousness, -s.findings, s.site))
    for rank, summary in enumerate(ranked, start=1):
        summary.rank = rank
    return ranked


def totals_by_label(counts: list[dict]) -> dict[str, tuple[int, int]]:
    """Per label: (flagged, needs review) over all covered sites."""
    totals = dict.fromkeys(LABELS, (0, 0))
    for row in counts:
        flagged, review = totals.get(row["label"], (0, 0))
        row_review = row["needs_review"] or 0
        totals[row["label"]] = (flagged + row["findings"] - row_review, review + row_review)
    return totals


def site_chart_rows(sites: list[SiteSummary]) -> list[tuple[str, int, int]]:
    """The sites with most findings, as (site, flagged, needs review) chart rows."""
    busiest = sorted((s for s in sites if s.findings), key=lambda s: (-s.findings, s.site))
    return [(s.site, s.flagged, s.needs_review) for s in busiest[:CHART_SITES]]


def report_totals(sites: list[SiteSummary]) -> dict:
    return {
        "pages": sum(s.pages for s in sites),
        "skipped": sum(s.skipped for s in sites),
        "findings": sum(s.findings for s in sites),
        "flagged": sum(s.flagged for s in sites),
        "needs_review": sum(s.needs_review for s in sites),
        "sites_with_findings": sum(1 for s in sites if s.findings),
    }


def runs_covered(store: Store, sites: list[SiteSummary]) -> list[dict]:
    """The crawl runs the covered sites' captures come from, oldest first."""
    run_ids = sorted({s.run_id for s in sites if s.run_id is not None})
    runs = [run for run in map(store.run, run_ids) if run]
    return [{**run, "seed_count": len(json.loads(run["seeds"] or "[]"))} for run in runs]


def bar_chart(rows: list[tuple[str, int, int]], width: int = 480, row_height: int = 28) -> dict:
    """Geometry of a horizontal stacked bar chart (flagged, then needs review)."""
    largest = max((flagged + review for _, flagged, review in rows), default=0) or 1
    bars = [
        Bar(
            name=name,
            flagged=flagged,
            needs_review=review,
            y=index * row_height,
            flagged_width=round(width * flagged / largest, 1),
            review_width=round(width * review / largest, 1),
        )
        for index, (name, flagged, review) in enumerate(rows)
    ]
    return {
        "bars": bars,
        "width": width,
        "row_height": row_height,
        "height": len(rows) * row_height,
    }


# -- findings ---------------------------------------------------------------------------


def report_findings(
    store: Store, filters: Filters, site: str, needs_review: bool, citations: dict
) -> Iterator[dict]:
    """One group of a site's findings, each ready for the template, read lazily."""
    for finding in store.iter_site_findings(filters, site, needs_review):
        yield {
            **finding,
            "context": sentence_in_context(
                finding["paragraph"], finding["paragraph_offset"], finding["sentence"]
            ),
            "citation_source": citations.get(finding["citation"]),
            "page_list": store.finding_pages(finding["id"]),
        }


def sentence_in_context(paragraph: str | None, offset: int | None, sentence: str) -> dict:
    """The paragraph split around the sentence: text before, the sentence, text after.

    Falls back to searching the paragraph, then to the sentence alone, when the
    stored offset does not point at the sentence. Long sides are trimmed at a word.
    """
    paragraph = paragraph or ""
    start = offset if offset is not None else -1
    if start < 0 or paragraph[start : start + len(sentence)] != sentence:
        start = paragraph.find(sentence)
    if start < 0:
        return {"before": "", "sentence": sentence, "after": ""}
    end = start + len(sentence)
    return {
        "before": trim_start(paragraph[:start]),
        "sentence": sentence,
        "after": trim_end(paragraph[end:]),
    }


def trim_start(text: str, limit: int = CONTEXT_CHARS) -> str:
    """The last ``limit`` characters of ``text``, cut at a word, with an ellipsis."""
    if len(text) <= limit:
        return text
    tail = text[-limit:]
    return "…" + tail[tail.find(" ") + 1 :] if " " in tail else "…" + tail


def trim_end(text: str, limit: int = CONTEXT_CHARS) -> str:
    """The first ``limit`` characters of ``text``, cut at a word, with an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    return head[: head.rfind(" ")] + "…" if " " in head else head + "…"


@lru_cache(maxsize=4096)
def web_href(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL that is safe as a link, else None."""
    if not url or UNSAFE_URL_CHARACTERS.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url
