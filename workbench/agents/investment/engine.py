"""The deterministic mandate engine: how much may be bought, and what a proposal breaks.

This is the ground truth the scorers measure an agent against, so it is plain arithmetic with
no judgement in it. Every limit is a fraction of the fund's committed capital
(``mandate.fund_size``); holdings are valued at the prices passed in (a quarter's fixtures),
or at cost when none are given, which keeps hand-worked examples short.

Lessons the committee learns (rules that are *not* in the written policy) are plain data
objects such as :class:`PreEarningsRule`. The engine applies them only when asked, so a scorer
can compute both the policy maximum and the lesson-adjusted one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from workbench.agents.investment.data import Fixture, Mandate, load_mandate
from workbench.agents.investment.ledger import Ledger

TOLERANCE = 1.0  # dollars: a proposal within $1 of a limit is treated as on the limit

# Order matters: when two limits give the same headroom, the earlier name is reported as
# binding, so "beta cap" wins over an equal sector headroom (it is the rule people forget).
CONSTRAINT_ORDER = ("position_count", "position_cap", "beta_cap", "sector_cap", "cash_reserve",
                    "portfolio_beta")
PURCHASES = ("BUY",)


@dataclass(frozen=True)
class Violation:
    """One broken rule. ``rule`` is ``"mandate"`` for the written policy, ``"lesson"`` else."""

    code: str
    message: str
    rule: str = "mandate"


@dataclass(frozen=True)
class Proposal:
    """What the committee wants to do. ``amount`` is dollars (BUY, TRIM); ignored otherwise."""

    action: str
    ticker: str
    amount: float = 0.0
    on: date | None = None
    instrument: str = "equity"


class LessonRule(Protocol):
    """A learned sizing rule the engine can apply on request."""

    name: str

    def applies(self, fixture: Fixture, on: date) -> bool:
        """Whether the rule covers a purchase of ``fixture``'s ticker on ``on``."""
        ...

    def limit(self, policy_max: float) -> float:
        """The lesson-adjusted maximum given the policy maximum."""
        ...


@dataclass(frozen=True)
class PreEarningsRule:
    """Size any purchase at most ``fraction`` of the policy maximum when the company reports
    within ``window_days`` (0..window inclusive) after the meeting date."""

    name: str = "pre_earnings_two_thirds"
    window_days: int = 30
    fraction: float = 2 / 3

    def applies(self, fixture: Fixture, on: date) -> bool:
        """True when the next earnings date is 0..``window_days`` days after ``on``."""
        days = fixture.days_to_earnings(on)
        return days is not None and 0 <= days <= self.window_days

    def limit(self, policy_max: float) -> float:
        """``fraction`` of the policy maximum."""
        # Whole dollars, rounded down so the lesson-adjusted size never exceeds the fraction.
        return float(math.floor(policy_max * self.fraction + 1e-6))


PRE_EARNINGS_LESSON = PreEarningsRule()


@dataclass(frozen=True)
class SizingResult:
    """The largest purchase the mandate allows, and why.

    ``breakdown`` maps each constraint to its headroom in dollars (negative = already over).
    ``investable`` is false when the ticker is ineligible or the headroom is below the
    mandate's minimum position; then ``max_dollars`` is 0.
    """

    max_dollars: float
    binding_constraint: str
    breakdown: Mapping[str, float]
    investable: bool
    lessons_applied: tuple[str, ...] = ()
    ineligible: tuple[Violation, ...] = field(default_factory=tuple)

    def max_pct(self, fund_size: float) -> float:
        """``max_dollars`` as a fraction of the fund."""
        return self.max_dollars / fund_size


def _marks(ledger: Ledger, fixture: Fixture, prices: Mapping[str, float] | None,
           ) -> dict[str, float]:
    # The fixture is the authority for its own ticker; other holdings use the given prices,
    # or their cost basis when no prices are given.
    if prices is None:
        marks = {t: p.entry_price for t, p in ledger.positions.items()}
    else:
        marks = {t: float(v) for t, v in prices.items()}
    marks[fixture.ticker] = fixture.price
    return marks


