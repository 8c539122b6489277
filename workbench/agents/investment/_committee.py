"""The offline committee's judgement: analyst ratings and the chair's decision.

Everything is computed from tool results (the data pack, the engine, the book, the memos) and
from the sizing rules the policy found in recalled memory. The chair follows the engine's
maximum, keeps a standing PASS unless one of its revisit conditions is met, exits or trims when
a trigger fires, and applies a learned sizing rule only when one was recalled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workbench.agents.investment._reading import Request, SizingRule

NO_STANCE_CHANGE = ("PASS", "SELL")


@dataclass(frozen=True)
class Precedent:
    """The company's memos in the archive, oldest first, and the check of the latest one."""

    memos: list[dict[str, Any]]
    check: dict[str, Any] | None = None

    @property
    def standing(self) -> dict[str, Any]:
        return self.memos[-1]

    @property
    def met(self) -> list[str]:
        return list((self.check or {}).get("met", []))

    def cited(self) -> str:
        return "; ".join(f"{m['filename']} ({m['date']}, {m['decision']})" for m in self.memos)


@dataclass
class Verdict:
    """The chair's decision and everything the memo and the answer say about it."""

    decision: str
    amount: float
    ticker: str
    name: str
    sector: str
    price: float
    reason: str
    risk: str
    allowed_max: float = 0.0
    binding: str = ""
    rule_note: str = "none recalled"
    rule_applied: bool = False
    precedent: Precedent | None = None
    precedent_note: str = "none found in the archive"
    hypothetical: bool = False
    alternatives: list[str] = field(default_factory=list)

    @property
    def trades(self) -> bool:
        return self.decision in ("BUY", "SELL", "TRIM")


def market_rating(data: dict[str, Any]) -> str:
    macd, price, ma200 = data.get("macd_signal"), data.get("price"), data.get("ma_200")
    if macd == "bullish" and price and ma200 and price > ma200:
        return "Bullish"
    if macd == "bearish" and price and ma200 and price < ma200:
        return "Bearish"
    return "Neutral"


def fundamentals_rating(data: dict[str, Any]) -> str:
    growth = data.get("revenue_growth_yoy")
    margin = data.get("operating_margin")
    if growth is None or margin is None:
        return "Weak"
    if growth >= 0.15 and margin >= 0.25:
        return "Strong"
    if growth < 0.03 or margin < 0.08:
        return "Weak"
    return "Moderate"


def technicals_rating(data: dict[str, Any]) -> str:
    price, ma50, ma200 = data.get("price"), data.get("ma_50"), data.get("ma_200")
    rsi = data.get("rsi_14") or 50
    if price and ma50 and ma200 and price > ma50 > ma200 and rsi < 70:
        return "Bullish"
    if price and ma50 and ma200 and price < ma50 < ma200:
        return "Bearish"
    return "Neutral"


def risk_rating(data: dict[str, Any], check: dict[str, Any]) -> str:
    if not check.get("eligible", True):
        return "Unacceptable"
    beta = data.get("beta") or 1.0
    drawdown = data.get("max_drawdown_12m") or 0.0
    if beta > 1.5 or drawdown < -0.20:
        return "High"
    return "Moderate" if beta > 1.1 else "Low"


def named_risk(data: dict[str, Any], check: dict[str, Any]) -> str:
    """At least one concrete risk, as the chair must cite one."""
    if not check.get("eligible", True):
        return "mandate breach: " + "; ".join(check.get("ineligible_reasons", []))
    beta, drawdown = data.get("beta"), data.get("max_drawdown_12m")
    parts = []
    if beta is not None:
        parts.append(f"beta {beta:.2f}")
    if drawdown is not None:
        parts.append(f"12-month drawdown {drawdown:.0%}")
    if data.get("days_to_earnings") is not None:
        parts.append(f"earnings on {data.get('next_earnings_date')} "
                     f"({data['days_to_earnings']} days away)")
    news = data.get("news") or []
    if news:
        parts.append(f"latest news: {news[-1]['headline']}")
    return "; ".join(parts) or "market risk"


