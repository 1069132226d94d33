"""Extraction: bytes in any charset to the text a visitor reads, PDFs, refusals."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from scanner.extract import ExtractionError, decode_text, extract, extract_html

REPO = Path(__file__).resolve().parent.parent
BROCHURE = REPO / "demo" / "sites" / "renewspine-clinic" / "brochure.pdf"
TEXT = "\u201cCurly\u201d quotes, it\u2019s caf\u00e9 cr\u00e8me \u2013 na\u00efve"
LATIN = "Caf\u00e9 cr\u00e8me, na\u00efve gar\u00e7on, \u00bd price"


def page(text: str, head: str = "") -> str:
    return f"<html><head>{head}<title>{text}</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (page(TEXT).encode("cp1252"), "text/html", TEXT),
        (page(TEXT).encode("cp1252"), "text/html; charset=ISO-8859-1", TEXT),
        (page(LATIN).encode("latin-1"), "text/html; charset=latin-1", LATIN),
        (b"\xef\xbb\xbf" + page(TEXT).encode("utf-8"), "text/html", TEXT),
        (b"\xef\xbb\xbf" + page(TEXT).encode("utf-8"), "text/html; charset=windows-1252", TEXT),
        (page(TEXT).encode("cp1252"), "text/html; charset=utf-8", TEXT),
        (page(TEXT).encode("utf-8"), "text/html; charset=iso-8859-1", TEXT),
        (page(TEXT, '<meta charset="windows-1252">').encode("cp1252"), "text/html", TEXT),
        (
            page("\u041f\u0440\u0438\u0432\u0435\u0442").encode("cp1251"),
            "text/html; charset=windows-1251",
            "\u041f\u0440\u0438\u0432\u0435\u0442",
        ),
        (page(TEXT).encode("utf-16"), "text/html", TEXT),
    ],
    ids=[
        "cp1252-no-charset",
        "cp1252-declared-latin1",
        "latin1-declared",
        "utf8-bom",
        "utf8-bom-wrong-header",
        "cp1252-header-says-utf8",
        "utf8-header-says-latin1",
        "meta-charset",
        "cyrillic-declared",
        "utf16-bom",
    ],
)
def test_charsets_come_out_right(body, content_type, expected):
    document = extract(body, content_type)
    assert document.title == expected
    assert expected in document.text
    assert "\ufeff" not in document.text


def test_binary_junk_served_as_html_is_refused():
    junk = random.Random(4).randbytes(20_000)
    with pytest.raises(ExtractionError, match="binary"):
        extract(junk, "text/html")
    with pytest.raises(ExtractionError, match="binary"):
        extract(b"\x89PNG\r\n\x1a\n" + random.Random(5).randbytes(5000), "text/html")


def test_empty_documents_are_refused():
    for body in (b"", b"   \n\t "):
        with pytest.raises(ExtractionError, match="empty"):
            decode_text(body)


def test_malformed_html_still_extracted():
    body = (
        b"<html><body><div><p>Unclosed paragraph about <b>knee repair <i>nested"
        b"</div></span><p>Second\x00 paragraph & stray </td> text\x0b here"
        b"<table><tr><td>Cell one<td>Cell two</table><li>Loose item"
        b"<p>Last <a href='/x'>link text"
    )
    document = extract(body, "text/html")
    for text in (
        "Unclosed paragraph about knee repair nested",
        "Second paragraph & stray",
        "Cell one",
        "Cell two",
        "Loose item",
        "Last link text",
    ):
        assert text in document.text


def test_xhtml_with_xml_declaration():
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>X</title></head><body><p>{TEXT}</p></body></html>"
    ).encode()
    assert TEXT in extract(body, "application/xhtml+xml").text


def test_alt_text_meta_description_and_structure():
    body = page("Clinic", '<meta name="description" content="Regenerative care in Austin.">')
    body = body.replace(
        "<p>Clinic</p>",
        (
            "<h2>Our services</h2><ul><li>Knee injections</li></ul>"
            '<img src="a.jpg" alt="Smiling patient after treatment">'
            "<table><tr><td>Price</td><td>$5,000</td></tr></table>"
            "<script>var hidden = 'never shown';</script><div hidden>hidden div</div>"
        ),
    )
    document = extract_html(body.encode())
    assert "Regenerative care in Austin." in document.text
    assert "Smiling patient after treatment" in document.text
    for text in ("Our services", "Knee injections", "Price", "$5,000"):
        assert text in document.text
    assert "never shown" not in document.text and "hidden div" not in document.text
    kinds = {document.text[b.start : b.end]: b.kind for b in document.blocks}
    assert kinds["Our services"] == "heading" and kinds["Knee injections"] == "item"
    assert kinds["Smiling patient after treatment"] == "alt" and kinds["Price"] == "cell"


def test_js_only_page_needs_a_browser():
    body = (
        b"<html><head><title>App</title><script src='/app.js'></script></head>"
        b"<body><div id='root'></div><noscript>Enable JavaScript</noscript></body></html>"
    )
    assert extract_html(body).needs_browser
    assert not extract_html(page("A real page with words " * 20).encode()).needs_browser


def test_pdf_brochure_text():
    document = extract(BROCHURE.read_bytes(), "application/pdf")
    assert document.kind == "pdf"
    assert len(document.text) > 200
    assert "stem cell" in document.text.lower()


def test_unsupported_and_broken_documents():
    with pytest.raises(ExtractionError, match="unsupported content type: image/png"):
        extract(b"\x89PNG", "image/png")
    with pytest.raises(ExtractionError, match="unreadable PDF"):
        extract(b"%PDF-1.4 this is not really a pdf", "application/pdf")


def test_links_come_from_the_same_parse():
    page = b"""<html><head><base href="/clinic/"></head><body>
    <a href="knees.html">Knees</a> <a href=" knees.html ">again</a>
    <a href="/brochure.pdf">Brochure</a> <a href="/photo.JPG">Photo</a>
    <a href="mailto:x@example.org">Mail</a> <a href="javascript:void(0)">JS</a>
    <a href="#top">Top</a> <a>no href</a>
    <map><area href="https://other.example/map"></map>
    <p>Some visible text so the page is read.</p></body></html>"""
    links = extract(page, "text/html", "http://clinic.test/index.html").links
    assert links == [
        "http://clinic.test/clinic/knees.html",
        "http://clinic.test/brochure.pdf",
        "https://other.example/map",
    ], "base href applies, duplicates and non-page links go, PDFs stay"


def test_plain_text_and_pdf_have_no_links():
    assert extract(b"See http://clinic.test/a for more.", "text/plain").links == []