def eligibility(fixture: Fixture, mandate: Mandate, instrument: str = "equity",
                ) -> list[Violation]:
    """Instrument rules that make a ticker unbuyable at any size."""
    found: list[Violation] = []
    if fixture.listing_type in mandate.prohibited_listing_types:
        found.append(Violation(fixture.listing_type,
                               f"{fixture.ticker} is listed as {fixture.listing_type.upper()}, "
                               "which the mandate prohibits"))
    elif fixture.listing_type not in mandate.allowed_listing_types:
        found.append(Violation("listing_type", f"{fixture.ticker} listing type "
                                               f"{fixture.listing_type!r} is not allowed"))
    if fixture.price < mandate.min_share_price:
        found.append(Violation("penny_stock", f"{fixture.ticker} trades at ${fixture.price:.2f}, "
                                              f"below the ${mandate.min_share_price:.0f} floor"))
    if fixture.market_cap < mandate.min_market_cap:
        found.append(Violation("market_cap", f"{fixture.ticker} market cap "
                                             f"${fixture.market_cap / 1e9:.1f}B is below "
                                             f"${mandate.min_market_cap / 1e9:.0f}B"))
    if fixture.sector not in mandate.approved_sectors:
        found.append(Violation("sector_not_approved",
                               f"{fixture.sector} is not an approved sector"))
    if instrument != "equity":
        found.append(Violation("prohibited_instrument",
                               f"{instrument} positions (leverage, shorts, derivatives) are "
                               "prohibited"))
    return found


def allowed_size(ledger: Ledger, fixture: Fixture, mandate: Mandate, *,
                 prices: Mapping[str, float] | None = None,
                 betas: Mapping[str, float] | None = None,
                 on: date | None = None,
                 lesson_rules: Sequence[LessonRule] = ()) -> SizingResult:
    """The maximum dollars the fund may put into ``fixture.ticker`` now (a new entry or an add).

    max = min(position cap, beta cap if beta > threshold, sector headroom, cash above the
    reserve, portfolio-beta headroom, and 0 when a new name would exceed the position count),
    then each applicable lesson rule, then the minimum-position floor. ``on`` is the meeting
    date the lesson rules measure from (default: the fixture's as-of date); ``prices`` and
    ``betas`` mark the other holdings (default: cost and recorded betas).
    """
    bad = eligibility(fixture, mandate)
    if bad:
        return SizingResult(0.0, bad[0].code, {}, False, (), tuple(bad))

    marks = _marks(ledger, fixture, prices)
    held = ledger.market_value(fixture.ticker, marks)
    headroom: dict[str, float] = {}
    if not ledger.holds(fixture.ticker) and ledger.position_count >= mandate.max_positions:
        headroom["position_count"] = 0.0
    headroom["position_cap"] = mandate.dollars(mandate.max_position_pct) - held
    if fixture.beta > mandate.high_beta_threshold:
        headroom["beta_cap"] = mandate.dollars(mandate.high_beta_max_pct) - held
    headroom["sector_cap"] = (mandate.dollars(mandate.sector_cap(fixture.sector))
                              - ledger.sector_value(fixture.sector, marks))
    headroom["cash_reserve"] = ledger.cash - mandate.cash_reserve
    if fixture.beta > 0:
        beta_marks = dict(betas or {})
        beta_marks[fixture.ticker] = fixture.beta
        beta_dollars = ledger.portfolio_beta(marks, beta_marks) * mandate.fund_size
        headroom["portfolio_beta"] = ((mandate.max_portfolio_beta * mandate.fund_size
                                       - beta_dollars) / fixture.beta)
    headroom = {k: round(v, 2) for k, v in headroom.items()}

    binding = min(CONSTRAINT_ORDER, key=lambda k: (headroom.get(k, math.inf),
                                                   CONSTRAINT_ORDER.index(k)))
    best = max(0.0, headroom[binding])

    applied: list[str] = []
    when = on or fixture.as_of
    for rule in lesson_rules:
        if rule.applies(fixture, when):
            key = f"lesson:{rule.name}"
            headroom[key] = rule.limit(best)
            applied.append(rule.name)
            if headroom[key] < best:
                best, binding = headroom[key], key

    floor = mandate.dollars(mandate.min_position_pct)
    if best + TOLERANCE < floor:
        # Too small to be worth a position: the mandate's 2% floor applies to every purchase.
        return SizingResult(0.0, binding, headroom, False, tuple(applied))
    return SizingResult(round(best, 2), binding, headroom, True, tuple(applied))


