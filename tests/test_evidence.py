"""Issue 4, "evidence": every capture keeps what an investigator asks for, a finding
leads back to its exact bytes, and ``--warc`` writes WARC files replay tools read."""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from types import SimpleNamespace

import pytest
from conftest import run_cli
from fixture_sites import CLAIM, SiteFarm, captures, crawl, gzipped, html, links, rows
from warcio.archiveiterator import ArchiveIterator

from scanner import USER_AGENT

EVIDENCE_FIELDS = (
    "requested_url",
    "final_url",
    "redirect_chain",
    "status",
    "headers",
    "server_ip",
    "fetched_at",
    "user_agent",
    "robots",
    "sha256",
    "size",
    "tool_version",
    "rules_version",
    "model_version",
)
CLAIM_PAGE = html(f"<h1>Knee therapy</h1><p>{CLAIM}</p>")


@pytest.fixture(scope="module")
def evidence_crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evidence")
    with SiteFarm() as farm:
        site = farm(
            {
                "/": html(links("/claims", "/moved", "/compressed", "/streamed")),
                "/claims": CLAIM_PAGE,
                "/moved": (301, {"Location": "/claims-new"}, b""),
                "/claims-new": html(
                    "<p>Moved here. Stem cells regrow cartilage in every patient.</p>"
                ),
                "/compressed": (
                    200,
                    {"Content-Type": "text/html", "Content-Encoding": "gzip"},
                    gzipped(CLAIM_PAGE.encode()),
                ),
                "/streamed": (
                    200,
                    {"Content-Type": "text/html"},
                    iter([b"<html><body><p>Streamed ", b"in chunks.</p></body></html>"]),
                ),
            }
        )
        db = tmp / "evidence.db"
        result = crawl(db, site.url("/"), "--warc", str(tmp / "warc"))
        yield SimpleNamespace(
            site=site, db=db, result=result, captures=captures(db), warc_dir=tmp / "warc", tmp=tmp
        )


def a_finding(evidence_crawl) -> dict:
    found = rows(evidence_crawl.db, "SELECT * FROM findings WHERE sentence = ?", [CLAIM])
    assert found, evidence_crawl.result.stderr
    return found[0]


def test_every_capture_has_the_evidence_fields(evidence_crawl):
    assert evidence_crawl.result.returncode == 0, evidence_crawl.result.stderr
    (run,) = rows(evidence_crawl.db, "SELECT * FROM runs")
    for url, capture in evidence_crawl.captures.items():
        for field in EVIDENCE_FIELDS:
            assert capture[field] not in (None, ""), (url, field)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", capture["fetched_at"])
        assert capture["user_agent"] == USER_AGENT
        assert capture["robots"] == "robots.txt HTTP 404: no restrictions per RFC 9309"
        assert capture["server_ip"] == evidence_crawl.site.origin.split("//")[1].split(":")[0]
        assert capture["redirect_chain"][0] == url
        assert capture["redirect_chain"][-1] == capture["final_url"]
        assert (capture["model_version"], capture["rules_version"]) == (
            run["model_version"],
            run["rules_version"],
        )
        (body,) = rows(
            evidence_crawl.db, "SELECT body FROM bodies WHERE sha256 = ?", [capture["sha256"]]
        )
        assert hashlib.sha256(zlib.decompress(body["body"])).hexdigest() == capture["sha256"]


def test_redirect_chain_kept(evidence_crawl):
    site = evidence_crawl.site
    capture = evidence_crawl.captures[site.url("/moved")]
    assert capture["redirect_chain"] == [site.url("/moved"), site.url("/claims-new")]
    assert capture["final_url"] == site.url("/claims-new") and capture["status"] == 200


def test_evidence_prints_the_chain_of_custody(evidence_crawl):
    finding = a_finding(evidence_crawl)
    result = run_cli("evidence", finding["id"], "--db", str(evidence_crawl.db))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["finding"]["sentence"] == CLAIM
    assert record["capture"]["sha256"] == finding["page_sha256"]
    assert record["raw_bytes_verified"] is True
    assert {p["url"] for p in record["pages"]} >= {evidence_crawl.site.url("/claims")}
    for field in EVIDENCE_FIELDS:
        assert record["capture"][field] not in (None, "")


def test_evidence_raw_bytes_match_the_record(evidence_crawl):
    finding = a_finding(evidence_crawl)
    out = evidence_crawl.tmp / "raw.bin"
    result = run_cli("evidence", finding["id"], "--db", str(evidence_crawl.db), "--raw", str(out))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == record["capture"]["sha256"]
    assert record["raw_written_to"] == str(out)


@pytest.mark.parametrize("args", [("no-such-finding",), ("x", "--db", "missing.db")])
def test_evidence_bad_input_exits_2(evidence_crawl, args, tmp_path):
    args = args if "--db" in args else (*args, "--db", str(evidence_crawl.db))
    result = run_cli("evidence", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def warc_records(warc_dir) -> list:
    (path,) = warc_dir.glob("*.warc.gz")
    with open(path, "rb") as handle:
        return [
            (
                record.rec_type,
                record.rec_headers,
                record.http_headers,
                record.content_stream().read(),
            )
            for record in ArchiveIterator(handle)
        ]


def test_warc_replays_every_capture(evidence_crawl):
    records = warc_records(evidence_crawl.warc_dir)
    assert records[0][0] == "warcinfo"
    responses = {
        headers.get_header("WARC-Target-URI"): (http, payload)
        for kind, headers, http, payload in records
        if kind == "response"
    }
    stored = {c["final_url"]: c for c in evidence_crawl.captures.values() if c["sha256"]}
    assert set(responses) == set(stored)
    for url, (http, payload) in responses.items():
        assert hashlib.sha256(payload).hexdigest() == stored[url]["sha256"]
        assert http.get_statuscode() == "200"
        assert http.get_header("Content-Encoding") is None
        assert http.get_header("Transfer-Encoding") is None
        assert http.get_header("Content-Length") in (None, str(len(payload)))


def test_compressed_page_keeps_wire_headers_and_decoded_body(evidence_crawl):
    capture = evidence_crawl.captures[evidence_crawl.site.url("/compressed")]
    assert capture["headers"]["Content-Encoding"] == ["gzip"]
    assert capture["size"] == len(CLAIM_PAGE.encode())
    records = warc_records(evidence_crawl.warc_dir)
    (payload,) = [
        p
        for kind, h, _, p in records
        if kind == "response"
        and h.get_header("WARC-Target-URI") == evidence_crawl.site.url("/compressed")
    ]
    assert payload == CLAIM_PAGE.encode()
