"""The committee's tools: data packs, the ledger, the mandate engine and the memo archive.

Every tool is a closure over one :class:`~workbench.agents.investment.world.CommitteeWorld`,
so it answers for the meeting's date and that run's own book and archive. Read tools never
change anything; the ledger changes only through ``execute_trade`` (BUY, SELL or TRIM), and the
archive only through ``write_memo`` (new, well-formed memos at the top level; there is no
delete and no overwrite). Results are JSON-ready dicts the model reads as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from workbench.agent.tools import Tool
from workbench.agents.investment.conditions import met_conditions
from workbench.agents.investment.data import investment_dir
from workbench.agents.investment.engine import (
    Proposal,
    allowed_size,
    eligibility,
    position_triggers,
    trim_amount,
    violations,
)
from workbench.agents.investment.ledger import Ledger, LedgerError
from workbench.agents.investment.memos import MemoError
from workbench.agents.investment.world import CommitteeWorld
from workbench.errors import ConfigError, ToolError

TRADE_ACTIONS = ("BUY", "SELL", "TRIM")
ACTIONS = ("BUY", "HOLD", "PASS", "SELL", "TRIM")
_SUFFIX = re.compile(r"(,?\s+(inc\.?|corporation|corp\.?|co\.?|& co\.?|and company|group|"
                     r"plc|ltd\.?|manufacturing|adr))+$", re.IGNORECASE)
_GENERIC = {"advanced", "platforms", "chase", "group", "industrial", "acquisition", "horizon",
            "robotics", "semiconductor", "biotherapeutics", "micro", "devices", "johnson"}


def short_name(name: str) -> str:
    """"Tesla, Inc." -> "Tesla"; "JPMorgan Chase & Co." -> "JPMorgan Chase"."""
    base = re.sub(r"\s*\([^)]*\)", "", name).strip()
    while True:
        trimmed = _SUFFIX.sub("", base).strip()
        if trimmed == base:
            return base.replace(".com", "")
        base = trimmed


def name_keys(name: str) -> list[str]:
    """Lower-case names a request may use for a company: the short name, and its first and
    last words when they are distinctive ("Lilly" for Eli Lilly, "Meta" for Meta Platforms)."""
    short = short_name(name).lower()
    words = short.replace("&", " ").split()
    keys = [short]
    for word in (words[0], words[-1]):
        if len(word) >= 4 and word not in _GENERIC and word not in keys:
            keys.append(word)
    return keys


def _round(value: Any) -> Any:
    return round(value, 4) if isinstance(value, float) else value


def book_view(world: CommitteeWorld, ledger: Ledger, label: str) -> dict[str, Any]:
    """The book as the tools report it: cash, positions at today's prices, sector weights."""
    mandate, prices = world.mandate, world.prices(ledger)
    positions = []
    for ticker, pos in sorted(ledger.positions.items()):
        value = ledger.market_value(ticker, prices)
        positions.append({"ticker": ticker, "sector": pos.sector, "shares": pos.shares,
                          "avg_entry_price": round(pos.entry_price, 4), "cost": pos.cost,
                          "entry_date": pos.entry_date, "price": prices[ticker],
                          "value_usd": value, "weight": round(value / mandate.fund_size, 4),
                          "return_from_entry": round(prices[ticker] / pos.entry_price - 1, 4),
                          "beta": pos.beta})
    triggers = {}
    for ticker in sorted(ledger.positions):
        found = position_triggers(ledger, ticker, prices[ticker], mandate, prices)
        if found:
            triggers[ticker] = [f"{v.code}: {v.message}" for v in found]
    return {"book": label, "today": world.today.isoformat(),
            "data_pack": f"{world.year} {world.quarter}", "fund_size": mandate.fund_size,
            "cash": ledger.cash, "cash_reserve": mandate.cash_reserve,
            "cash_above_reserve": round(ledger.cash - mandate.cash_reserve, 2),
            "position_count": ledger.position_count, "max_positions": mandate.max_positions,
            "positions": positions,
            "sector_weights": {s: round(w, 4) for s, w in ledger.sector_exposure(prices).items()},
            "sector_caps": {**dict(mandate.sector_caps), "any other sector":
                            mandate.default_sector_cap},
            "portfolio_beta": round(ledger.portfolio_beta(prices, world.betas()), 4),
            "triggers": triggers}


