"""The hard cases of claim-labels.md, one by one, through the shipped classifier."""

from __future__ import annotations

import pytest

from scanner.classify import Classifier
from scanner.segment import Segment


@pytest.fixture(scope="module")
def classifier():
    return Classifier()


def labels_of(classifier, text, context=None):
    if context:
        segment = Segment(text, 0, len(text), "item", context)
        return {f.label for f in classifier.classify([segment])[0]}
    return {f.label for f in classifier.check_text(text)}


# (sentence, labels it must carry, why)
CLAIMS = [
    (
        "Our stem cell injections cure knee arthritis.",
        {"unapproved_use"},
        "offers a stem-cell product for a condition",
    ),
    (
        "Walk again within weeks after our spinal cord injury stem cell protocol.",
        {"unapproved_use", "recovery_time"},
        "promises when paralysis resolves",
    ),
    (
        "You will be pain-free in 3 days after one exosome injection for back pain.",
        {"recovery_time"},
        "a dated recovery promise",
    ),
    (
        "Stem cell therapy is a miracle cure that will reverse your paralysis.",
        {"miracle_language"},
        "miracle, cure, reverse paralysis",
    ),
    (
        "Our stem cell treatment is completely safe with no side effects.",
        {"safety_claim"},
        "absolute safety",
    ),
    (
        "Because we use your own cells, there is zero risk of rejection.",
        {"safety_claim"},
        "own cells used as a no-risk assurance",
    ),
    (
        "Your body won’t reject the cells, so nothing can go wrong.",
        {"safety_claim"},
        "a no-rejection assurance, with a curly apostrophe",
    ),
    (
        "Our groundbreaking exosome protocol has transformed the lives of hundreds of knee"
        " arthritis patients.",
        {"unapproved_use", "miracle_language"},
        "hype without 'miracle' or 'cure', for a condition",
    ),
    (
        "Our stem cell therapy is FDA-approved.",
        {"fda_status_claim"},
        "presents an unapproved therapy as approved",
    ),
    (
        "All our cord tissue products come from an FDA-registered lab, so you can trust them.",
        {"fda_status_claim"},
        "registration used as an assurance",
    ),
]

# (sentence, why it must not be flagged at all)
NOT_CLAIMS = [
    ("We do not claim stem cells cure back pain.", "negation"),
    ("The FDA warns that clinics advertise miracle cures.", "quoting a regulator"),
    ("Some studies suggest modest gains in ASIA grade.", "hedged research summary"),
    ("Most studies follow patients at 3, 6 and 12 months.", "study follow-up schedule"),
    ("Outcomes were assessed at 3, 6 and 12 months after the injection.", "study schedule"),
    ("Our office is open Monday to Friday, 9am to 5pm.", "business text"),
    (
        "Cord blood transplants are FDA-approved for leukemia and other blood disorders.",
        "an approved use, stated accurately",
    ),
    (
        "These statements have not been evaluated by the Food and Drug Administration.",
        "the dietary-supplement disclaimer",
    ),
    ("Stem cell therapy for knee pain is not approved by the FDA.", "accurate FDA status"),
    ("Every procedure carries risks, including infection.", "a risk statement"),
    ("Risks include infection, bleeding and, rarely, tumour formation.", "a risk disclosure"),
    (
        "No serious adverse events were reported among the 24 participants at 12 months.",
        "a trial's safety result, not an assurance",
    ),
    (
        "Researchers called the early results remarkable, but the trial had only twelve patients.",
        "hype words in research voice, hedged",
    ),
    ("There is no cure for multiple sclerosis.", "'no cure' is not miracle language"),
    (
        "Recovery after spinal cord injury is slow and varies from person to person.",
        "recovery is said to vary",
    ),
]


@pytest.mark.parametrize(("text", "expected", "why"), CLAIMS)
def test_claims_are_flagged(classifier, text, expected, why):
    assert expected <= labels_of(classifier, text), why


