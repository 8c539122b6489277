"""Memo format, validation and the flat archive."""

from __future__ import annotations

import pytest

from workbench.agents.investment.memos import (
    SECTIONS,
    MemoArchive,
    MemoError,
    memo_filename,
    parse_memo,
    render_memo,
    validate_memo,
)

META = {"ticker": "MSFT", "date": "2026-02-16", "year": 2026, "quarter": "Q1",
        "decision": "BUY", "amount_usd": 1_500_000,
        "conditions": [{"id": "msft_exit", "metric": "price", "op": "<=", "value": 300}]}


def sections(**overrides: str) -> dict[str, str]:
    body = {name: f"{name} text." for name in SECTIONS}
    body.update(overrides)
    return body


def good_text() -> str:
    return render_memo(META, sections())


def codes(issues) -> list[str]:
    return sorted(i.code for i in issues)


def test_rendered_memo_is_valid_and_round_trips():
    text = good_text()
    assert validate_memo(text, "msft_2026_q1_buy.md") == []
    memo = parse_memo(text, "msft_2026_q1_buy.md")
    assert list(memo.sections) == list(SECTIONS)
    assert (memo.ticker, memo.decision, memo.year, memo.quarter) == ("MSFT", "BUY", 2026, "Q1")
    assert memo.amount == 1_500_000 and memo.conditions[0].id == "msft_exit"


def test_memo_without_front_matter_uses_the_filename():
    text = render_memo({}, sections(), title="Apple exploratory buy")
    assert validate_memo(text, "aapl_2026_q1_buy.md") == []
    memo = parse_memo(text, "aapl_2026_q1_buy.md")
    assert (memo.ticker, memo.decision, memo.quarter) == ("AAPL", "BUY", "Q1")


def test_missing_and_empty_sections_are_reported():
    text = good_text().replace("## Technicals\n\nTechnicals text.\n", "")
    assert codes(validate_memo(text, "msft_2026_q1_buy.md")) == ["missing_section"]
    empty = render_memo(META, sections(Market=" "))
    assert codes(validate_memo(empty, "msft_2026_q1_buy.md")) == ["empty_section"]
    with pytest.raises(MemoError):
        render_memo(META, {"Summary": "only one"})


def test_sections_out_of_order():
    text = good_text()
    a, b = "## Market\n\nMarket text.\n", "## Thesis\n\nThesis text.\n"
    swapped = text.replace(b, "@@").replace(a, b).replace("@@", a)
    assert codes(validate_memo(swapped, "msft_2026_q1_buy.md")) == ["section_order"]


def test_numbered_and_worded_headings_are_recognised():
    text = good_text().replace("## Risk & Sizing", "## 6. Risk and Sizing")
    assert validate_memo(text, "msft_2026_q1_buy.md") == []


@pytest.mark.parametrize("name", ["MSFT_2026_Q1_BUY.md", "msft-2026-q1-buy.md",
                                  "msft_2026_q5_buy.md", "msft_2026_q1_maybe.md", "msft.md"])
def test_bad_filenames(name):
    assert "bad_filename" in codes(validate_memo(good_text(), name))


def test_nested_path_is_an_error():
    issues = validate_memo(good_text(), "msft_2026_q1_buy.md",
                           relative_path="memos/msft_2026_q1_buy.md")
    assert codes(issues) == ["nested_path"]


def test_front_matter_must_agree_with_the_filename():
    assert codes(validate_memo(good_text(), "msft_2026_q1_hold.md")) == ["front_matter_mismatch"]
    broken = "---\n{not json}\n---\n" + good_text().split("---\n", 2)[2]
    assert codes(validate_memo(broken, "msft_2026_q1_buy.md")) == ["front_matter_invalid"]


def test_filename_helper():
    assert memo_filename("NVDA", 2025, "Q4", "BUY") == "nvda_2025_q4_buy.md"
    assert memo_filename("NVDA", 2025, "Q4", "BUY", seq=2) == "nvda_2025_q4_buy_2.md"


def test_archive_writes_at_top_level_only(tmp_path):
    archive = MemoArchive(tmp_path)
    archive.write("msft_2026_q1_buy.md", good_text())
    assert archive.list() == ["msft_2026_q1_buy.md"]
    with pytest.raises(MemoError, match="top level"):
        archive.write("memos/msft_2026_q1_buy.md", good_text())
    assert not (tmp_path / "memos").exists()


def test_archive_never_overwrites_and_suggests_the_next_name(tmp_path):
    archive = MemoArchive(tmp_path)
    archive.write("msft_2026_q1_buy.md", good_text())
    with pytest.raises(MemoError, match="msft_2026_q1_buy_2.md"):
        archive.write("msft_2026_q1_buy.md", good_text())
    assert archive.next_name("MSFT", 2026, "Q1", "BUY") == "msft_2026_q1_buy_2.md"
    archive.write("msft_2026_q1_buy_2.md", good_text())
    assert len(archive.list()) == 2
    assert not hasattr(archive, "delete")


def test_archive_refuses_invalid_memos(tmp_path):
    with pytest.raises(MemoError, match="missing"):
        MemoArchive(tmp_path).write("msft_2026_q1_buy.md", "# Just a title\n")


def test_archive_flags_misplaced_memos(tmp_path):
    (tmp_path / "memos").mkdir()
    (tmp_path / "memos" / "nvda_2026_q1_buy.md").write_text(good_text())
    (tmp_path / "msft_2026_q1_buy.md").write_text(good_text())
    archive = MemoArchive(tmp_path)
    assert archive.list() == ["msft_2026_q1_buy.md"]  # the nested one is invisible here ...
    assert archive.misplaced() == ["memos/nvda_2026_q1_buy.md"]  # ... and reported here


def test_archive_read_search_find(tmp_path):
    archive = MemoArchive(tmp_path)
    archive.write("msft_2026_q1_buy.md", good_text())
    assert archive.read("msft_2026_q1_buy.md").startswith("---")
    assert archive.search("thesis text") == [("msft_2026_q1_buy.md", "Thesis text.")]
    assert [m.filename for m in archive.find(ticker="msft")] == ["msft_2026_q1_buy.md"]
    assert archive.latest("TSLA") is None
    with pytest.raises(MemoError):
        archive.read("../escape.md")
