"""Chain of custody for one finding: from the sentence back to the exact bytes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from scanner.store import Store

# Headers that describe how the body travelled, not the decoded body that is stored.
WIRE_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def decoded_headers(headers: dict[str, list[str]]) -> dict[str, list[str]]:
    """Response headers as they apply to the stored (de-chunked, decompressed) body."""
    return {name: values for name, values in headers.items() if name.lower() not in WIRE_HEADERS}


class EvidenceError(ValueError):
    """Unknown finding, or stored bytes that no longer match their hash."""


def chain_of_custody(store: Store, finding_id: str) -> dict:
    """Everything recorded about a finding, its capture, its run and its pages."""
    finding = store.finding(finding_id)
    if finding is None:
        raise EvidenceError(f"no finding with id {finding_id}")
    capture = store.capture(finding["capture_id"])
    run = store.run(finding["run_id"])
    for key in ("headers", "redirect_chain"):
        capture[key] = json.loads(capture[key]) if capture.get(key) else None
    body = store.body(capture["sha256"])
    verified = body is not None and hashlib.sha256(body).hexdigest() == capture["sha256"]
    return {
        "finding": {
            k: finding[k]
            for k in (
                "id",
                "site",
                "label",
                "sentence",
                "start",
                "end",
                "score",
                "rule",
                "citation",
                "message",
            )
        },
        "capture": {
            k: capture[k]
            for k in (
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
                "content_type",
                "tool_version",
                "rules_version",
                "model_version",
            )
        },
        "run": {
            k: run[k] for k in ("id", "started_at", "finished_at", "status", "seeds", "options")
        },
        "pages": [
            {k: p[k] for k in ("url", "start", "end", "captured_at", "page_sha256")}
            for p in store.finding_pages(finding_id)
        ],
        "raw_bytes_verified": verified,
    }


def write_raw(store: Store, record: dict, path: Path) -> str:
    """Write the capture's raw bytes to ``path`` after checking their SHA-256."""
    digest = record["capture"]["sha256"]
    body = store.body(digest)
    if body is None or hashlib.sha256(body).hexdigest() != digest:
        raise EvidenceError(f"stored bytes for {digest} are missing or do not match")
    try:
        path.write_bytes(body)
    except OSError as error:
        raise EvidenceError(f"cannot write {path}: {error.strerror}") from None
    return str(path)
