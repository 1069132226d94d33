"""One fetched document in, its findings out: extract, segment, classify.

Takes and returns plain values, so it can run in the crawl process or in a
worker process.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.classify import Classifier
from scanner.extract import ExtractionError, extract
from scanner.segment import segments_from_blocks

PARAGRAPH_WINDOW = 400


@dataclass
class Analysis:
    """What a document says: its findings, or why it was skipped."""

    findings: list[dict] = field(default_factory=list)
    skip_reason: str | None = None
    title: str | None = None
    needs_browser: bool = False
    text_chars: int = 0


def analyse_document(body: bytes, content_type: str, url: str, classifier: Classifier) -> Analysis:
    """Extract the visible text of ``body`` and classify each of its segments."""
    try:
        document = extract(body, content_type, url)
    except ExtractionError as error:
        return Analysis(skip_reason=str(error))
    if not document.text.strip():
        return Analysis(skip_reason="no visible text", needs_browser=document.needs_browser)
    segments = segments_from_blocks(document.text, document.blocks)
    findings = []
    block_index = 0
    blocks = document.blocks
    for segment, group in zip(segments, classifier.classify(segments), strict=True):
        if not group:
            continue
        while blocks[block_index].end < segment.end:
            block_index += 1
        block = blocks[block_index]
        window_start = max(block.start, segment.start - PARAGRAPH_WINDOW)
        window_end = min(block.end, segment.end + PARAGRAPH_WINDOW)
        paragraph = document.text[window_start:window_end]
        for finding in group:
            findings.append(
                {
                    **finding.as_dict(),
                    "paragraph": paragraph,
                    "paragraph_offset": segment.start - window_start,
                }
            )
    return Analysis(findings, None, document.title, document.needs_browser, len(document.text))
