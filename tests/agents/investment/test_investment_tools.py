"""The committee's tools: the ledger changes only on BUY/SELL/TRIM; the archive is flat and
append-only; the engine and data tools answer for the meeting's date."""

from __future__ import annotations

import json

import pytest

from workbench.agents.investment import (
    Memo,
    allowed_size,
    load_meetings,
    parse_memo,
    render_memo,
)
from workbench.agents.investment.memos import SECTIONS
from workbench.agents.investment.tools import committee_tools, name_keys, short_name

MEETINGS = {m.id: m for m in load_meetings()}


def tools_of(world):
    return {t.name: t for t in committee_tools(world)}


def invoke(tools, name, **args):
    outcome = tools[name].invoke(args)
    return outcome.content, outcome.error


def book(world):
    return world.ledger.to_json()


def memo_text(ticker="MSFT", decision="BUY") -> str:
    meta = {"ticker": ticker, "date": "2026-02-16", "year": 2026, "quarter": "Q1",
            "decision": decision, "amount_usd": 0}
    return render_memo(meta, {s: f"{s} text." for s in SECTIONS})


def test_no_tool_deletes_anything_and_only_execute_trade_writes_the_ledger(world):
    names = set(tools_of(world))
    assert not {n for n in names if "delete" in n or "remove" in n}
    assert names == {"search_universe", "market_data", "research_library", "portfolio",
                     "mandate_check", "execute_trade", "search_memos", "read_memo",
                     "check_conditions", "write_memo"}


def test_reads_and_the_engine_never_change_the_ledger(world):
    world.begin(MEETINGS["M03"])
    tools, before = tools_of(world), book(world)
    for name, args in [("search_universe", {"query": "Tesla"}), ("market_data", {"ticker": "TSLA"}),
                       ("portfolio", {}),
                       ("portfolio", {"scenario": "scenarios/fifteen_positions.json"}),
                       ("mandate_check", {"ticker": "TSLA", "amount": 5_000_000}),
                       ("mandate_check", {"ticker": "NVDA", "action": "SELL"}),
                       ("search_memos", {"query": ""}), ("read_memo", {"filename":
                                                                       "tsla_2025_q4_pass.md"}),
                       ("check_conditions", {"filename": "tsla_2025_q4_pass.md"}),
                       ("research_library", {"topic": "TSLA"})]:
        _, error = invoke(tools, name, **args)
        assert error is None, name
        assert book(world) == before, f"{name} changed the ledger"


@pytest.mark.parametrize("action", ["HOLD", "PASS", "hold"])
def test_hold_and_pass_cannot_be_executed(world, action):
    world.begin(MEETINGS["M05"])
    tools, before = tools_of(world), book(world)
    text, error = invoke(tools, "execute_trade", action=action, ticker="NVDA", amount=100_000)
    assert error and "only BUY, SELL and TRIM" in text
    assert book(world) == before


def test_buy_trim_and_sell_book_trades_at_todays_price(world):
    world.begin(MEETINGS["M01"])
    tools = tools_of(world)
    result, error = invoke(tools, "execute_trade", action="BUY", ticker="MSFT", amount=1_500_000)
    assert error is None
    done = json.loads(result)
    assert (done["shares"], done["price"], done["cash_after"]) == (3750.0, 400.0, 6_500_000)
    assert done["position_count_after"] == 3 and done["sector_weight_after"] == 0.31
    trimmed = json.loads(invoke(tools, "execute_trade", action="TRIM", ticker="MSFT",
                                amount=500_000)[0])
    assert trimmed["cash_after"] == 7_000_000
    sold = json.loads(invoke(tools, "execute_trade", action="SELL", ticker="MSFT")[0])
    assert sold["dollars"] == 1_000_000 and not world.ledger.holds("MSFT")
    assert [t.action for t in world.ledger.trades[-3:]] == ["BUY", "TRIM", "SELL"]
    assert {t.meeting_id for t in world.ledger.trades[-3:]} == {"M01"}
    saved = json.loads(world.ledger_path.read_text())
    assert saved["cash"] == world.ledger.cash and len(saved["trades"]) == 5


def test_trades_the_ledger_cannot_book_are_refused_cleanly(world):
    world.begin(MEETINGS["M01"])
    tools, before = tools_of(world), book(world)
    for args in ({"action": "SELL", "ticker": "MSFT"}, {"action": "BUY", "ticker": "MSFT"},
                 {"action": "BUY", "ticker": "MSFT", "amount": 9_000_000},
                 {"action": "BUY", "ticker": "ZZZZ", "amount": 1}):
        text, error = invoke(tools, "execute_trade", **args)
        assert error and text.startswith("Error"), args
    assert book(world) == before


