"""Raw bytes to the text a visitor reads, as blocks with exact offsets.

HTML: the charset comes from the byte-order mark, valid UTF-8, the HTTP header or
the meta tag, read as browsers do (so windows-1252 curly quotes come out right, see
``decode_text``); the page is parsed with lxml; scripts, styles and hidden templates
are dropped; title, meta description, headings, paragraphs, list items, table cells
and image alt text become blocks. A list item keeps its lead-in (the heading or the
sentence ending in ':' above the list) as context. The page's links come from the
same parse. PDF: text of every page via pypdf.
Anything else, or bytes that are not text, is refused with a reason.
"""

from __future__ import annotations

import codecs
import io
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from bs4.dammit import EncodingDetector
from lxml import etree
from scrapy.linkextractors import IGNORED_EXTENSIONS

from scanner.segment import Block, blocks_from_plain_text

MAX_TEXT_CHARS = 2_000_000
# Static HTML with less visible text than this (and scripts present) needs a browser.
BROWSER_TEXT_THRESHOLD = 200

_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "object",
    "embed",
    "head",
    "select",
    "option",
    "button",
    "canvas",
    "math",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_ITEMS = {"li", "dt", "dd"}
_CELLS = {"td", "th"}
_BLOCKS = (
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "nav",
        "aside",
        "blockquote",
        "figure",
        "figcaption",
        "form",
        "fieldset",
        "address",
        "pre",
        "ul",
        "ol",
        "dl",
        "table",
        "tr",
        "tbody",
        "thead",
        "tfoot",
        "body",
        "br",
        "hr",
        "caption",
        "summary",
        "details",
        "legend",
        "label",
    }
    | _HEADINGS
    | _ITEMS
    | _CELLS
)
_SPACE = re.compile(r"\s+")
# lxml refuses text with control characters or (in a str) an XML encoding declaration.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
# Links to these file types are not followed: they hold no text to read (Scrapy's
# list, less PDF: clinics publish brochures as PDFs).
SKIPPED_EXTENSIONS = frozenset(f".{e}" for e in IGNORED_EXTENSIONS if e != "pdf")
_NOT_PAGES = ("#", "javascript:", "mailto:", "tel:", "data:")


class ExtractionError(ValueError):
    """The document has no readable text; the message is the skip reason."""


@dataclass
class Extracted:
    """A document's visible text and its blocks."""

    text: str
    blocks: list[Block]
    title: str | None = None
    needs_browser: bool = False
    kind: str = "html"
    meta: dict = field(default_factory=dict)
    links: list[str] = field(default_factory=list)


def extract(body: bytes, content_type: str = "", url: str = "") -> Extracted:
    """Extract ``body`` according to its content type (and the URL's extension)."""
    media = content_type.split(";")[0].strip().lower()
    if media == "application/pdf" or body[:5] == b"%PDF-" or url.lower().endswith(".pdf"):
        return extract_pdf(body)
    if media in ("", "text/html", "application/xhtml+xml", "text/plain"):
        if media == "text/plain":
            text = decode_text(body, _charset(content_type), is_html=False)
            return Extracted(text, blocks_from_plain_text(text), kind="text")
        return extract_html(body, _charset(content_type), url)
    raise ExtractionError(f"unsupported content type: {media}")


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def decode_text(body: bytes, declared: str | None = None, is_html: bool = True) -> str:
    """Decode a document's bytes, refusing empty or binary ones.

    A byte-order mark wins; then UTF-8 if the bytes are valid UTF-8 (they almost never
    are by accident); then the charset declared in the header, then in a ``<meta>``
    tag, each used only if the bytes decode with it; windows-1252 last. Labels
    follow the WHATWG Encoding standard: latin-1 and ASCII mean windows-1252.
    """
    if not body.strip():
        raise ExtractionError("empty document")
    bom = EncodingDetector.strip_byte_order_mark(body)[1]
    if bom:
        return body.decode(bom, "replace").lstrip("\ufeff")
    if _looks_binary(body[:8192]):
        raise ExtractionError("binary content, not text")
    meta = EncodingDetector.find_declared_encoding(body[:8192], is_html=is_html)
    for encoding in filter(None, ("utf-8", _whatwg(declared), _whatwg(meta))):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("windows-1252", "replace")


def _whatwg(label: str | None) -> str | None:
    """The codec for a charset label as browsers read it, or None if unknown."""
    try:
        name = codecs.lookup(label.strip()).name if label else None
    except LookupError:
        return None
    return "cp1252" if name in ("iso8859-1", "ascii") else name


# Every byte except the control bytes (NUL and friends) that text never contains.
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b >= 32 or b in b"\t\n\r\f")


def _looks_binary(sample: bytes) -> bool:
    """More than 2% control bytes (NUL and friends) means not text."""
    controls = len(sample.translate(None, _NOT_CONTROL_BYTES))
    return controls * 50 > len(sample)