def position_triggers(ledger: Ledger, ticker: str, price: float, mandate: Mandate,
                      prices: Mapping[str, float] | None = None) -> list[Violation]:
    """Exit (loss from average entry at or beyond the limit) and trim (weight above the
    trim line) triggers for one holding; empty if not held."""
    if not ledger.holds(ticker):
        return []
    found = []
    change = ledger.return_from_entry(ticker, price)
    if change <= -mandate.exit_loss_pct + 1e-9:
        found.append(Violation("exit_trigger", f"{ticker} is {change:.1%} from its average "
                                               f"entry; the policy exits at "
                                               f"-{mandate.exit_loss_pct:.0%}"))
    marks = dict(prices or {})
    marks[ticker] = price
    weight = ledger.market_value(ticker, marks) / mandate.fund_size
    if weight > mandate.trim_weight_pct + 1e-9:
        found.append(Violation("trim_trigger", f"{ticker} is {weight:.1%} of the fund, above "
                                               f"the {mandate.trim_weight_pct:.0%} trim line"))
    return found


def portfolio_triggers(ledger: Ledger, prices: Mapping[str, float], mandate: Mandate,
                       ) -> dict[str, list[Violation]]:
    """Exit and trim triggers for every holding, keyed by ticker (only tickers with any)."""
    out = {}
    for ticker in sorted(ledger.positions):
        found = position_triggers(ledger, ticker, float(prices[ticker]), mandate, prices)
        if found:
            out[ticker] = found
    return out


def trim_amount(ledger: Ledger, ticker: str, price: float, mandate: Mandate) -> float:
    """Dollars to sell to bring a holding back to the trim target (0 if already within)."""
    value = ledger.market_value(ticker, {ticker: price}) if ledger.holds(ticker) else 0.0
    return round(max(0.0, value - mandate.dollars(mandate.trim_target_pct)), 2)


def violations(ledger: Ledger, fixture: Fixture, proposal: Proposal,
               mandate: Mandate | None = None, *,
               prices: Mapping[str, float] | None = None,
               betas: Mapping[str, float] | None = None,
               lesson_rules: Sequence[LessonRule] = ()) -> list[Violation]:
    """Everything ``proposal`` would break, given the ledger *before* it.

    BUY is checked against every limit; HOLD and PASS on a holding report exit/trim triggers
    left unattended; SELL and TRIM check that the position exists and that a trim is enough.
    """
    mandate = mandate or load_mandate()
    action = proposal.action.upper()
    ticker = fixture.ticker
    on = proposal.on or fixture.as_of
    marks = _marks(ledger, fixture, prices)
    triggers = position_triggers(ledger, ticker, fixture.price, mandate, marks)
    found: list[Violation] = []

    if action in PURCHASES:
        found.extend(eligibility(fixture, mandate, proposal.instrument))
        found.extend(_buy_limits(ledger, fixture, proposal.amount, mandate, marks, betas))
        found.extend(t for t in triggers if t.code == "exit_trigger")
        if lesson_rules:
            sized = allowed_size(ledger, fixture, mandate, prices=marks, betas=betas, on=on,
                                 lesson_rules=lesson_rules)
            for name in sized.lessons_applied:
                limit = sized.breakdown[f"lesson:{name}"]
                if proposal.amount > limit + TOLERANCE:
                    found.append(Violation(f"lesson:{name}",
                                           f"${proposal.amount:,.0f} exceeds the lesson limit "
                                           f"${limit:,.0f}", rule="lesson"))
    elif action in ("HOLD", "PASS"):
        found.extend(triggers)
    elif action == "SELL":
        if not ledger.holds(ticker):
            found.append(Violation("no_position", f"cannot sell {ticker}: not held"))
    elif action == "TRIM":
        if not ledger.holds(ticker):
            found.append(Violation("no_position", f"cannot trim {ticker}: not held"))
        else:
            value = ledger.market_value(ticker, marks)
            after = (value - proposal.amount) / mandate.fund_size
            if proposal.amount > value + TOLERANCE:
                found.append(Violation("oversell", f"trim ${proposal.amount:,.0f} exceeds the "
                                                   f"${value:,.0f} held"))
            elif (any(t.code == "trim_trigger" for t in triggers)
                  and after > mandate.trim_target_pct + TOLERANCE / mandate.fund_size):
                found.append(Violation("trim_insufficient",
                                       f"after the trim {ticker} is still {after:.1%}; the "
                                       f"target is {mandate.trim_target_pct:.0%}"))
            found.extend(t for t in triggers if t.code == "exit_trigger")
    else:
        found.append(Violation("unknown_action", f"unknown decision {proposal.action!r}"))
    return found


