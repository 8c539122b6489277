"""The mandate engine against hand-computed cases.

Every limit is a share of the $10,000,000 fund. Ledgers below are valued at cost (no prices
passed) unless a test says otherwise, so the arithmetic in the comments is all there is.
"""

from __future__ import annotations

from datetime import date

import pytest

from workbench.agents.investment.data import Fixture, load_mandate
from workbench.agents.investment.engine import (
    PRE_EARNINGS_LESSON,
    PreEarningsRule,
    Proposal,
    allowed_size,
    portfolio_triggers,
    trim_amount,
    violations,
)
from workbench.agents.investment.ledger import Ledger

MANDATE = load_mandate()
ON = date(2026, 2, 16)


def fixture(ticker: str = "AAA", sector: str = "Technology", price: float = 100.0,
            beta: float = 1.0, *, market_cap: float = 500e9, listing: str = "us_common",
            earnings: date | None = None, correlations: dict | None = None) -> Fixture:
    return Fixture(ticker=ticker, name=ticker, sector=sector, listing_type=listing,
                   fictional=True, year=2026, quarter="Q1", as_of=date(2026, 2, 13),
                   price=price, beta=beta, market_cap=market_cap, next_earnings_date=earnings,
                   metrics={"price": price, "beta": beta}, correlations=correlations or {})


def book(cash: float, *holdings: tuple[str, str, float, float, float]) -> Ledger:
    """holdings: (ticker, sector, dollars, price, beta), bought at cost."""
    ledger = Ledger(fund_size=10_000_000, cash=cash + sum(h[2] for h in holdings))
    for ticker, sector, dollars, price, beta in holdings:
        ledger.buy(ticker, sector, dollars, price, "2025-12-01", beta)
    return ledger


def codes(found) -> list[str]:
    return sorted(v.code for v in found)


# ---------------------------------------------------------------- allowed size


def test_sector_headroom_binds_when_tech_is_at_35_percent():
    # Tech holds $3.5M (35%); cash $6.5M. Headroom 40% - 35% = 5% = $500,000.
    # Other limits: 30% cap $3M; cash above reserve $6.5M - $0.5M = $6.0M. Min = $500,000.
    ledger = book(6_500_000, ("MSFT", "Technology", 3_500_000, 400.0, 0.9))
    result = allowed_size(ledger, fixture("AAPL", beta=1.1), MANDATE)
    assert result.max_dollars == 500_000
    assert result.binding_constraint == "sector_cap"
    assert result.breakdown["position_cap"] == 3_000_000
    assert result.breakdown["cash_reserve"] == 6_000_000
    assert result.investable


def test_high_beta_caps_a_position_at_15_percent():
    # Beta 2.1 > 1.5 -> 15% x $10M = $1,500,000, tighter than 30% ($3M), Tech 40% ($4M),
    # cash $10M - $0.5M, and portfolio beta (1.5 x $10M) / 2.1 = $7,142,857.14.
    result = allowed_size(book(10_000_000), fixture("TSLA", beta=2.1), MANDATE)
    assert result.max_dollars == 1_500_000
    assert result.binding_constraint == "beta_cap"
    assert result.breakdown["portfolio_beta"] == pytest.approx(7_142_857.14)


def test_beta_exactly_at_threshold_is_not_high_beta():
    result = allowed_size(book(10_000_000), fixture(beta=1.5), MANDATE)
    assert "beta_cap" not in result.breakdown
    assert result.max_dollars == 3_000_000  # 30% cap binds


def test_beta_cap_tie_with_sector_cap_reports_beta_first():
    # Consumer Discretionary cap 15% = $1.5M equals the beta cap: the beta cap is named.
    result = allowed_size(book(10_000_000), fixture(sector="Consumer Discretionary", beta=2.1),
                          MANDATE)
    assert result.max_dollars == 1_500_000
    assert result.binding_constraint == "beta_cap"


