"""Sentence and block segmentation: offsets, bullets, headings, abbreviations."""

from scanner.segment import blocks_from_plain_text, segment_plain_text, split_sentences


def test_sentences_keep_exact_offsets():
    text = "Dr. Lee treats knees. We use e.g. BMAC! Is it safe? Yes."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == [
        "Dr. Lee treats knees.",
        "We use e.g. BMAC!",
        "Is it safe?",
        "Yes.",
    ]


def test_bullets_take_the_lead_in_as_context():
    text = "Conditions we treat with stem cells:\n• Lupus\n- ALS\n\nOpening hours\n* Monday\n"
    items = [s for s in segment_plain_text(text) if s.kind == "item"]
    assert [(s.text, s.context) for s in items] == [
        ("Lupus", "Conditions we treat with stem cells:"),
        ("ALS", "Conditions we treat with stem cells:"),
        ("Monday", "Opening hours"),
    ]
    assert all(text[s.start : s.end] == s.text for s in items)


def test_blank_lines_separate_paragraphs():
    blocks = blocks_from_plain_text("One line\ncontinues here.\n\nNext paragraph here now.")
    assert [b.kind for b in blocks] == ["paragraph", "paragraph"]