def _buy_limits(ledger: Ledger, fixture: Fixture, amount: float, mandate: Mandate,
                marks: Mapping[str, float], betas: Mapping[str, float] | None,
                ) -> list[Violation]:
    ticker, fund = fixture.ticker, mandate.fund_size
    held = ledger.market_value(ticker, marks)
    after = held + amount
    found = []
    if amount + TOLERANCE < mandate.dollars(mandate.min_position_pct):
        found.append(Violation("below_minimum", f"${amount:,.0f} is below the "
                                                f"{mandate.min_position_pct:.0%} minimum"))
    if after > mandate.dollars(mandate.max_position_pct) + TOLERANCE:
        found.append(Violation("position_cap", f"{ticker} would be {after / fund:.1%}, above "
                                               f"the {mandate.max_position_pct:.0%} cap"))
    if (fixture.beta > mandate.high_beta_threshold
            and after > mandate.dollars(mandate.high_beta_max_pct) + TOLERANCE):
        found.append(Violation("beta_cap", f"beta {fixture.beta:.2f} limits {ticker} to "
                                           f"{mandate.high_beta_max_pct:.0%}; it would be "
                                           f"{after / fund:.1%}"))
    cap = mandate.sector_cap(fixture.sector)
    sector_after = ledger.sector_value(fixture.sector, marks) + amount
    if sector_after > mandate.dollars(cap) + TOLERANCE:
        found.append(Violation("sector_cap", f"{fixture.sector} would be "
                                             f"{sector_after / fund:.1%}, above its {cap:.0%} cap"))
    if ledger.cash - amount < mandate.cash_reserve - TOLERANCE:
        found.append(Violation("cash_reserve", f"cash would fall to ${ledger.cash - amount:,.0f},"
                                               f" below the ${mandate.cash_reserve:,.0f} reserve"))
    if not ledger.holds(ticker) and ledger.position_count >= mandate.max_positions:
        found.append(Violation("position_count", f"already {ledger.position_count} positions; "
                                                 f"the maximum is {mandate.max_positions}"))
    beta_marks = dict(betas or {})
    beta_marks[ticker] = fixture.beta
    beta_after = ledger.portfolio_beta(marks, beta_marks) + amount * fixture.beta / fund
    if beta_after > mandate.max_portfolio_beta + 1e-9:
        found.append(Violation("portfolio_beta", f"portfolio beta would be {beta_after:.2f}"))
    for other in sorted(ledger.positions):
        corr = fixture.correlations.get(other)
        if other != ticker and corr is not None and corr > mandate.max_pairwise_correlation:
            found.append(Violation("correlation", f"{ticker} and {other} correlate at "
                                                  f"{corr:.2f}, above "
                                                  f"{mandate.max_pairwise_correlation:.2f}"))
    return found
