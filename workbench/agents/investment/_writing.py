"""What the offline committee writes: the memo, the final answer, the learning and log entries.

The memo follows ``datasets/investment/policy/process.md`` (seven sections, JSON front-matter
with the portfolio after the decision and measurable conditions); the answer ends with the
labelled lines the instructions ask every model for, which the experiment reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workbench.agents.investment._committee import (
    Verdict,
    fundamentals_rating,
    market_rating,
    risk_rating,
    technicals_rating,
)
from workbench.agents.investment._reading import fraction_in, window_in
from workbench.agents.investment.memos import render_memo


@dataclass(frozen=True)
class After:
    """The book after the decision, as the ledger (or the hypothetical book) reports it."""

    sector: str
    sector_weight: float
    position_count: int
    cash: float


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _num(value: Any, fmt: str = ",.2f") -> str:
    return "n/a" if value is None else format(value, fmt)


def memo_conditions(verdict: Verdict, avg_entry: float | None) -> list[dict[str, Any]]:
    """Measurable conditions for the new memo: an exit line for a BUY; a kept stance carries
    its precedent's conditions forward, so the next revisit checks the same ones."""
    if verdict.decision == "BUY":
        entry = avg_entry or verdict.price
        return [{"id": f"{verdict.ticker.lower()}_exit_price", "metric": "price", "op": "<=",
                 "value": round(entry * 0.75, 2),
                 "description": f"Exit line: 25% below the average entry of ${entry:,.2f}."}]
    check = verdict.precedent.check if verdict.precedent else None
    if verdict.decision in ("PASS", "HOLD") and check:
        return [{"id": c["id"], "metric": c["metric"], "op": c["op"], "value": c["threshold"],
                 "description": c["description"]} for c in check["conditions"]]
    return []


def render_committee_memo(verdict: Verdict, data: dict[str, Any], check: dict[str, Any],
                          after: After, today: date, year: int, quarter: str,
                          conditions: list[dict[str, Any]]) -> str:
    """The memo text for ``verdict`` (seven sections, front-matter)."""
    cites = [m["filename"] for m in verdict.precedent.memos] if verdict.precedent else []
    meta = {"ticker": verdict.ticker, "date": today.isoformat(), "year": year,
            "quarter": quarter, "decision": verdict.decision, "amount_usd": verdict.amount,
            "price": verdict.price, "beta": data.get("beta"), "cites": cites,
            "hypothetical": verdict.hypothetical,
            "portfolio_after": {"cash": after.cash, "position_count": after.position_count,
                                "sector_weights": {after.sector: round(after.sector_weight, 4)}},
            "committee_rules": verdict.rule_note, "conditions": conditions}
    news = "; ".join(f"{n['date']}: {n['headline']}" for n in data.get("news") or []) or "none"
    proposal = check.get("proposal") or {}
    requested = ("; the request as made would break: " + "; ".join(proposal["violations"])
                 if proposal.get("violations") else "")
    revisit = "; ".join(f"{c['id']} ({c['description']})" for c in conditions) or "none"
    sections = {
        "Summary": f"{verdict.decision} {verdict.ticker}, ${verdict.amount:,.0f}, at "
                   f"${verdict.price:,.2f}: {verdict.reason}."
                   + (" Hypothetical book; nothing is executed." if verdict.hypothetical
                      else ""),
        "Thesis": f"{verdict.name} ({verdict.sector}). Revenue growth "
                  f"{_pct(data.get('revenue_growth_yoy'))}, operating margin "
                  f"{_pct(data.get('operating_margin'))}, forward P/E "
                  f"{_num(data.get('forward_pe'), '.1f')}. The bear case: "
                  f"{verdict.risk}.",
        "Market": f"{market_rating(data)}. News in the data pack: {news}.",
        "Fundamentals": f"{fundamentals_rating(data)}. Gross margin "
                        f"{_pct(data.get('gross_margin'))}, free cash flow "
                        f"${_num(data.get('free_cash_flow_ttm'), ',.0f')}, debt "
                        f"${_num(data.get('total_debt'), ',.0f')}, cash "
                        f"${_num(data.get('cash_and_investments'), ',.0f')}, market cap "
                        f"${_num(data.get('market_cap'), ',.0f')}.",
        "Technicals": f"{technicals_rating(data)}. Price ${_num(data.get('price'))} against "
                      f"50-day ${_num(data.get('ma_50'))} and 200-day "
                      f"${_num(data.get('ma_200'))}; RSI {_num(data.get('rsi_14'), '.0f')}; "
                      f"MACD {data.get('macd_signal', 'n/a')}; 52-week range "
                      f"${_num(data.get('low_52w'))}-${_num(data.get('high_52w'))}.",
        "Risk & Sizing": f"Risk: {risk_rating(data, check)}. Beta "
                         f"{_num(data.get('beta'))}. Engine maximum "
                         f"${verdict.allowed_max:,.0f} (binding: {verdict.binding}){requested}."
                         f" Committee rules: {verdict.rule_note}. Portfolio after (ledger): "
                         f"{after.sector} {after.sector_weight:.1%} of the fund, "
                         f"{after.position_count} positions, cash ${after.cash:,.0f}.",
        "Decision": f"{verdict.decision}, ${verdict.amount:,.0f}. Named risk: {verdict.risk}. "
                    f"Precedent: {verdict.precedent_note}. Conditions to revisit or review: "
                    f"{revisit}.",
    }
    title = f"{verdict.ticker}: {verdict.decision} ${verdict.amount:,.0f} ({year} {quarter})"
    return render_memo(meta, sections, title)