@pytest.mark.parametrize(("text", "why"), NOT_CLAIMS)
def test_hard_negatives_are_not_flagged(classifier, text, why):
    assert labels_of(classifier, text) == set(), why


@pytest.mark.parametrize("item", ["Parkinson's disease", "Multiple sclerosis", "Autism"])
def test_list_item_is_judged_with_its_lead_in(classifier, item):
    assert "unapproved_use" in labels_of(
        classifier, item, "We treat the following conditions with stem cells:"
    )
    assert labels_of(classifier, item, "Related reading") == set()


def test_lead_in_reaches_bullets_in_plain_text(classifier):
    text = "We treat these conditions with stem cells:\n- Parkinson's disease\n- Lupus\n"
    items = [
        f for f in classifier.check_text(text) if f.sentence in ("Parkinson's disease", "Lupus")
    ]
    assert {f.sentence for f in items if f.label == "unapproved_use"} == {
        "Parkinson's disease",
        "Lupus",
    }


def test_finding_carries_rule_citation_message_and_offsets(classifier):
    text = "Welcome.  Our stem cell injections cure knee arthritis."
    [finding] = [f for f in classifier.check_text(text) if f.label == "unapproved_use"]
    assert text[finding.start : finding.end] == finding.sentence
    assert finding.rule.startswith(("CSM-", "CS-"))
    assert finding.citation == "FDA-CONSUMER-2021"
    assert finding.message and 0 < finding.score <= 1


def test_exosome_claims_cite_the_exosome_notice(classifier):
    findings = classifier.check_text("Our exosome infusions treat long COVID and Parkinson's.")
    assert {f.citation for f in findings if f.label == "unapproved_use"} == {"FDA-EXOSOME-2019"}


def test_rule_fires_when_model_is_unsure(classifier):
    """The rule pack's CS-SAFE-001 flags absolute safety wording on its own."""
    from scanner.classify import fired_rules

    doc = classifier.nlp("The procedure is 100% safe.")
    assert fired_rules(classifier.rulepack, doc)["safety_claim"].id == "CS-SAFE-001"
    negated = classifier.nlp("No treatment is completely safe.")
    assert "safety_claim" not in fired_rules(classifier.rulepack, negated)


@pytest.mark.parametrize(
    "text",
    [
        "There is no harm in asking your doctor for a second opinion.",
        "Most patients report no complications after a routine knee arthroscopy.",
        "Identical twins can donate marrow to each other with no rejection.",
        "Cord blood transplants can be safer than marrow transplants for some children.",
    ],
)
def test_safety_rule_ignores_wider_safety_wording(classifier, text):
    """Safety wording that is often innocent (SAFETY_WORDING) informs the model but
    never fires CS-SAFE-001 on its own."""
    from scanner.classify import fired_rules

    doc = classifier.nlp(text)
    assert "SAFETY_WORDING" in doc._.cues
    assert "safety_claim" not in fired_rules(classifier.rulepack, doc)


def test_registration_as_a_legal_duty_vetoes_the_fda_rule(classifier):
    """CS-FDA-001 flags registration used as an assurance, not registration stated
    as the legal duty it is."""
    from scanner.classify import fired_rules

    assurance = classifier.nlp("Our lab is FDA-registered, so you can trust our stem cells.")
    assert fired_rules(classifier.rulepack, assurance)["fda_status_claim"].id == "CS-FDA-001"
    duty = classifier.nlp(
        "Our cord blood bank is registered with the FDA, as every cord blood bank must be."
    )
    assert "fda_status_claim" not in fired_rules(classifier.rulepack, duty)


def test_full_verdict_memory_never_loses_a_segment(monkeypatch):
    """Regression: forgetting old verdicts mid-batch once dropped crawled pages."""
    import scanner.classify as classify_module

    monkeypatch.setattr(classify_module, "CACHE_SIZE", 4)
    classifier = Classifier()
    texts = [f"Sentence number {i} about our clinic." for i in range(12)]
    for start in range(0, 12, 3):
        batch = [Segment(t, 0, len(t)) for t in texts[start : start + 5]]
        assert len(classifier.classify(batch)) == len(batch)
    assert len(classifier._cache) <= 4 + 5
    repeat = [Segment(texts[0], 0, len(texts[0])), Segment(texts[11], 0, len(texts[11]))]
    assert len(classifier.classify(repeat)) == 2


