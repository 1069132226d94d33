"""Serve folders of static sites on loopback addresses, one site per address.

Used by ``make demo``, the tests and the benchmarks; never by a crawl itself.
``__ORIGIN__`` in robots.txt and sitemap files is replaced by the site's origin,
so the same files work on any address and port.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

# A route answers a request with (status, headers, body); None means "not mine". The
# body is bytes, or an iterable of byte chunks, streamed (chunked unless the headers
# give a Content-Length).
Route = Callable[["BaseHTTPRequestHandler"], "tuple[int, dict, bytes | Iterable[bytes]] | None"]


class DropConnection(Exception):
    """Raised by a route to close the connection without sending any answer."""


@dataclass
class LocalSite:
    """A running site: its origin URL and a way to stop it."""

    origin: str
    server: ThreadingHTTPServer

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(root: Path | None, routes: list[Route]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test and demo output quiet
            pass

        def do_GET(self):
            try:
                answer = next(filter(None, (route(self) for route in routes)), None)
                self.respond(*(answer or self.static()))
            except DropConnection:
                self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):  # the client gave up
                self.close_connection = True

        def static(self) -> tuple[int, dict, bytes]:
            path = unquote(urlsplit(self.path).path)
            if root is None:
                return 404, {"Content-Type": "text/plain"}, b"not found"
            target = (root / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if root.resolve() not in target.parents or not target.is_file():
                return 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>"
            body = target.read_bytes()
            if target.name in ("robots.txt",) or target.suffix == ".xml":
                body = body.replace(b"__ORIGIN__", self.origin().encode())
            media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if media.startswith("text/") or media.endswith("xml"):
                media += "; charset=utf-8"
            return 200, {"Content-Type": media}, body

        def origin(self) -> str:
            host, port = self.server.server_address[:2]
            return f"http://{host}:{port}"

        def respond(self, status: int, headers: dict, body: bytes | Iterable[bytes]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if isinstance(body, bytes):
                if "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif "Content-Length" in headers:
                self.end_headers()
                for chunk in body:
                    self.wfile.write(chunk)
            else:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for chunk in body:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")

    return Handler


def serve_site(
    root: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    routes: list[Route] | None = None,
) -> LocalSite:
    """Serve ``root`` (and ``routes``, tried first) on ``host``; returns at once."""
    server = ThreadingHTTPServer((host, port), _handler(root, routes or []))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    bound_host, bound_port = server.server_address[:2]
    return LocalSite(f"http://{bound_host}:{bound_port}", server)


def serve_folders(folders: list[Path], first_address: int = 2) -> list[LocalSite]:
    """Serve each folder on its own address 127.0.0.N, N counting from ``first_address``."""
    return [
        serve_site(folder, host=f"127.0.0.{first_address + i}") for i, folder in enumerate(folders)
    ]
