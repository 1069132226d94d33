"""Scrapy settings for clinicscan crawls, as data; the CLI overrides a few per crawl."""

from scanner import USER_AGENT

BASE_SETTINGS = {
    "BOT_NAME": "clinicscan",
    "USER_AGENT": USER_AGENT,
    "ROBOTSTXT_OBEY": False,  # replaced by spiders.middlewares.RobotsMiddleware (RFC 9309)
    "COOKIES_ENABLED": False,  # no credentials or sessions are ever sent
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
    "DOWNLOAD_DELAY": 1.0,
    "DOWNLOAD_DELAY_JITTER": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "CONCURRENT_REQUESTS": 32,
    "DOWNLOAD_TIMEOUT": 20,
    "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 0,
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "RETRY_GIVE_UP_LOG_LEVEL": "WARNING",  # a page given up on is in the summary
    "REDIRECT_MAX_TIMES": 10,
    "HTTPERROR_ALLOW_ALL": True,
    "METAREFRESH_ENABLED": True,
    "DEPTH_LIMIT": 0,  # depth is counted by the spider so sitemap pages count as depth 1
    "DNSCACHE_ENABLED": True,
    # Backpressure: stop fetching while this many bytes of responses await analysis.
    "SCRAPER_SLOT_MAX_ACTIVE_SIZE": 2_000_000,
    # A page yields one item and a few links; Scrapy's default of 100 parallel
    # handlers per response costs 100 asyncio tasks a page for nothing.
    "CONCURRENT_ITEMS": 16,
    "REACTOR_THREADPOOL_MAXSIZE": 4,
    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
        "scanner.spiders.middlewares.AddressGuardMiddleware": 50,
        "scanner.spiders.middlewares.ScopeMiddleware": 60,
        "scanner.spiders.middlewares.RobotsMiddleware": 100,
        "scanner.spiders.middlewares.StoredResponseMiddleware": 110,
        "scanner.spiders.middlewares.WireHeadersMiddleware": 800,
    },
    "ITEM_PIPELINES": {
        "scanner.spiders.pipelines.StorePipeline": 300,
    },
    "EXTENSIONS": {"scrapy.extensions.telnet.TelnetConsole": None},
}


def crawl_settings(delay: float, concurrency: int, sites: int, timeout: float = 20) -> dict:
    """Settings for one crawl: per-site politeness, enough global slots for all sites."""
    settings = dict(BASE_SETTINGS)
    settings.update(
        {
            "DOWNLOAD_DELAY": delay,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "CONCURRENT_REQUESTS": max(16, min(256, concurrency * sites)),
            "DOWNLOAD_TIMEOUT": timeout,
        }
    )
    return settings