def test_held_high_beta_name_above_its_cap_cannot_be_added_to():
    # 10,000 NVDA bought at $150 = $1.5M, marked at $160 = $1.6M: beta headroom $1.5M - $1.6M.
    ledger = book(8_500_000, ("NVDA", "Technology", 1_500_000, 150.0, 1.85))
    result = allowed_size(ledger, fixture("NVDA", price=160.0, beta=1.85), MANDATE,
                          prices={"NVDA": 160.0})
    assert result.breakdown["beta_cap"] == -100_000
    assert result.max_dollars == 0 and not result.investable
    assert result.binding_constraint == "beta_cap"


def test_position_cap_counts_what_is_already_held():
    # MSFT held at $2.5M (25%) -> room to 30% is $500,000; sector room 40% - 25% = $1.5M.
    ledger = book(7_500_000, ("MSFT", "Technology", 2_500_000, 400.0, 0.9))
    result = allowed_size(ledger, fixture("MSFT", price=400.0, beta=0.9), MANDATE)
    assert result.max_dollars == 500_000
    assert result.binding_constraint == "position_cap"


def test_cash_reserve_binds_and_minimum_position_applies():
    # Cash $700,000 -> $200,000 above the $500,000 reserve: exactly the 2% minimum, investable.
    assert allowed_size(book(700_000), fixture(), MANDATE).max_dollars == 200_000
    # Cash $650,000 -> $150,000 < $200,000 minimum: not investable, still reported as cash.
    result = allowed_size(book(650_000), fixture(), MANDATE)
    assert result.max_dollars == 0 and not result.investable
    assert result.binding_constraint == "cash_reserve"
    assert result.breakdown["cash_reserve"] == 150_000


def test_position_count_blocks_a_sixteenth_name_but_not_an_add():
    holdings = [(f"T{i:02d}", "Utilities" if i < 5 else "Energy" if i < 10 else "Industrials",
                 100_000, 50.0, 1.0) for i in range(15)]
    ledger = book(8_500_000, *holdings)
    assert ledger.position_count == 15
    new = allowed_size(ledger, fixture("NEW", sector="Healthcare"), MANDATE)
    assert new.max_dollars == 0 and new.binding_constraint == "position_count"
    # Adding to a held Utilities name: sector room 15% - 5 x $100K = $1.0M.
    add = allowed_size(ledger, fixture("T00", sector="Utilities", price=50.0), MANDATE)
    assert add.max_dollars == 1_000_000 and add.binding_constraint == "sector_cap"


def test_portfolio_beta_headroom_can_bind():
    # Beta dollars held: $3M x 2.0 (Tech) + $1.5M x 2.0 (Cons. Disc.) + $1.5M x 2.0 (Comm.)
    # = $12M -> portfolio beta 1.2. Room to 1.5: ($15M - $12M) / 1.5 = $2,000,000 for a
    # beta-1.5 Healthcare name; Healthcare room $2.5M, cash $4M - $0.5M = $3.5M, 30% = $3M.
    ledger = book(4_000_000, ("A", "Technology", 3_000_000, 100.0, 2.0),
                  ("B", "Consumer Discretionary", 1_500_000, 100.0, 2.0),
                  ("C", "Communication Services", 1_500_000, 100.0, 2.0))
    assert ledger.portfolio_beta() == pytest.approx(1.2)
    result = allowed_size(ledger, fixture("D", sector="Healthcare", beta=1.5), MANDATE)
    assert result.max_dollars == 2_000_000
    assert result.binding_constraint == "portfolio_beta"


def test_holdings_are_valued_at_the_prices_given():
    # 10,000 shares bought for $1.5M, marked at $160 -> $1.6M of Tech; room $4M - $1.6M.
    ledger = book(8_500_000, ("NVDA", "Technology", 1_500_000, 150.0, 1.85))
    at_cost = allowed_size(ledger, fixture("MSFT"), MANDATE)
    marked = allowed_size(ledger, fixture("MSFT"), MANDATE, prices={"NVDA": 160.0})
    assert at_cost.breakdown["sector_cap"] == 2_500_000
    assert marked.breakdown["sector_cap"] == 2_400_000


