"""`clinicscan check`: exit codes, formats, JSON lines, offsets, bad input."""

from __future__ import annotations

import json

CLAIM = "Our stem cell injections cure knee arthritis and you will be pain-free in 3 days."
CLEAN = "Our office is open Monday to Friday, 9am to 5pm."


def test_clean_text_exits_0(cli):
    result = cli("check", "-", stdin=CLEAN)
    assert result.returncode == 0, result.stderr
    assert "no findings" in result.stdout


def test_claim_exits_1_with_text_lines(cli):
    result = cli("check", "-", stdin=CLAIM)
    assert result.returncode == 1
    assert "unapproved_use" in result.stdout and "FDA-CONSUMER-2021" in result.stdout


def test_file_argument_and_json_offsets_slice_input(cli, tmp_path):
    text = f"Welcome to our clinic.\n\n{CLEAN}  {CLAIM}\n"
    path = tmp_path / "ad.txt"
    path.write_text(text, encoding="utf-8")
    result = cli("check", str(path), "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert "unapproved_use" in data["labels"]
    for finding in data["findings"]:
        assert text[finding["start"] : finding["end"]] == finding["sentence"]
        assert finding["site"] is None and finding["url"] is None
        assert finding["captured_at"] is None and finding["page_sha256"] is None
        assert list(finding)[:11] == [
            "site",
            "url",
            "label",
            "sentence",
            "start",
            "end",
            "score",
            "rule",
            "citation",
            "captured_at",
            "page_sha256",
        ]


def test_offsets_count_characters_not_bytes(cli):
    text = "Café “naïve” — ok. " + CLAIM
    data = json.loads(cli("check", "-", "--format", "json", stdin=text).stdout)
    assert all(text[f["start"] : f["end"]] == f["sentence"] for f in data["findings"])


def test_jsonl_keeps_ids_and_order(cli):
    lines = [{"id": 7, "text": CLAIM}, {"id": "b", "text": CLEAN}, {"id": None, "text": CLAIM}]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    result = cli("check", "--jsonl", "-", stdin=stdin)
    assert result.returncode == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [7, "b", None]
    assert out[1]["labels"] == [] and out[1]["findings"] == []
    assert "unapproved_use" in out[0]["labels"]
    assert all(CLAIM[f["start"] : f["end"]] == f["sentence"] for f in out[0]["findings"])


def test_jsonl_all_clean_exits_0(cli):
    result = cli("check", "--jsonl", stdin=json.dumps({"id": 1, "text": CLEAN}) + "\n")
    assert result.returncode == 0


def _assert_one_line_error(result, *words):
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


def test_missing_file(cli, tmp_path):
    _assert_one_line_error(cli("check", str(tmp_path / "nope.txt")), "no such file")


def test_empty_text(cli):
    _assert_one_line_error(cli("check", "-", stdin="  \n"), "empty")


def test_not_utf8(cli, tmp_path):
    path = tmp_path / "bin.txt"
    path.write_bytes(b"\xff\xfe\x00\xd8 bad")
    _assert_one_line_error(cli("check", str(path)), "UTF-8")


def test_bad_jsonl_line(cli):
    _assert_one_line_error(
        cli("check", "--jsonl", stdin='{"id": 1, "text": "ok"}\nnot json\n'), "line 2"
    )


def test_jsonl_without_text(cli):
    _assert_one_line_error(cli("check", "--jsonl", stdin='{"id": 1}\n'), "line 1")


def test_bad_format_choice(cli):
    _assert_one_line_error(cli("check", "-", "--format", "xml", stdin=CLAIM), "xml")


def test_version_and_help(cli):
    assert cli("--version").stdout.startswith("clinicscan")
    help_text = cli("--help").stdout
    for command in ("crawl", "check", "report", "export", "train", "evaluate", "evidence"):
        assert command in help_text
