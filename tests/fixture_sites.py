"""Loopback fixture sites for the crawl tests: pages from a dict, every request recorded.

Each site runs on its own address 127.0.0.N (one site per address, as in a real
crawl). A page is HTML text, raw bytes, a ``(status, headers, body)`` tuple, or a
callable taking the request handler and returning one of those. A body may be an
iterable of byte chunks (sent chunked, for huge responses).
"""

from __future__ import annotations

import gzip
import itertools
import json
import sqlite3
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from conftest import run_cli

from scanner.localsites import serve_site

CLAIM = "Our stem cell injections cure arthritis and are 100% safe with no side effects."
_sites_started = itertools.count()


def html(body: str, title: str = "Clinic page", head: str = "") -> str:
    """A small HTML page."""
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    )


def links(*paths: str) -> str:
    """An HTML list of links to ``paths``."""
    return "<ul>" + "".join(f'<li><a href="{p}">{p}</a></li>' for p in paths) + "</ul>"


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


class FixtureSite:
    """A site on 127.0.0.N serving ``pages``; ``fallback`` answers unknown paths."""

    def __init__(self, pages: dict, fallback=None):
        self.pages = pages
        self.fallback = fallback
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        self.local = serve_site(
            None, host=f"127.0.0.{20 + next(_sites_started) % 230}", routes=[self.route]
        )
        self.origin = self.local.origin

    def url(self, path: str = "/") -> str:
        return self.origin + path

    def hits(self, path: str | None = None) -> Counter:
        """Requests per path (with query); for one path if given."""
        with self.lock:
            counts = Counter(p for p, _ in self.requests)
        return counts[path] if path is not None else counts

    def headers_of(self, path: str) -> list[dict]:
        with self.lock:
            return [h for p, h in self.requests if p == path]

    def route(self, handler):
        with self.lock:
            self.requests.append((handler.path, dict(handler.headers)))
        answer = self.pages.get(handler.path, self.pages.get(urlsplit(handler.path).path))
        if answer is None and self.fallback:
            answer = self.fallback
        if callable(answer):
            answer = answer(handler)
        if answer is None:
            return 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>"
        if isinstance(answer, str | bytes):
            answer = 200, {"Content-Type": "text/html; charset=utf-8"}, answer
        status, headers, body = answer
        return status, headers, body.encode("utf-8") if isinstance(body, str) else body

    def stop(self) -> None:
        self.local.stop()


class SiteFarm:
    """Starts fixture sites and stops them all at the end (a context manager)."""

    def __init__(self):
        self.sites: list[FixtureSite] = []

    def __call__(self, pages: dict, fallback=None) -> FixtureSite:
        site = FixtureSite(pages, fallback)
        self.sites.append(site)
        return site

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for site in self.sites:
            site.stop()


def crawl(db: Path, *args: str, timeout: float = 120):
    """Run ``clinicscan crawl`` against loopback sites, fast and without a live table."""
    return run_cli(
        "crawl",
        *args,
        "--db",
        str(db),
        "--allow-private",
        "--delay",
        "0",
        "--no-progress",
        timeout=timeout,
    )


def rows(db: Path, sql: str, params=()) -> list[dict]:
    """Rows of a query on the database, as dicts."""
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(sql, params)]
    finally:
        connection.close()


def captures(db: Path) -> dict[str, dict]:
    """Captures by requested URL, with headers and redirect chain decoded."""
    result = {}
    for row in rows(db, "SELECT * FROM captures"):
        for key in ("headers", "redirect_chain"):
            row[key] = json.loads(row[key]) if row[key] else None
        result[row["requested_url"]] = row
    return result