def test_execution_reports_but_does_not_block_violations(world):
    # The ledger does arithmetic; the engine judges. A breach is booked and flagged.
    world.begin(MEETINGS["M03"])
    done = json.loads(invoke(tools_of(world), "execute_trade", action="BUY", ticker="TSLA",
                             amount=2_000_000)[0])
    assert any(w.startswith("beta_cap") for w in done["warnings"])


@pytest.mark.parametrize("name", ["memos/msft_2026_q1_buy.md", "a/b/msft_2026_q1_buy.md",
                                  "../msft_2026_q1_buy.md"])
def test_memo_archive_refuses_nested_paths(world, name):
    text, error = invoke(tools_of(world), "write_memo", filename=name, text=memo_text())
    assert error and "top level" in text
    assert world.archive.misplaced() == [] and "msft_2026_q1_buy.md" not in world.archive.list()
    assert not (world.root / "memos" / "memos").exists()


def test_memo_archive_never_overwrites_and_refuses_malformed_memos(world):
    tools = tools_of(world)
    assert invoke(tools, "write_memo", filename="msft_2026_q1_buy.md",
                  text=memo_text())[1] is None
    text, error = invoke(tools, "write_memo", filename="msft_2026_q1_buy.md", text=memo_text())
    assert error and "msft_2026_q1_buy_2.md" in text
    bad = memo_text().replace("## Technicals", "## Charts")
    assert invoke(tools, "write_memo", filename="msft_2026_q1_buy_2.md", text=bad)[1]
    assert invoke(tools, "write_memo", filename="MSFT-buy.md", text=memo_text())[1]
    assert world.archive.list().count("msft_2026_q1_buy.md") == 1
    memo: Memo = parse_memo(world.archive.read("msft_2026_q1_buy.md"))
    assert list(memo.sections) == list(SECTIONS)


def test_search_universe_finds_every_meetings_company_first(world):
    tools = tools_of(world)
    for meeting in MEETINGS.values():
        hits = json.loads(invoke(tools, "search_universe", query=meeting.request)[0])
        assert hits and hits[0]["ticker"] == meeting.ticker, meeting.id
    assert short_name("JPMorgan Chase & Co.") == "JPMorgan Chase"
    assert short_name("Apex Horizon Acquisition Corp. (fictional SPAC)") == \
        "Apex Horizon Acquisition"
    assert "lilly" in name_keys("Eli Lilly and Company")


def test_data_and_engine_answer_for_the_meeting_date(world):
    meeting = MEETINGS["M13"]  # JPM, 2026-06-22, Q2 pack; earnings 2026-07-14
    world.begin(meeting)
    tools = tools_of(world)
    data = json.loads(invoke(tools, "market_data", ticker="jpm")[0])
    assert data["data_pack"] == "2026 Q2" and data["days_to_earnings"] == 22
    check = json.loads(invoke(tools, "mandate_check", ticker="JPM")[0])
    fixture = world.fixtures.get("JPM", "Q2")
    engine = allowed_size(world.ledger, fixture, world.mandate, prices=world.prices(),
                          betas=world.betas(), on=meeting.date)
    assert check["allowed_max_usd"] == engine.max_dollars == 1_500_000
    assert check["holding"]["held"] and "proposal" not in check
    options = json.loads(invoke(tools, "mandate_check", ticker="NVDA", amount=1_000_000,
                                instrument="option")[0])
    assert not options["eligible"] and not options["proposal"]["compliant"]


def test_check_conditions_sees_the_revisit_line_cross(world):
    tools = tools_of(world)
    world.begin(MEETINGS["M11"])
    assert json.loads(invoke(tools, "check_conditions",
                             filename="tsla_2025_q4_pass.md")[0])["met"] == []
    world.begin(MEETINGS["M18"])
    assert json.loads(invoke(tools, "check_conditions", filename="tsla_2025_q4_pass.md")[0])[
        "met"] == ["tsla_auto_margin_above_20"]
    hits = json.loads(invoke(tools, "search_memos", query="TSLA")[0])
    assert [h["filename"] for h in hits] == ["tsla_2025_q4_pass.md"]
    assert len(hits[0]["conditions"]) == 3
