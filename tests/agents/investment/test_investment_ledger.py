"""The portfolio ledger: trades are the only way in, and the arithmetic is exact."""

from __future__ import annotations

import dataclasses

import pytest

from workbench.agents.investment.ledger import Ledger, LedgerError


def fresh() -> Ledger:
    return Ledger(fund_size=10_000_000, cash=10_000_000)


def test_buy_opens_a_position_and_spends_cash():
    ledger = fresh()
    ledger.buy("NVDA", "Technology", 1_500_000, 150.0, "2025-11-14", 1.85)
    pos = ledger.positions["NVDA"]
    assert (pos.shares, pos.cost, pos.entry_price) == (10_000, 1_500_000, 150.0)
    assert ledger.cash == 8_500_000
    assert len(ledger.trades) == 1 and ledger.trades[0].action == "BUY"


def test_add_averages_the_entry_and_keeps_the_first_date():
    ledger = fresh()
    ledger.buy("AAA", "Technology", 1_000_000, 100.0, "2026-01-05", 1.0)   # 10,000 sh
    ledger.buy("AAA", "Technology", 1_000_000, 200.0, "2026-05-18", 1.2)   # 5,000 sh
    pos = ledger.positions["AAA"]
    # 15,000 shares for $2M -> average $133.33; the later beta replaces the earlier one.
    assert pos.shares == 15_000 and pos.cost == 2_000_000
    assert pos.entry_price == pytest.approx(133.3333, rel=1e-6)
    assert pos.entry_date == "2026-01-05" and pos.beta == 1.2


def test_sell_returns_proceeds_at_the_price_given():
    ledger = fresh()
    ledger.buy("LLY", "Healthcare", 1_000_000, 800.0, "2026-02-23", 0.45)  # 1,250 sh
    proceeds = ledger.sell("LLY", 590.0, "2026-08-19")
    assert proceeds == 737_500  # 1,250 x $590
    assert ledger.cash == 9_737_500 and not ledger.holds("LLY")


def test_trim_sells_part_and_reduces_cost_pro_rata():
    ledger = fresh()
    ledger.buy("MSFT", "Technology", 3_000_000, 300.0, "2024-03-01", 0.9)  # 10,000 sh
    ledger.trim("MSFT", 800_000, 400.0, "2026-11-20")                     # 2,000 sh
    pos = ledger.positions["MSFT"]
    assert pos.shares == 8_000 and pos.cost == 2_400_000
    assert ledger.cash == 7_800_000
    ledger.trim("MSFT", 3_200_000, 400.0, "2026-11-21")  # the rest: closes the position
    assert not ledger.holds("MSFT") and ledger.cash == 11_000_000


@pytest.mark.parametrize("decision", ["HOLD", "PASS", "hold"])
def test_hold_and_pass_never_change_the_book(decision):
    ledger = fresh()
    ledger.buy("JPM", "Financials", 500_000, 250.0, "2025-09-10", 1.1)
    before = ledger.to_dict()
    ledger.apply(decision, "JPM", 1_000_000, price=250.0, sector="Financials", beta=1.1,
                 on="2026-06-22")
    assert ledger.to_dict() == before


def test_apply_books_buy_sell_and_trim():
    ledger = fresh()
    kw = {"price": 100.0, "sector": "Technology", "beta": 1.0, "on": "2026-01-02"}
    ledger.apply("BUY", "AAA", 1_000_000, **kw)
    ledger.apply("TRIM", "AAA", 400_000, **kw)
    assert ledger.market_value("AAA", {"AAA": 100.0}) == 600_000
    ledger.apply("SELL", "AAA", 0, **kw)
    assert ledger.position_count == 0 and ledger.cash == 10_000_000
    with pytest.raises(LedgerError):
        ledger.apply("SHORT", "AAA", 1, **kw)


def test_positions_cannot_be_edited_in_place():
    ledger = fresh()
    ledger.buy("AAA", "Technology", 1_000_000, 100.0, "2026-01-02", 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ledger.positions["AAA"].shares = 1  # type: ignore[misc]


def test_ledger_refuses_impossible_trades():
    ledger = fresh()
    with pytest.raises(LedgerError):
        ledger.buy("AAA", "Technology", 10_000_001, 100.0, "2026-01-02", 1.0)
    with pytest.raises(LedgerError):
        ledger.sell("AAA", 100.0, "2026-01-02")
    ledger.buy("AAA", "Technology", 1_000_000, 100.0, "2026-01-02", 1.0)
    with pytest.raises(LedgerError):
        ledger.trim("AAA", 2_000_000, 100.0, "2026-01-02")


def test_weights_sector_exposure_and_portfolio_beta_at_prices():
    ledger = fresh()
    ledger.buy("NVDA", "Technology", 1_500_000, 150.0, "2025-11-14", 1.85)  # 10,000 sh
    ledger.buy("MSFT", "Technology", 1_500_000, 400.0, "2026-02-16", 0.90)  # 3,750 sh
    ledger.buy("JPM", "Financials", 500_000, 250.0, "2025-09-10", 1.10)     # 2,000 sh
    prices = {"NVDA": 160.0, "MSFT": 400.0, "JPM": 260.0}
    # NVDA $1.6M, MSFT $1.5M -> Tech $3.1M = 31%; JPM $520K = 5.2%.
    assert ledger.sector_exposure(prices) == {"Financials": 0.052, "Technology": 0.31}
    assert ledger.weights(prices)["NVDA"] == pytest.approx(0.16)
    # Beta: (1.6M x 1.85 + 1.5M x 0.9 + 0.52M x 1.1) / 10M = (2.96 + 1.35 + 0.572) / 10.
    assert ledger.portfolio_beta(prices) == pytest.approx(0.4882)
    assert ledger.portfolio_beta(prices, {"NVDA": 2.05}) == pytest.approx(0.5202)
    assert ledger.nav(prices) == 6_500_000 + 3_620_000
    with pytest.raises(LedgerError):
        ledger.weights({"NVDA": 160.0})  # a held ticker without a price is an error


def test_json_round_trip():
    ledger = fresh()
    ledger.buy("NVDA", "Technology", 1_500_000, 150.0, "2025-11-14", 1.85, meeting_id="seed")
    again = Ledger.from_json(ledger.to_json())
    assert again.to_dict() == ledger.to_dict()
    assert again.trades[0].meeting_id == "seed"
    copy = ledger.copy()
    copy.sell("NVDA", 150.0, "2026-01-01")
    assert ledger.holds("NVDA")  # the copy is independent