class _BlockWriter:
    """Accumulates visible text into blocks and remembers lead-ins for list items."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0
        self.blocks: list[Block] = []
        self.buffer: list[str] = []
        self.alts: list[str] = []
        self.kind = "paragraph"
        self.last_heading: str | None = None
        self.last_text: str | None = None
        self.last_kind: str | None = None

    def add(self, text: str | None) -> None:
        if text:
            self.buffer.append(text)

    def flush(self, kind: str | None = None) -> None:
        if self.buffer:
            text = " ".join("".join(self.buffer).split())
            self.buffer = []
            if text:
                self.write(kind or self.kind, text)
        if self.alts:
            alts, self.alts = self.alts, []
            for alt in alts:
                self.write("alt", alt)

    def write(self, kind: str, text: str, context: str | None = None) -> None:
        if kind == "item" and context is None:
            context = self._lead_in()
        if self.parts:
            self.parts.append("\n\n")
            self.length += 2
        self.blocks.append(Block(kind, self.length, self.length + len(text), context))
        self.parts.append(text)
        self.length += len(text)
        if kind == "heading":
            self.last_heading = text
        if kind != "item":
            self.last_text, self.last_kind = text, kind

    def _lead_in(self) -> str | None:
        if self.last_text and (self.last_text.endswith(":") or self.last_kind == "heading"):
            return self.last_text
        return self.last_heading

    def text(self) -> str:
        return "".join(self.parts)


def extract_html(body: bytes, declared_charset: str | None = None, url: str = "") -> Extracted:
    """Visible text of an HTML page, with title, meta description and alt text, and the
    absolute URLs of its links (``url`` is where the page was fetched from)."""
    text = _CONTROLS.sub(" ", _XML_DECLARATION.sub("", decode_text(body, declared_charset)))
    try:
        root = lxml.html.document_fromstring(text[: MAX_TEXT_CHARS * 4])
    except (etree.ParserError, ValueError) as error:
        raise ExtractionError(f"unparseable HTML ({error})") from None
    writer = _BlockWriter()
    title = root.findtext(".//title")
    title = _SPACE.sub(" ", title).strip() if title else None
    if title:
        writer.write("title", title)
    description = root.xpath(
        "string(//meta[@name='description' or @property='og:description']/@content)"
    )
    description = _SPACE.sub(" ", description).strip()
    if description:
        writer.write("meta", description)
    body_el = root.find("body")
    scripts = len(root.xpath("//script"))
    _walk(body_el if body_el is not None else root, writer)
    writer.flush()
    visible = sum(b.end - b.start for b in writer.blocks if b.kind not in ("title", "meta"))
    result = writer.text()
    if len(result) > MAX_TEXT_CHARS:
        raise ExtractionError(f"extracted text over {MAX_TEXT_CHARS} characters")
    return Extracted(
        result,
        writer.blocks,
        title=title,
        needs_browser=visible < BROWSER_TEXT_THRESHOLD and scripts > 0,
        meta={"description": description or None},
        links=page_links(root, url),
    )


def page_links(root, url: str) -> list[str]:
    """Absolute URLs of the ``<a href>`` and ``<area href>`` of a parsed page, each once,
    in page order, without links to file types that hold no text."""
    base = root.find(".//base[@href]")
    if base is not None:
        url = urljoin(url, base.get("href").strip())
    links = {}
    for element in root.iter("a", "area"):
        href = (element.get("href") or "").strip()
        if not href or href.lower().startswith(_NOT_PAGES):
            continue
        link = urljoin(url, href)
        if posixpath.splitext(urlsplit(link).path)[1].lower() not in SKIPPED_EXTENSIONS:
            links[link] = None
    return list(links)


def _walk(element, writer: _BlockWriter) -> None:
    tag = element.tag if isinstance(element.tag, str) else None
    if (
        tag is None
        or tag in _SKIP_TAGS
        or element.get("hidden") is not None
        or ("display:none" in (element.get("style") or "").replace(" ", ""))
    ):
        return
    if tag in _BLOCKS:
        writer.flush()
        previous_kind = writer.kind
        if tag in _HEADINGS:
            writer.kind = "heading"
        elif tag in _ITEMS:
            writer.kind = "item"
        elif tag in _CELLS:
            writer.kind = "cell"
        elif tag in ("p", "blockquote", "figcaption", "caption"):
            writer.kind = "paragraph"
    if tag == "img":
        alt = _SPACE.sub(" ", element.get("alt") or "").strip()
        if alt:
            writer.alts.append(alt)
    writer.add(element.text)
    for child in element:
        _walk(child, writer)
        writer.add(child.tail)
    if tag in _BLOCKS:
        writer.flush()
        writer.kind = previous_kind


def extract_pdf(body: bytes) -> Extracted:
    """Text of every page of a PDF, as paragraphs and bullet items."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ExtractionError(f"unreadable PDF ({type(error).__name__})") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ExtractionError("PDF has no extractable text")
    text = text[:MAX_TEXT_CHARS]
    title = None
    try:
        title = reader.metadata.title if reader.metadata else None
    except (PyPdfError, ValueError, KeyError, TypeError):
        title = None
    return Extracted(text, blocks_from_plain_text(text), title=title, kind="pdf")