@pytest.mark.parametrize("kwargs, code", [
    ({"price": 3.0, "market_cap": 0.5e9}, "penny_stock"),
    ({"listing": "adr"}, "adr"),
    ({"listing": "otc"}, "otc"),
    ({"listing": "spac", "market_cap": 0.3e9}, "spac"),
    ({"market_cap": 8e9}, "market_cap"),
])
def test_prohibited_names_have_no_allowed_size(kwargs, code):
    result = allowed_size(book(10_000_000), fixture(**kwargs), MANDATE)
    assert result.max_dollars == 0 and not result.investable
    assert result.binding_constraint == code
    assert code in {v.code for v in result.ineligible}


def test_unapproved_sector_is_ineligible():
    result = allowed_size(book(10_000_000), fixture(sector="Materials"), MANDATE)
    assert result.binding_constraint == "sector_not_approved"


# ---------------------------------------------------------------- lesson rules


def test_pre_earnings_lesson_takes_two_thirds_of_the_policy_max():
    # Beta 2.1 -> $1.5M; earnings 20 days away -> 2/3 x $1.5M = $1,000,000.
    f = fixture(beta=2.1, earnings=date(2026, 3, 8))
    plain = allowed_size(book(10_000_000), f, MANDATE, on=ON)
    taught = allowed_size(book(10_000_000), f, MANDATE, on=ON, lesson_rules=[PRE_EARNINGS_LESSON])
    assert plain.max_dollars == 1_500_000 and plain.lessons_applied == ()
    assert taught.max_dollars == 1_000_000
    assert taught.binding_constraint == "lesson:pre_earnings_two_thirds"
    assert taught.lessons_applied == ("pre_earnings_two_thirds",)


@pytest.mark.parametrize("days, applies", [(0, True), (30, True), (31, False), (-1, False)])
def test_pre_earnings_window_is_0_to_30_days_inclusive(days, applies):
    from datetime import timedelta

    f = fixture(earnings=ON + timedelta(days=days))
    assert PRE_EARNINGS_LESSON.applies(f, ON) is applies
    assert PreEarningsRule(window_days=31).applies(fixture(earnings=ON + timedelta(days=31)), ON)


def test_lesson_rounds_down_and_can_drop_below_the_minimum():
    # Sector room $500,000 -> floor(2/3 x 500,000) = $333,333.
    ledger = book(6_500_000, ("MSFT", "Technology", 3_500_000, 400.0, 0.9))
    f = fixture(earnings=date(2026, 3, 1))
    result = allowed_size(ledger, f, MANDATE, on=ON, lesson_rules=[PRE_EARNINGS_LESSON])
    assert result.max_dollars == 333_333
    # Cash $750,000 -> $250,000 above reserve -> 2/3 = $166,666 < $200,000: not investable.
    small = allowed_size(book(750_000), f, MANDATE, on=ON, lesson_rules=[PRE_EARNINGS_LESSON])
    assert small.max_dollars == 0 and not small.investable
    assert small.breakdown["lesson:pre_earnings_two_thirds"] == 166_666


# ---------------------------------------------------------------- violations


def test_buy_violations_each_rule():
    ledger = book(6_100_000, ("NVDA", "Technology", 1_500_000, 150.0, 1.85),
                  ("MSFT", "Technology", 2_000_000, 400.0, 0.9))
    # Tech $3.5M. $2M more NVDA: NVDA $3.5M > $3M (30%), > $1.5M (beta), Tech $5.5M > $4M.
    found = violations(ledger, fixture("NVDA", price=150.0, beta=1.85),
                       Proposal("BUY", "NVDA", 2_000_000), MANDATE)
    assert codes(found) == ["beta_cap", "position_cap", "sector_cap"]
    # $5.7M of a Healthcare name leaves cash $400K < $500K and tops the 25% cap.
    found = violations(ledger, fixture("LLY", sector="Healthcare", beta=0.5),
                       Proposal("BUY", "LLY", 5_700_000), MANDATE)
    assert "cash_reserve" in codes(found) and "sector_cap" in codes(found)
    # $100K is under the 2% ($200K) minimum.
    found = violations(ledger, fixture("JNJ", sector="Healthcare", beta=0.5),
                       Proposal("BUY", "JNJ", 100_000), MANDATE)
    assert codes(found) == ["below_minimum"]


