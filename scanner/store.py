"""The SQLite database: crawl runs, captures with their raw bytes, findings.

One file, WAL mode, written through sqlite-utils. Writes are transactional and
idempotent: a capture is keyed by (run, requested URL) and a finding by (run,
site, label, sentence), so a resumed crawl adds nothing twice. A finding seen on
several pages (navigation, footers) is one row with one sighting per page.
Schema changes are numbered migrations tracked in ``PRAGMA user_version``.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

EXPORT_COLUMNS = (
    "site",
    "url",
    "label",
    "sentence",
    "start",
    "end",
    "score",
    "rule",
    "citation",
    "captured_at",
    "page_sha256",
)


def utc_now() -> str:
    """The current time as ISO-8601 UTC with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# Columns of the tables that crawls write; the first migration creates them, and
# the write path inserts rows in this order.
BODY_SCHEMA = {"sha256": str, "size": int, "compression": str, "body": bytes}
CAPTURE_SCHEMA = {
    "id": str,
    "run_id": int,
    "site": str,
    "requested_url": str,
    "final_url": str,
    "redirect_chain": str,
    "status": int,
    "headers": str,
    "server_ip": str,
    "fetched_at": str,
    "user_agent": str,
    "robots": str,
    "sha256": str,
    "content_type": str,
    "size": int,
    "depth": int,
    "skip_reason": str,
    "needs_browser": int,
    "title": str,
    "text_chars": int,
    "tool_version": str,
    "rules_version": str,
    "model_version": str,
}
FINDING_SCHEMA = {
    "id": str,
    "run_id": int,
    "site": str,
    "label": str,
    "sentence": str,
    "score": float,
    "rule": str,
    "citation": str,
    "message": str,
    "needs_review": int,
    "capture_id": str,
    "url": str,
    "start": int,
    "end": int,
    "captured_at": str,
    "page_sha256": str,
    "paragraph": str,
    "paragraph_offset": int,
    "model_version": str,
    "rules_version": str,
}
SIGHTING_SCHEMA = {
    "finding_id": str,
    "capture_id": str,
    "url": str,
    "start": int,
    "end": int,
    "captured_at": str,
    "page_sha256": str,
}
BODY_COLUMNS = tuple(BODY_SCHEMA)
CAPTURE_COLUMNS = tuple(CAPTURE_SCHEMA)
FINDING_COLUMNS = tuple(FINDING_SCHEMA)
SIGHTING_COLUMNS = tuple(SIGHTING_SCHEMA)


def _migration_1(db: sqlite_utils.Database) -> None:
    db["runs"].create(
        {
            "id": int,
            "job_key": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "seeds": str,
            "options": str,
            "tool_version": str,
            "rules_version": str,
            "model_version": str,
            "user_agent": str,
        },
        pk="id",
    )
    db["runs"].create_index(["job_key"])
    db["bodies"].create(BODY_SCHEMA, pk="sha256")
    db["captures"].create(
        CAPTURE_SCHEMA,
        pk="id",
        foreign_keys=[("run_id", "runs", "id")],
    )
    db["captures"].create_index(["run_id", "site"])
    db["captures"].create_index(["sha256"])
    db["findings"].create(
        FINDING_SCHEMA,
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("capture_id", "captures", "id")],
    )
    db["findings"].create_index(["run_id", "site", "label"])
    db["finding_pages"].create(
        SIGHTING_SCHEMA,
        pk=("finding_id", "capture_id", "start"),
        foreign_keys=[("finding_id", "findings", "id"), ("capture_id", "captures", "id")],
    )
    db["findings"].enable_fts(["sentence"], create_triggers=True)


MIGRATIONS = [_migration_1]


@dataclass
class Filters:
    """Which findings a report or export covers. ``run`` None: each site's latest run."""

    site: str | None = None
    label: str | None = None
    min_score: float | None = None
    run: int | None = None


class StoreError(RuntimeError):
    """The database cannot be opened or is not a clinicscan database."""