def answer_text(verdict: Verdict, data: dict[str, Any], check: dict[str, Any], after: After,
                memo: str | None) -> str:
    """The committee's reply: labelled lines first (the experiment reads them), then a
    short account of the analyst steps."""
    met = verdict.precedent.met if verdict.precedent else []
    lines = [
        f"Decision: {verdict.decision} {verdict.ticker} ${verdict.amount:,.0f}",
        f"Reason: {verdict.reason}",
        f"Risk: {verdict.risk}",
        f"Precedent: {verdict.precedent_note}",
        f"Conditions met: {', '.join(met) if met else 'none'}",
        f"Committee rules: {verdict.rule_note}",
        f"Portfolio after: {after.sector} {after.sector_weight:.1%} of the fund; "
        f"{after.position_count} positions; cash ${after.cash:,.0f}"
        + (" (hypothetical book)" if verdict.hypothetical else ""),
        f"Memo: {memo or 'not saved'}",
        "",
        f"Market {market_rating(data)}, fundamentals {fundamentals_rating(data)}, technicals "
        f"{technicals_rating(data)}, risk {risk_rating(data, check)}. Engine maximum "
        f"${verdict.allowed_max:,.0f} (binding: {verdict.binding}).",
    ]
    return "\n".join(lines)


def lesson_learning(rule: str, today: date) -> dict[str, Any]:
    """A learned-knowledge entry for a rule the speaker stated, in general language."""
    fraction, window = fraction_in(rule), window_in(rule)
    if fraction is not None and window is not None and "earning" in rule.lower():
        words = {"2/3": "two-thirds", "1/2": "one-half", "3/4": "three-quarters",
                 "1/3": "one-third"}.get(str(fraction), f"{float(fraction):.0%}")
        return {
            "title": f"Pre-earnings sizing: at most {words} of the allowed size within "
                     f"{window} days of earnings",
            "learning": f"Rule: from now on, always cap any purchase (new position or add) at "
                        f"{words} ({fraction}) of the size the mandate allows when the company "
                        f"reports earnings within {window} days of the meeting (before "
                        "earnings). If the reduced size is below the 2% minimum position, do "
                        f"not buy. Adopted by the committee on {today.isoformat()}; it is not "
                        "in the written policy.",
            "context": "Sizing any BUY: check the next earnings date in the data pack first.",
            "tags": ["committee rule", "sizing", "earnings"]}
    head = " ".join(rule.split()[:8]).rstrip(",.;")
    return {"title": f"Committee rule: {head}",
            "learning": f"Rule: from now on, always apply: {rule} (adopted "
                        f"{today.isoformat()}; not in the written policy).",
            "context": "Any committee decision this rule covers.",
            "tags": ["committee rule"]}


def outcome_of(action: str, then: float, now: float) -> tuple[str, str]:
    """An outcome line and its quality for an earlier decision, from the price move since."""
    change = now / then - 1.0
    text = f"Price moved from ${then:,.2f} to ${now:,.2f} ({change:+.1%}) since the decision."
    if action == "BUY":
        quality = "good" if change >= 0.05 else "bad" if change <= -0.10 else "neutral"
    elif action in ("PASS", "HOLD", "SELL", "TRIM"):
        quality = "good" if change <= -0.05 else "bad" if change >= 0.10 else "neutral"
    else:
        quality = "neutral"
    return text, quality