def test_matcher_anchor_gate_changes_no_cue():
    """The token-pattern Matcher is skipped on docs without an anchor word; on these
    sentences the cues must be exactly those of an ungated run."""
    from scanner.cues import build_nlp, pattern_anchor

    assert pattern_anchor([{"LOWER": "at"}, {"LOWER": {"IN": ["weeks", "months"]}}]) == {
        "weeks",
        "months",
    }
    assert pattern_anchor([{"LOWER": "at", "OP": "?"}, {"LIKE_NUM": True}]) is None
    nlp = build_nlp()
    marker = nlp.get_pipe("clinicscan_cues")
    texts = [
        "Walk again within 3 weeks of your first infusion.",
        "Outcomes were assessed at 3, 6 and 12 months.",
        "We are open on Mondays.",
        "Back on the course in a couple of weeks!",
    ]
    gated = [dict(doc._.cues) for doc in nlp.pipe(texts)]
    anchors, marker.anchors = marker.anchors, None
    try:
        ungated = [dict(doc._.cues) for doc in nlp.pipe(texts)]
    finally:
        marker.anchors = anchors
    assert gated == ungated
    assert "TIME_PROMISE" in gated[0] and "STUDY_SCHEDULE" in gated[1]


def test_cues_match_curly_apostrophes(classifier):
    """Web pages curl apostrophes: "isn’t" is a negation as "isn't" is, and a rule
    that a negation vetoes stays quiet either way."""
    from scanner.classify import fired_rules

    for text in (
        "Our stem cell product isn't FDA approved.",
        "Our stem cell product isn’t FDA approved.",
    ):
        doc = classifier.nlp(text)
        assert "NEGATION" in doc._.cues, text
        assert "fda_status_claim" not in fired_rules(classifier.rulepack, doc), text
    assert "PRODUCT" in classifier.nlp("Wharton’s jelly injections")._.cues


def test_lead_in_that_puts_a_product_to_work_is_one_feature(classifier):
    """A lead-in naming a product and treatment wording ("can be treated with stem
    cells, including:") gives the item a feature of its own; a lead-in naming only
    a condition ("Symptoms of knee arthritis include:") does not."""
    from scanner.features import doc_features

    item = classifier.nlp("Muscle strains and tears")
    offer = classifier.nlp("Sports injuries that can be treated with stem cells include:")
    neutral = classifier.nlp("Symptoms of knee arthritis include:")
    assert {"PRODUCT", "TREATS"} <= set(offer._.cues)
    assert "ctx_pair=PRODUCT+TREATS" in doc_features(item, offer, "item")
    assert "ctx_pair=PRODUCT+TREATS" not in doc_features(item, neutral, "item")


def test_long_words_share_a_stem_feature(classifier):
    """Inflections of a long word share one stem feature; short words get none."""
    from scanner.features import doc_features

    def stems(text):
        return {f for f in doc_features(classifier.nlp(text)) if f.startswith("s=")}

    assert stems("Cells regenerating cartilage") == stems("Cell regeneration of cartilage")
    assert stems("Remarkable results") & stems("remarkably better")
    assert stems("Our knee clinic") == set()


def test_typographic_quotes_read_as_plain_in_linear_features(classifier):
    """The linear view reads ‘ ’ “ ” as plain quotes, as the text classifier does."""
    from scanner.features import doc_features

    curly = doc_features(classifier.nlp("Your body won’t reject ‘young’ cells."))
    plain = doc_features(classifier.nlp("Your body won't reject 'young' cells."))
    assert [f for f in curly if f.startswith("w=")] == [f for f in plain if f.startswith("w=")]