class Store:
    """Read and write one clinicscan SQLite database."""

    def __init__(self, path: str | Path, create: bool = True):
        path = Path(path)
        if not create and not path.exists():
            raise StoreError(f"no database at {path}")
        try:
            self.db = sqlite_utils.Database(path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path} is not a usable SQLite database: {error}") from None
        self.path = path

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0 and self.db.table_names() and "runs" not in self.db.table_names():
            raise StoreError("the file is a SQLite database but not a clinicscan one")
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db.conn:
                migration(self.db)
                self.db.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        self.db.close()

    # -- crawl runs -------------------------------------------------------------

    def open_run(
        self, job_key: str, seeds: list[str], options: dict, versions: dict, user_agent: str
    ) -> tuple[int, bool]:
        """Resume the unfinished run with ``job_key`` or start a new one.

        Returns (run id, resumed).
        """
        row = self.db.execute(
            "SELECT id FROM runs WHERE job_key = ? AND status != 'finished' "
            "ORDER BY id DESC LIMIT 1",
            [job_key],
        ).fetchone()
        if row:
            self.db["runs"].update(row[0], {"status": "running"})
            return row[0], True
        with self.db.conn:
            table = self.db["runs"].insert(
                {
                    "job_key": job_key,
                    "started_at": utc_now(),
                    "status": "running",
                    "seeds": json.dumps(seeds),
                    "options": json.dumps(options, sort_keys=True),
                    "user_agent": user_agent,
                    **versions,
                }
            )
        return table.last_pk, False

    def close_run(self, run_id: int, status: str) -> None:
        """Mark a run finished (or interrupted) with the time."""
        with self.db.conn:
            self.db["runs"].update(run_id, {"status": status, "finished_at": utc_now()})

    def stored_captures(self, run_id: int) -> dict[str, dict]:
        """Captures already stored for a run, by requested URL (used to resume)."""
        rows = self.db.execute(
            "SELECT requested_url, final_url, status, headers, sha256, content_type, "
            "skip_reason FROM captures WHERE run_id = ?",
            [run_id],
        ).fetchall()
        keys = ("final_url", "status", "headers", "sha256", "content_type", "skip_reason")
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}

    def run_summary(self, run_id: int) -> dict:
        """One run's pages stored, skip reasons with counts, and distinct findings by label."""
        pages = self.db.execute(
            "SELECT COUNT(*) FROM captures WHERE run_id = ? AND skip_reason IS NULL", [run_id]
        ).fetchone()[0]
        skipped = self.db.execute(
            "SELECT skip_reason, COUNT(*) FROM captures WHERE run_id = ? "
            "AND skip_reason IS NOT NULL GROUP BY skip_reason",
            [run_id],
        ).fetchall()
        labels = self.db.execute(
            "SELECT label, COUNT(*) FROM findings WHERE run_id = ? GROUP BY label", [run_id]
        ).fetchall()
        return {"pages": pages, "skipped": dict(skipped), "labels": dict(labels)}

    # -- writes ------------------------------------------------------------------

    def save_pages(self, pages: list[dict]) -> None:
        """Store captures, their bodies and findings in one transaction.

        Each page is ``{"capture": {...}, "body": bytes | None, "findings": [...]}``
        where a finding has label, sentence, start, end, score, rule, citation,
        message, needs_review, paragraph and paragraph_offset. Rows are written with
        one prepared statement per table (``executemany``), not row by row.
        """
        bodies, captures, findings, sightings = [], [], [], []
        for page in pages:
            capture = self._capture_row(page, bodies)
            captures.append(tuple(capture.get(c) for c in CAPTURE_COLUMNS))
            for finding in page.get("findings", ()):
                finding_id = finding_key(capture, finding)
                findings.append(_finding_row(finding_id, capture, finding))
                sightings.append(
                    (
                        finding_id,
                        capture["id"],
                        capture["final_url"],
                        finding["start"],
                        finding["end"],
                        capture["fetched_at"],
                        capture["sha256"],
                    )
                )
        with self.db.atomic():
            conn = self.db.conn
            conn.executemany(_insert_sql("bodies", BODY_COLUMNS, "IGNORE"), bodies)
            conn.executemany(_insert_sql("captures", CAPTURE_COLUMNS, "REPLACE"), captures)
            conn.executemany(_insert_sql("findings", FINDING_COLUMNS, "IGNORE"), findings)
            conn.executemany(_insert_sql("finding_pages", SIGHTING_COLUMNS, "IGNORE"), sightings)

    @staticmethod
    def _capture_row(page: dict, bodies: list[tuple]) -> dict:
        """The capture of ``page`` as stored (id, digest, JSON fields); its body goes
        to ``bodies``."""
        capture = dict(page["capture"])
        capture["id"] = capture_id(capture["run_id"], capture["requested_url"])
        body = page.get("body")
        if body is not None:
            digest = hashlib.sha256(body).hexdigest()
            capture["sha256"] = digest
            capture["size"] = len(body)
            bodies.append((digest, len(body), "zlib", zlib.compress(body, 6)))
        for key in ("headers", "redirect_chain"):
            if not isinstance(capture.get(key), str | None):
                capture[key] = json.dumps(capture[key])
        return capture

    # -- reads ---------------------------------------------------------------------

    def body(self, sha256: str) -> bytes | None:
        """The raw bytes with this SHA-256, or None."""
        row = self.db.execute("SELECT body FROM bodies WHERE sha256 = ?", [sha256]).fetchone()
        return zlib.decompress(row[0]) if row else None

    def _where(self, filters: Filters, alias: str = "f", findings: bool = True) -> tuple[str, list]:
        """SQL condition (and parameters) for the rows of ``alias`` that ``filters`` cover.

        Without a run, each site's latest run is found by one uncorrelated subquery.
        ``findings`` False: ``alias`` is a captures table, so label and score do not apply.
        """
        if filters.run is not None:
            clauses, params = [f"{alias}.run_id = ?"], [filters.run]
        else:
            clauses = [
                f"({alias}.site, {alias}.run_id) IN "
                "(SELECT site, MAX(run_id) FROM captures GROUP BY site)"
            ]
            params = []
        if filters.site:
            clauses.append(f"{alias}.site = ?")
            params.append(site_key(filters.site))
        if findings and filters.label:
            clauses.append(f"{alias}.label = ?")
            params.append(filters.label)
        if findings and filters.min_score is not None:
            clauses.append(f"{alias}.score >= ?")
            params.append(filters.min_score)
        return " AND ".join(clauses), params

    def iter_findings(self, filters: Filters) -> Iterator[dict]:
        """Findings matching ``filters`` in a stable order (site, url, start, label)."""
        where, params = self._where(filters)
        sql = (
            "SELECT f.*, (SELECT COUNT(*) FROM finding_pages p WHERE p.finding_id = f.id) "
            f"AS pages FROM findings f WHERE {where} "
            "ORDER BY f.site, f.url, f.start, f.label, f.id"
        )
        cursor = self.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def finding_pages(self, finding_id: str) -> list[dict]:
        """Every page a finding's sentence appears on."""
        return list(
            self.db.query(
                "SELECT * FROM finding_pages WHERE finding_id = ? ORDER BY url, start", [finding_id]
            )
        )

    def finding(self, finding_id: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM findings WHERE id = ?", [finding_id]))
        return rows[0] if rows else None

    def capture(self, capture_id_: str) -> dict | None:
        rows = list(self.db.query("SELECT * FROM captures WHERE id = ?", [capture_id_]))
        return rows[0] if rows else None

    def run(self, run_id: int) -> dict | None:
        rows = list(self.db.query("SELECT * FROM runs WHERE id = ?", [run_id]))
        return rows[0] if rows else None

    def runs(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM runs ORDER BY id"))

    def site_summaries(self, filters: Filters) -> list[dict]:
        """Per site: pages stored, pages skipped (with reasons) in the covered runs."""
        where, params = self._where(filters, "c", findings=False)
        sql = (
            "SELECT c.site, c.run_id, COUNT(*) AS captures, "
            "SUM(c.skip_reason IS NULL) AS pages, SUM(c.skip_reason IS NOT NULL) AS skipped, "
            "MIN(c.fetched_at) AS first_fetch, MAX(c.fetched_at) AS last_fetch "
            f"FROM captures c WHERE {where} GROUP BY c.site, c.run_id ORDER BY c.site"
        )
        return list(self.db.query(sql, params))

    def skip_reasons(self, filters: Filters) -> list[dict]:
        """Skipped captures with their reasons."""
        where, params = self._where(filters, "c", findings=False)
        sql = (
            "SELECT c.site, c.requested_url, c.status, c.skip_reason FROM captures c "
            f"WHERE c.skip_reason IS NOT NULL AND {where} ORDER BY c.site, c.requested_url"
        )
        return list(self.db.query(sql, params))

    # -- report queries (aggregated in SQL so memory stays flat) -----------------

    def finding_counts(self, filters: Filters) -> list[dict]:
        """Findings per site and label: how many, how many need review, their score sum."""
        where, params = self._where(filters)
        sql = (
            "SELECT f.site, f.label, COUNT(*) AS findings, "
            "SUM(f.needs_review) AS needs_review, SUM(f.score) AS score_sum "
            f"FROM findings f WHERE {where} GROUP BY f.site, f.label ORDER BY f.site, f.label"
        )
        return list(self.db.query(sql, params))

    def skip_reason_counts(self, filters: Filters) -> list[dict]:
        """Skipped captures counted per reason, most frequent first."""
        where, params = self._where(filters, "c", findings=False)
        sql = (
            "SELECT c.skip_reason AS reason, COUNT(*) AS pages FROM captures c "
            f"WHERE c.skip_reason IS NOT NULL AND {where} "
            "GROUP BY c.skip_reason ORDER BY pages DESC, reason"
        )
        return list(self.db.query(sql, params))

    def iter_site_findings(self, filters: Filters, site: str, needs_review: bool) -> Iterator[dict]:
        """One site's flagged (or needs-review) findings, strongest first, for the report.

        Rows are findings plus their capture's requested URL, final URL, status and
        title, and ``pages``, the number of pages the sentence appears on.
        """
        where, params = self._where(replace(filters, site=site))
        sql = (
            "SELECT f.*, c.requested_url, c.final_url, c.status, c.title, "
            "(SELECT COUNT(*) FROM finding_pages p WHERE p.finding_id = f.id) AS pages "
            "FROM findings f LEFT JOIN captures c ON c.id = f.capture_id "
            f"WHERE {where} AND f.needs_review = ? "
            "ORDER BY f.score DESC, f.url, f.start, f.label, f.id"
        )
        cursor = self.db.execute(sql, [*params, int(needs_review)])
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row, strict=True))


