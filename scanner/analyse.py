"""One fetched document in, its findings and links out: extract, segment, classify.

Takes and returns plain values, so it can run in the crawl process or in a
worker process.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scanner.extract import ExtractionError, extract
from scanner.segment import segments_from_blocks

if TYPE_CHECKING:  # the classifier (spaCy, the model) is loaded where it runs: the workers
    from scanner.classify import Classifier

PARAGRAPH_WINDOW = 400


@dataclass
class Analysis:
    """What a document says (its findings, or why it was skipped) and links to."""

    findings: list[dict] = field(default_factory=list)
    skip_reason: str | None = None
    title: str | None = None
    needs_browser: bool = False
    text_chars: int = 0
    links: list[str] = field(default_factory=list)


def analyse_document(
    body: bytes, content_type: str, url: str, classifier: Classifier | None
) -> Analysis:
    """Extract the visible text and links of ``body`` (fetched from ``url``) and classify
    each of its segments; with no ``classifier``, only extract."""
    try:
        document = extract(body, content_type, url)
    except ExtractionError as error:
        return Analysis(skip_reason=str(error))
    if not document.text.strip():
        return Analysis(
            skip_reason="no visible text",
            needs_browser=document.needs_browser,
            links=document.links,
        )
    if classifier is None:
        return Analysis(links=document.links)
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
    return Analysis(
        findings,
        None,
        document.title,
        document.needs_browser,
        len(document.text),
        document.links,
    )


_worker_classifier: Classifier | None = None


def _start_worker(parent: int) -> None:
    """Worker initialiser: load the classifier once, leave Ctrl-C to the parent, and
    exit as soon as the parent is gone (a killed crawl leaves no orphan behind)."""
    from scanner.classify import Classifier

    global _worker_classifier
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _worker_classifier = Classifier()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _ready() -> bool:
    return _worker_classifier is not None


def _analyse_in_worker(body: bytes, content_type: str, url: str, classify: bool) -> Analysis:
    return analyse_document(body, content_type, url, _worker_classifier if classify else None)


class Analyser:
    """Runs :func:`analyse_document` in ``workers`` processes, or in this process if 0.

    ``submit`` returns a future either way, so the crawl keeps fetching while
    documents are classified.
    """

    def __init__(self, workers: int):
        self.pool = None
        self.classifier = None
        if workers > 0:
            context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
            )
            # Wait until every worker has loaded, so fetching never outruns classifying.
            for ready in [self.pool.submit(_ready) for _ in range(workers)]:
                ready.result()
        else:
            from scanner.classify import Classifier

            self.classifier = Classifier()

    def submit(self, body: bytes, content_type: str, url: str, classify: bool = True) -> Future:
        """Analyse one document (``classify`` False: only extract its text and links)."""
        if self.pool is not None:
            return self.pool.submit(_analyse_in_worker, body, content_type, url, classify)
        future: Future = Future()
        classifier = self.classifier if classify else None
        future.set_result(analyse_document(body, content_type, url, classifier))
        return future

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    """One worker per core: the crawl process mostly waits on the network."""
    return os.cpu_count() or 1
