"""Item pipeline: analyse each captured document and store it with its findings."""

from __future__ import annotations

import asyncio
import time

BATCH_PAGES = 50
BATCH_SECONDS = 1.0
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/pdf")


class ClassifyAndStorePipeline:
    """Extract and classify each capture (in worker processes, via the spider's
    analyser, so fetching goes on meanwhile), then write captures in small transactions.

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

    async def process_item(self, item, spider=None):
        spider = self.crawler.spider
        capture = item["capture"]
        body = item["body"]
        capture.update(spider.versions, tool_version=spider.tool_version)
        findings = []
        if body is not None and not capture.get("skip_reason"):
            status = capture["status"] or 0
            content_type = capture["content_type"] or ""
            media = content_type.split(";")[0].strip().lower()
            if not 200 <= status < 300:
                capture["skip_reason"] = f"HTTP status {status}"
            elif media and media not in TEXT_TYPES:
                capture["skip_reason"] = f"unsupported content type: {media}"
                body = None
            else:
                analysis = await asyncio.wrap_future(
                    spider.analyser.submit(body, content_type, capture["final_url"])
                )
                capture.update(
                    skip_reason=analysis.skip_reason,
                    title=analysis.title,
                    needs_browser=int(analysis.needs_browser),
                    text_chars=analysis.text_chars,
                )
                findings = analysis.findings
        if spider.warc is not None and item["body"] is not None:
            spider.warc.write(capture, item["body"])
        self.batch.append({"capture": capture, "body": body, "findings": findings})
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