def finding_key(capture: dict, finding: dict) -> str:
    """Stable id of a finding: one per (run, site, label, sentence) however often seen."""
    key = "|".join(
        (
            str(capture["run_id"]),
            capture["site"],
            finding["label"],
            sentence_key(finding["sentence"]),
        )
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _finding_row(finding_id: str, capture: dict, finding: dict) -> tuple:
    """A finding as a row of FINDING_COLUMNS, first seen on ``capture``."""
    row = {
        **finding,
        "id": finding_id,
        "run_id": capture["run_id"],
        "site": capture["site"],
        "capture_id": capture["id"],
        "url": capture["final_url"],
        "captured_at": capture["fetched_at"],
        "page_sha256": capture["sha256"],
        "model_version": capture.get("model_version"),
        "rules_version": capture.get("rules_version"),
        "needs_review": int(finding["needs_review"]),
    }
    return tuple(row.get(c) for c in FINDING_COLUMNS)


def _insert_sql(table: str, columns: tuple[str, ...], conflict: str) -> str:
    """``INSERT OR <conflict>`` of one row of ``columns`` into ``table``."""
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" * len(columns))
    return f"INSERT OR {conflict} INTO [{table}] ({names}) VALUES ({marks})"


def sentence_key(sentence: str) -> str:
    """What makes two sentences the same finding: case and spacing ignored."""
    return " ".join(sentence.split()).lower()


def capture_id(run_id: int, requested_url: str) -> str:
    """Stable id of a capture: one per requested URL in a run."""
    return hashlib.sha1(f"{run_id}|{requested_url}".encode()).hexdigest()[:16]


def site_key(host_or_url: str) -> str:
    """The site a host belongs to: lower-case host (with port) without ``www.``."""
    host = urlsplit(host_or_url).netloc if "//" in host_or_url else host_or_url
    host = host.lower().rsplit("@", 1)[-1]
    return host[4:] if host.startswith("www.") else host
