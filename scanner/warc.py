"""Write captures as standard WARC response records (warcio), one gzip file per run."""

from __future__ import annotations

import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


class WarcArchive:
    """Appends a ``response`` record per capture to ``DIR/clinicscan-run-N.warc.gz``."""

    def __init__(self, directory: Path, run_id: int):
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"clinicscan-run-{run_id}.warc.gz"
        self.handle = open(self.path, "ab")
        self.writer = WARCWriter(self.handle, gzip=True)

    def write(self, capture: dict, body: bytes) -> None:
        headers = [(name, value) for name, values in capture["headers"].items() for value in values]
        http_headers = StatusAndHeaders(f"{capture['status']} -", headers, protocol="HTTP/1.1")
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
        self.writer.write_record(record)

    def close(self) -> None:
        self.handle.close()