def test_penny_stock_and_derivatives_are_violations():
    found = violations(book(10_000_000), fixture(price=3.0, market_cap=0.54e9),
                       Proposal("BUY", "AAA", 1_000_000), MANDATE)
    assert codes(found) == ["market_cap", "penny_stock"]
    found = violations(book(10_000_000), fixture(), Proposal("BUY", "AAA", 500_000,
                                                             instrument="option"), MANDATE)
    assert codes(found) == ["prohibited_instrument"]


def test_sixteenth_position_is_a_violation():
    holdings = [(f"T{i:02d}", "Utilities" if i < 5 else "Energy" if i < 10 else "Industrials",
                 100_000, 50.0, 1.0) for i in range(15)]
    found = violations(book(8_500_000, *holdings), fixture("NEW", sector="Healthcare"),
                       Proposal("BUY", "NEW", 300_000), MANDATE)
    assert codes(found) == ["position_count"]


def test_correlation_above_limit_with_a_holding():
    ledger = book(8_500_000, ("NVDA", "Technology", 1_500_000, 150.0, 1.85))
    f = fixture("AMD", beta=1.2, correlations={"NVDA": 0.9})
    assert codes(violations(ledger, f, Proposal("BUY", "AMD", 300_000), MANDATE)) == ["correlation"]
    ok = fixture("AMD", beta=1.2, correlations={"NVDA": 0.85})
    assert violations(ledger, ok, Proposal("BUY", "AMD", 300_000), MANDATE) == []


def test_exit_trigger_at_25_percent_loss():
    # Entry $100; $75 is exactly -25% -> exit. Holding or passing ignores it; selling clears it.
    ledger = book(9_000_000, ("AAA", "Technology", 1_000_000, 100.0, 1.0))
    down = fixture(price=75.0)
    assert codes(violations(ledger, down, Proposal("HOLD", "AAA"), MANDATE)) == ["exit_trigger"]
    assert "exit_trigger" in codes(violations(ledger, down, Proposal("BUY", "AAA", 200_000),
                                              MANDATE))
    assert violations(ledger, down, Proposal("SELL", "AAA"), MANDATE) == []
    assert violations(ledger, fixture(price=76.0), Proposal("HOLD", "AAA"), MANDATE) == []


def test_trim_trigger_above_35_percent_and_trim_amount():
    # 9,000 shares at $400 = $3.6M (36%) > 35%: trim back to 30% = sell $600,000.
    ledger = book(6_400_000, ("MSFT", "Technology", 3_600_000, 400.0, 0.9))
    f = fixture("MSFT", price=400.0, beta=0.9)
    assert codes(violations(ledger, f, Proposal("HOLD", "MSFT"), MANDATE)) == ["trim_trigger"]
    assert trim_amount(ledger, "MSFT", 400.0, MANDATE) == 600_000
    assert violations(ledger, f, Proposal("TRIM", "MSFT", 600_000), MANDATE) == []
    assert codes(violations(ledger, f, Proposal("TRIM", "MSFT", 300_000),
                            MANDATE)) == ["trim_insufficient"]
    assert portfolio_triggers(ledger, {"MSFT": 400.0}, MANDATE)["MSFT"][0].code == "trim_trigger"


def test_sell_or_trim_what_is_not_held():
    found = violations(book(10_000_000), fixture(), Proposal("SELL", "AAA"), MANDATE)
    assert codes(found) == ["no_position"]


def test_lesson_violation_is_reported_only_when_asked():
    f = fixture(beta=2.1, earnings=date(2026, 3, 8))
    proposal = Proposal("BUY", "AAA", 1_500_000, on=ON)
    assert violations(book(10_000_000), f, proposal, MANDATE) == []
    found = violations(book(10_000_000), f, proposal, MANDATE, lesson_rules=[PRE_EARNINGS_LESSON])
    assert [(v.code, v.rule) for v in found] == [("lesson:pre_earnings_two_thirds", "lesson")]


def test_violations_loads_the_default_mandate_when_none_is_given():
    found = violations(book(10_000_000), fixture(listing="otc"), Proposal("BUY", "AAA", 500_000))
    assert codes(found) == ["otc"]
