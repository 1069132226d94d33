"""Item pipeline: store each capture with what its analysis found."""

from __future__ import annotations

import time

BATCH_PAGES = 50
BATCH_SECONDS = 1.0


class StorePipeline:
    """Write captures, bodies and findings in small transactions.

    A batch is committed every ``BATCH_PAGES`` pages or ``BATCH_SECONDS`` seconds,
    so a killed crawl loses at most one batch, which a resumed run fetches again.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.batch: list[dict] = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item, spider=None):
        spider = self.crawler.spider
        capture = item["capture"]
        capture.update(spider.versions, tool_version=spider.tool_version)
        analysis = item.get("analysis")
        findings = []
        if analysis is not None:
            capture.update(
                skip_reason=analysis.skip_reason,
                title=analysis.title,
                needs_browser=int(analysis.needs_browser),
                text_chars=analysis.text_chars,
            )
            findings = analysis.findings
        body = item["body"]
        if spider.warc is not None and body is not None:
            spider.warc.write(capture, body)
        stored_body = body if item.get("store_body", True) else None
        self.batch.append({"capture": capture, "body": stored_body, "findings": findings})
        if spider.progress:
            spider.progress.record(capture, findings)
        if len(self.batch) >= BATCH_PAGES or time.monotonic() - self.last_flush > BATCH_SECONDS:
            self.flush()
        return None

    def flush(self):
        if self.batch:
            self.crawler.spider.store.save_pages(self.batch)
            self.batch = []
        self.last_flush = time.monotonic()

    def close_spider(self, spider=None):
        self.flush()
