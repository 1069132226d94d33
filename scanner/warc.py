"""Write captures as standard WARC response records (warcio), one gzip file per run."""

from __future__ import annotations

import io
from http import HTTPStatus
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scanner import USER_AGENT, __version__
from scanner.evidence import decoded_headers


class WarcArchive:
    """Appends a ``response`` record per capture to ``DIR/clinicscan-run-N.warc.gz``;
    a new file starts with a ``warcinfo`` record. A resumed run appends to its file.

    Each record is one gzip member written with a single unbuffered write, so a crawl
    killed at any moment leaves only whole records behind.
    """

    def __init__(self, directory: Path, run_id: int):
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"clinicscan-run-{run_id}.warc.gz"
        is_new = not self.path.exists() or self.path.stat().st_size == 0
        self.handle = open(self.path, "ab", buffering=0)
        self.writer = WARCWriter(None, gzip=True)
        if is_new:
            self._append(
                self.writer.create_warcinfo_record(
                    self.path.name,
                    {
                        "software": f"clinicscan/{__version__}",
                        "http-header-user-agent": USER_AGENT,
                        "format": "WARC File Format 1.1",
                    },
                )
            )

    def write(self, capture: dict, body: bytes) -> None:
        """Append the response record of one capture. The body is the decoded one, so the
        headers that describe its wire encoding are left out (replay tools would decode
        it a second time) and Content-Length is its own."""
        headers = [
            (name, value)
            for name, values in decoded_headers(capture["headers"]).items()
            for value in values
        ]
        headers.append(("Content-Length", str(len(body))))
        http_headers = StatusAndHeaders(
            _status_line(capture["status"]), headers, protocol="HTTP/1.1"
        )
        warc_headers = {"WARC-Date": capture["fetched_at"]}
        if capture.get("server_ip"):
            warc_headers["WARC-IP-Address"] = capture["server_ip"]
        record = self.writer.create_warc_record(
            capture["final_url"],
            "response",
            payload=io.BytesIO(body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )
        self._append(record)

    def _append(self, record) -> None:
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=True).write_record(record)
        self.handle.write(buffer.getvalue())

    def close(self) -> None:
        self.handle.close()


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"