def committee_tools(world: CommitteeWorld) -> list[Tool]:
    """The committee's tools over ``world`` (see the module docstring)."""

    def _fixture(ticker: str):
        symbol = ticker.strip().upper()
        if symbol not in world.fixtures:
            raise ToolError(f"no data pack for {ticker!r}; known tickers: "
                            f"{', '.join(world.fixtures)}. Use search_universe to find one.")
        return world.fixtures.get(symbol, world.quarter)

    def _book(scenario: str | None) -> tuple[Ledger, str]:
        if not scenario:
            return world.ledger, "fund ledger"
        try:
            return world.scenario(scenario), f"hypothetical: {scenario}"
        except ConfigError as exc:
            raise ToolError(str(exc)) from None

    def search_universe(query: str) -> list[dict[str, Any]]:
        """Find the companies a text mentions (by name or ticker), in order of mention.

        Args:
            query: any text, e.g. the request, "Tesla" or "TSLA AMD".
        """
        text = re.sub(r"['’]s\b", "", query)
        lowered = f" {re.sub(r'[^a-z0-9&]+', ' ', text.lower())} "
        hits: list[tuple[int, str]] = []
        for ticker in world.fixtures:
            static = world.fixtures.tickers[ticker].data
            positions = [m.start() for m in re.finditer(rf"\b{re.escape(ticker)}\b", text)]
            for key in name_keys(static["name"]):
                found = lowered.find(f" {key} ")
                if found >= 0:
                    positions.append(found)
            if positions:
                hits.append((min(positions), ticker))
        out = []
        for _, ticker in sorted(hits):
            static = world.fixtures.tickers[ticker].data
            out.append({"ticker": ticker, "name": static["name"],
                        "short_name": short_name(static["name"]), "sector": static["sector"],
                        "listing_type": static["listing_type"],
                        "exchange": static.get("exchange", "")})
        return out

    def market_data(ticker: str) -> dict[str, Any]:
        """Today's data pack for one company: price, technicals, risk, fundamentals, the next
        earnings date (and days until it), news, and correlations with the fund's holdings.

        Args:
            ticker: the ticker, e.g. "MSFT".
        """
        fx = _fixture(ticker)
        static = world.fixtures.tickers[fx.ticker].data
        out: dict[str, Any] = {"ticker": fx.ticker, "name": fx.name, "sector": fx.sector,
                               "industry": static.get("industry", ""),
                               "listing_type": fx.listing_type,
                               "exchange": static.get("exchange", ""),
                               "today": world.today.isoformat(),
                               "data_pack": f"{fx.year} {fx.quarter}"}
        out.update({k: _round(v) for k, v in fx.metrics.items() if k != "news"})
        days = fx.days_to_earnings(world.today)
        out["days_to_earnings"] = days
        out["news"] = [{"date": n.date.isoformat(), "headline": n.headline,
                        "summary": n.summary} for n in fx.news]
        out["correlations_with_holdings"] = {t: c for t, c in sorted(fx.correlations.items())
                                             if world.ledger.holds(t)}
        return out

    def research_library(topic: str) -> str:
        """A company profile (by ticker) or a sector note ("ai semiconductors", "cloud").

        Args:
            topic: a ticker such as "NVDA", or a sector note name.
        """
        root = investment_dir(world.data_root)
        profile = root / "companies" / f"{topic.strip().upper()}.md"
        if profile.is_file():
            return profile.read_text(encoding="utf-8")
        wanted = re.sub(r"[^a-z]+", "_", topic.lower()).strip("_")
        for note in sorted((root / "sectors").glob("*.md")):
            if wanted and (wanted in note.stem or note.stem in wanted):
                return note.read_text(encoding="utf-8")
        profiles = ", ".join(p.stem for p in sorted((root / "companies").glob("*.md")))
        notes = ", ".join(p.stem for p in sorted((root / "sectors").glob("*.md")))
        raise ToolError(f"nothing on {topic!r}; profiles: {profiles}; sector notes: {notes}")

    def portfolio(scenario: str | None = None) -> dict[str, Any]:
        """The fund's book today from the ledger: cash, positions at today's prices, sector
        weights, position count, portfolio beta and exit/trim triggers. Read-only.

        Args:
            scenario: a hypothetical book such as "scenarios/fifteen_positions.json" (for
                drills); omit for the real ledger.
        """
        ledger, label = _book(scenario)
        return book_view(world, ledger, label)

    def mandate_check(ticker: str, action: str = "BUY", amount: float | None = None,
                      instrument: str = "equity",
                      scenario: str | None = None) -> dict[str, Any]:
        """The deterministic mandate engine: eligibility, the largest purchase the mandate
        allows now (and which limit binds), what a proposal would break, and exit/trim
        triggers on a holding. It knows the written policy only.

        Args:
            ticker: the company.
            action: BUY, HOLD, PASS, SELL or TRIM.
            amount: dollars for a BUY or TRIM proposal; omit to ask only for the maximum.
            instrument: "equity" (shares), or e.g. "option", "future", "short".
            scenario: check against a hypothetical book instead of the real ledger.
        """
        action = action.strip().upper()
        if action not in ACTIONS:
            raise ToolError(f"action must be one of {', '.join(ACTIONS)}")
        fx = _fixture(ticker)
        ledger, label = _book(scenario)
        prices, betas = world.prices(ledger), world.betas()
        size = allowed_size(ledger, fx, world.mandate, prices=prices, betas=betas,
                            on=world.today)
        bad = eligibility(fx, world.mandate, instrument)
        out: dict[str, Any] = {
            "ticker": fx.ticker, "book": label, "today": world.today.isoformat(),
            "eligible": not bad, "ineligible_reasons": [f"{v.code}: {v.message}" for v in bad],
            "allowed_max_usd": size.max_dollars, "investable": size.investable,
            "binding_constraint": size.binding_constraint,
            "headroom_usd": dict(size.breakdown),
            "minimum_position_usd": world.mandate.dollars(world.mandate.min_position_pct)}
        if (action in ("BUY", "TRIM") and amount is not None) or action in ("SELL", "HOLD",
                                                                               "PASS"):
            found = violations(ledger, fx, Proposal(action, fx.ticker, float(amount or 0.0),
                                                    world.today, instrument), world.mandate,
                               prices=prices, betas=betas)
            out["proposal"] = {"action": action, "amount_usd": amount, "instrument": instrument,
                               "compliant": not found,
                               "violations": [f"{v.code}: {v.message}" for v in found]}
        if ledger.holds(fx.ticker):
            value = ledger.market_value(fx.ticker, prices)
            out["holding"] = {
                "held": True, "value_usd": value,
                "weight": round(value / world.mandate.fund_size, 4),
                "return_from_entry": round(ledger.return_from_entry(fx.ticker, fx.price), 4),
                "triggers": [f"{v.code}: {v.message}" for v in position_triggers(
                    ledger, fx.ticker, fx.price, world.mandate, prices)],
                "trim_to_target_usd": trim_amount(ledger, fx.ticker, fx.price, world.mandate)}
        else:
            out["holding"] = {"held": False}
        return out

    def execute_trade(action: str, ticker: str, amount: float | None = None) -> dict[str, Any]:
        """Book a decided trade on the fund's ledger at today's price: BUY (dollars), SELL (the
        whole position) or TRIM (dollars). The only way the ledger changes; HOLD and PASS need
        no execution. Never use it for hypothetical books.

        Args:
            action: BUY, SELL or TRIM.
            ticker: the company.
            amount: dollars to buy or trim (ignored for SELL).
        """
        action = action.strip().upper()
        if action not in TRADE_ACTIONS:
            raise ToolError(f"{action} is not a trade: only BUY, SELL and TRIM change the ledger"
                            "; HOLD and PASS leave it as it is")
        fx = _fixture(ticker)
        if action != "SELL" and (amount is None or amount <= 0):
            raise ToolError(f"{action} needs a positive dollar amount")
        prices = world.prices()
        warnings = violations(world.ledger, fx, Proposal(action, fx.ticker, float(amount or 0),
                                                         world.today), world.mandate,
                              prices=prices, betas=world.betas())
        try:
            world.ledger.apply(action, fx.ticker, float(amount or 0.0), price=fx.price,
                               sector=fx.sector, beta=fx.beta, on=world.today,
                               meeting_id=world.meeting_id)
        except LedgerError as exc:
            raise ToolError(str(exc)) from None
        world.save()
        trade = world.ledger.trades[-1]
        after = world.prices()
        held = world.ledger.positions.get(fx.ticker)
        return {"executed": action, "ticker": fx.ticker, "dollars": trade.dollars,
                "shares": trade.shares, "price": trade.price, "date": trade.on,
                "warnings": [f"{v.code}: {v.message}" for v in warnings],
                "cash_after": world.ledger.cash,
                "position_count_after": world.ledger.position_count,
                "sector_weight_after": round(world.ledger.sector_value(fx.sector, after)
                                             / world.mandate.fund_size, 4),
                "sector": fx.sector,
                "avg_entry_price_after": round(held.entry_price, 4) if held else None}

    def search_memos(query: str = "") -> list[dict[str, Any]]:
        """Search the memo archive; a ticker finds that company's memos, other text is matched
        in the memos' text, an empty query lists every memo. Oldest first.

        Args:
            query: a ticker ("TSLA"), words ("revisit"), or "" for all.
        """
        archive = world.archive
        query = query.strip()
        if not query:
            memos = archive.memos()
        elif query.upper() in world.fixtures and " " not in query:
            memos = archive.find(ticker=query)
        else:
            names = dict.fromkeys(name for name, _ in archive.search(query))
            memos = [archive.get(n) for n in names]
        out = []
        for memo in sorted(memos, key=lambda m: (m.date, m.filename)):
            out.append({"filename": memo.filename, "date": memo.date, "ticker": memo.ticker,
                        "decision": memo.decision, "amount_usd": memo.amount,
                        "title": memo.title, "cites": list(memo.meta.get("cites", [])),
                        "conditions": [{"id": c.id, "description": c.description}
                                       for c in memo.conditions]})
        return out

    def read_memo(filename: str) -> str:
        """The full text of one memo (a bare filename from search_memos).

        Args:
            filename: e.g. "tsla_2025_q4_pass.md".
        """
        try:
            return world.archive.read(filename)
        except MemoError as exc:
            raise ToolError(str(exc)) from None

    def check_conditions(filename: str) -> dict[str, Any]:
        """Evaluate a memo's revisit conditions or review triggers on today's data pack.

        Args:
            filename: the memo, e.g. "tsla_2025_q4_pass.md".
        """
        try:
            memo = world.archive.get(filename)
        except MemoError as exc:
            raise ToolError(str(exc)) from None
        fx = _fixture(memo.ticker)
        met = set(met_conditions(memo.conditions, fx))
        rows = []
        for c in memo.conditions:
            try:
                current = fx.metric(c.metric)
            except KeyError:
                current = None
            rows.append({"id": c.id, "description": c.description, "metric": c.metric,
                         "op": c.op, "threshold": c.value, "current": _round(current),
                         "met": c.id in met})
        return {"memo": memo.filename, "memo_date": memo.date, "decision": memo.decision,
                "data_pack": f"{fx.year} {fx.quarter}", "conditions": rows,
                "any_met": bool(met), "met": [r["id"] for r in rows if r["met"]]}

    def write_memo(filename: str, text: str) -> str:
        """Save a new memo at the archive's top level. It must have the seven sections in
        order and a name like "msft_2026_q1_buy.md"; memos are never overwritten or deleted.

        Args:
            filename: a bare filename (no folders), e.g. "msft_2026_q1_buy.md".
            text: the memo in Markdown (optional JSON front-matter, a # title, seven ## sections).
        """
        try:
            path = world.archive.write(filename, text)
        except MemoError as exc:
            raise ToolError(str(exc)) from None
        return f"Memo saved: {path.name} (archive top level)."

    functions: list[Callable[..., Any]] = [
        search_universe, market_data, research_library, portfolio, mandate_check,
        execute_trade, search_memos, read_memo, check_conditions, write_memo]
    return [Tool(f) for f in functions]
