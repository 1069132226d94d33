"""Split text into the units the classifier judges: sentences, bullet items, headings.

A page's text is a sequence of :class:`Block` spans (paragraph, heading, list item,
table cell, alt text...). Each block is split into :class:`Segment` spans; list items
and short lines keep the heading or lead-in sentence above them as ``context``, so
that "Parkinson's disease" under "We treat these conditions with stem cells:" is
judged differently from the same words under "Related reading".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BLOCK_KINDS = ("title", "meta", "heading", "paragraph", "item", "cell", "alt", "pdf")


@dataclass(frozen=True)
class Block:
    """A span of extracted text with its structural kind and lead-in context."""

    kind: str
    start: int
    end: int
    context: str | None = None


@dataclass(frozen=True)
class Segment:
    """One unit to classify: ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    kind: str = "paragraph"
    context: str | None = None


# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) before
# whitespace and an upper-case letter, digit, quote or bullet; common abbreviations
# are protected below.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9•#@])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Dr|Mr|Mrs|Ms|Prof|St|vs|etc|e\.g|i\.e|No|Inc|Ltd|Co|Jr|Sr|approx|U\.S|"
    r"Mt|Ave|Blvd|Fig|Ph\.D|M\.D|D\.O|a\.m|p\.m)|\b[A-Z])\.$",
)
_BULLET = re.compile(r"^\s*(?:[-*•·▪►✓✔]|\d{1,2}[.)]|[a-z][.)])\s+")
_MAX_SEGMENT_CHARS = 600


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` as (start, end) pairs, shifted by ``offset``.

    Spans exclude surrounding whitespace; overly long run-on text is cut at
    semicolons so that one span never hides several claims.
    """
    spans = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate_end = match.start() + len(match.group().rstrip())
        if _ABBREVIATIONS.search(text[max(0, match.start() - 6) : match.start() + 1]):
            continue
        spans.append((start, candidate_end))
        start = match.end()
    spans.append((start, len(text)))
    result = []
    for s, e in spans:
        for s2, e2 in _cut_long(text, s, e):
            s2, e2 = _strip(text, s2, e2)
            if e2 > s2:
                result.append((s2 + offset, e2 + offset))
    return result


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    if end - start <= _MAX_SEGMENT_CHARS:
        return [(start, end)]
    pieces = []
    cursor = start
    for match in re.finditer(r"[;:]\s+", text[start:end]):
        cut = start + match.end()
        if cut - cursor >= 80:
            pieces.append((cursor, cut))
            cursor = cut
    pieces.append((cursor, end))
    return pieces


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def segments_from_blocks(source: str, blocks: list[Block]) -> list[Segment]:
    """Split every block of ``source`` into segments that keep their context."""
    segments = []
    for block in blocks:
        if block.kind in ("item", "cell", "heading", "title", "alt") and (
            block.end - block.start <= 200
        ):
            spans = [_strip(source, block.start, block.end)]
        else:
            spans = split_sentences(source[block.start : block.end], block.start)
        for s, e in spans:
            if e > s:
                segments.append(Segment(source[s:e], s, e, block.kind, block.context))
    return segments


def blocks_from_plain_text(text: str) -> list[Block]:
    """Blocks of plain text: paragraphs, bullet items, headings and lead-ins.

    Lines starting with a bullet or number are items; they take the nearest
    preceding lead-in (a line ending with ':') or heading as context. Paragraphs
    are separated by blank lines; single line breaks inside a paragraph are kept.
    """
    blocks: list[Block] = []
    context: str | None = None
    para_start = None
    para_end = 0
    pos = 0

    def flush() -> None:
        nonlocal para_start
        if para_start is not None:
            blocks.append(Block("paragraph", para_start, para_end))
            para_start = None

    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        line_start = pos
        pos += len(line)
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if not stripped:
            flush()
            continue
        bullet = _BULLET.match(body)
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        stands_alone = para_start is None and (not following or _BULLET.match(following))
        lead_in = stripped.endswith(":")
        heading = stands_alone and _looks_like_heading(stripped)
        if bullet:
            flush()
            s = line_start + bullet.end()
            blocks.append(Block("item", s, line_start + len(body.rstrip()), context))
        elif lead_in or heading:
            flush()
            s = line_start + (len(body) - len(body.lstrip()))
            blocks.append(Block("heading" if heading else "paragraph", s, s + len(stripped)))
            context = stripped
        else:
            if para_start is None:
                para_start = line_start + (len(body) - len(body.lstrip()))
            para_end = line_start + len(body.rstrip())
    flush()
    return blocks


def _looks_like_heading(line: str) -> bool:
    """A short line with no sentence punctuation at its end reads as a heading."""
    words = line.split()
    return 0 < len(words) <= 8 and line[-1] not in ".!?;,:\"”'’)" and not _BULLET.match(line)


def segment_plain_text(text: str) -> list[Segment]:
    """Segments of free text (the ``check`` command's input)."""
    return segments_from_blocks(text, blocks_from_plain_text(text))