def apply_rules(rules: list[SizingRule], data: dict[str, Any], allowed: float, minimum: float,
                ) -> tuple[float, str, bool]:
    """The allowed size after learned sizing rules: (size, note, applied)."""
    days = data.get("days_to_earnings")
    if not rules:
        return allowed, "none recalled", False
    rule = min(rules, key=lambda r: (r.fraction, -r.window_days))
    label = f"pre-earnings sizing ({rule.fraction} of the allowed size within " \
            f"{rule.window_days} days of earnings)"
    if allowed <= 0:
        return allowed, f"{label} checked, not needed: the mandate allows no purchase", False
    if days is None or not 0 <= days <= rule.window_days:
        when = "no earnings date" if days is None else f"earnings in {days} days"
        return allowed, f"{label} checked, not applicable: {when}; full size", False
    capped = float(math.floor(allowed * rule.fraction + 1e-6))
    note = (f"{label} applied: earnings on {data.get('next_earnings_date')} in {days} days; "
            f"{rule.fraction} of ${allowed:,.0f} = ${capped:,.0f}")
    if capped + 1 < minimum:
        note += f", below the ${minimum:,.0f} minimum position, so no purchase"
        return 0.0, note, True
    return capped, note, True


def decide(req: Request, data: dict[str, Any], check: dict[str, Any],
           precedent: Precedent | None, rules: list[SizingRule], today: date) -> Verdict:
    """The chair's decision from the data pack, the engine and what memory supplied."""
    holding = check.get("holding") or {}
    held = bool(holding.get("held"))
    no_trade = "HOLD" if held else "PASS"
    verdict = Verdict(no_trade, 0.0, data["ticker"], data.get("name", data["ticker"]),
                      data.get("sector", ""), float(data.get("price") or 0.0), "",
                      named_risk(data, check), float(check.get("allowed_max_usd") or 0.0),
                      str(check.get("binding_constraint", "")), precedent=precedent,
                      hypothetical=req.hypothetical)
    if precedent is not None:
        met = precedent.met
        verdict.precedent_note = (f"{precedent.cited()}; conditions met now: "
                                  f"{', '.join(met) if met else 'none'}")
    triggers = " ".join(holding.get("triggers", []))
    minimum = float(check.get("minimum_position_usd") or 0.0)
    if "exit_trigger" in triggers:
        verdict.decision, verdict.amount = "SELL", float(holding.get("value_usd") or 0.0)
        verdict.reason = "the exit trigger fired: " + triggers
        verdict.alternatives = ["HOLD and wait for a rebound (breaks the exit rule)"]
        return verdict
    if "trim_trigger" in triggers:
        verdict.decision = "TRIM"
        verdict.amount = float(holding.get("trim_to_target_usd") or 0.0)
        verdict.reason = "the trim trigger fired; trim back to the target weight: " + triggers
        verdict.alternatives = ["HOLD the oversized position (breaks the trim rule)"]
        return verdict
    if not req.buy:
        verdict.reason = ("no exit or trim trigger; the position stays as it is" if held
                          else "no purchase was requested")
        return verdict
    requested = f"${req.amount:,.0f}" if req.amount else "the maximum"
    verdict.alternatives = [f"BUY {requested} as requested"]
    if req.instrument != "equity":
        verdict.reason = f"{req.instrument} positions are prohibited by the mandate"
        return verdict
    if not check.get("eligible", True):
        verdict.reason = "ineligible: " + "; ".join(check.get("ineligible_reasons", []))
        return verdict
    # Only a judgement call with revisit conditions binds; a PASS for a mandate limit carries
    # none, and the engine re-checks that limit today.
    if precedent is not None and precedent.standing["decision"] in NO_STANCE_CHANGE \
            and precedent.standing.get("conditions") and not precedent.met:
        verdict.reason = (f"the {precedent.standing['decision']} in "
                          f"{precedent.standing['filename']} stands: none of its revisit "
                          "conditions is met")
        return verdict
    allowed = verdict.allowed_max if check.get("investable") else 0.0
    allowed, verdict.rule_note, verdict.rule_applied = apply_rules(rules, data, allowed, minimum)
    if allowed <= 0:
        verdict.reason = (f"no room to buy: the {verdict.binding} limit leaves less than the "
                          f"${minimum:,.0f} minimum" if not verdict.rule_applied else
                          "the committee's pre-earnings rule leaves less than the minimum")
        return verdict
    amount = min(req.amount, allowed) if req.amount else allowed
    if amount + 1 < minimum:
        verdict.reason = f"${amount:,.0f} is below the ${minimum:,.0f} minimum position"
        return verdict
    verdict.decision, verdict.amount = "BUY", round(amount, 2)
    sized = "as requested" if req.amount and amount >= req.amount else \
        f"sized to the allowed ${allowed:,.0f} (binding: " \
        f"{'committee rule' if verdict.rule_applied else verdict.binding})"
    verdict.reason = f"eligible and within the mandate; {sized}"
    if precedent is not None and precedent.met:
        verdict.reason += f"; the change is justified by {', '.join(precedent.met)}"
    verdict.alternatives += [no_trade]
    return verdict
