"""The fund's portfolio ledger: cash and positions, changed only by BUY, SELL and TRIM.

The upstream committee let each memo describe the portfolio from memory, so two memos could
disagree about what the fund held. Here the ledger is the single record: a decision that does
not trade (HOLD, PASS) cannot touch it, and every trade is appended to ``trades``.

The ledger does arithmetic only (you cannot spend cash you do not have or sell shares you do
not own); whether a trade is *allowed* is the mandate engine's job. Weights are measured
against the fund's committed capital (``fund_size``, $10M), the convention the mandate uses.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from workbench.errors import WorkbenchError

_CENT = 0.005  # tolerance for money comparisons: anything under half a cent is rounding


class LedgerError(WorkbenchError):
    """A trade the ledger cannot book (not enough cash, no such position, bad amount)."""

    code = "ledger_error"


@dataclass(frozen=True)
class Position:
    """One holding. ``cost`` is the total dollars paid, so ``entry_price`` is the average."""

    ticker: str
    sector: str
    shares: float
    cost: float
    entry_date: str
    beta: float

    @property
    def entry_price(self) -> float:
        """Average cost per share."""
        return self.cost / self.shares if self.shares else 0.0

    def market_value(self, price: float) -> float:
        """Shares times ``price``, rounded to cents."""
        return round(self.shares * price, 2)


@dataclass(frozen=True)
class Trade:
    """One booked trade (the ledger's audit trail)."""

    action: str
    ticker: str
    dollars: float
    shares: float
    price: float
    on: str
    meeting_id: str = ""


@dataclass
class Ledger:
    """Cash plus positions. Mutate only through :meth:`buy`, :meth:`sell`, :meth:`trim`."""

    fund_size: float
    cash: float
    positions: dict[str, Position] = field(default_factory=dict)
    trades: list[Trade] = field(default_factory=list)

    # ------------------------------------------------------------------ trades

    def buy(self, ticker: str, sector: str, dollars: float, price: float, on: date | str,
            beta: float, *, meeting_id: str = "") -> Position:
        """Spend ``dollars`` on ``ticker`` at ``price``; adds to an existing position.

        An add keeps the first entry date and averages the cost, so the exit trigger is
        measured from the average entry price.
        """
        if dollars <= 0 or price <= 0:
            raise LedgerError(f"BUY {ticker}: amount and price must be positive")
        if dollars > self.cash + _CENT:
            raise LedgerError(f"BUY {ticker}: ${dollars:,.2f} exceeds cash ${self.cash:,.2f}")
        shares = round(dollars / price, 6)
        held = self.positions.get(ticker)
        if held is None:
            held = Position(ticker, sector, shares, round(dollars, 2), str(on), beta)
            self.positions[ticker] = held
        else:
            # The latest beta is the one the risk checks should use.
            held = replace(held, shares=round(held.shares + shares, 6),
                           cost=round(held.cost + dollars, 2), beta=beta)
            self.positions[ticker] = held
        self.cash = round(self.cash - dollars, 2)
        self.trades.append(Trade("BUY", ticker, round(dollars, 2), shares, price, str(on),
                                 meeting_id))
        return held

    def sell(self, ticker: str, price: float, on: date | str, *, meeting_id: str = "") -> float:
        """Exit the whole position at ``price``; returns the proceeds."""
        held = self.positions.get(ticker)
        if held is None:
            raise LedgerError(f"SELL {ticker}: no position to sell")
        proceeds = held.market_value(price)
        del self.positions[ticker]
        self.cash = round(self.cash + proceeds, 2)
        self.trades.append(Trade("SELL", ticker, proceeds, held.shares, price, str(on),
                                 meeting_id))
        return proceeds

    def trim(self, ticker: str, dollars: float, price: float, on: date | str, *,
             meeting_id: str = "") -> Position | None:
        """Sell ``dollars`` worth of ``ticker`` at ``price``; cost shrinks pro rata.

        Trimming the whole value closes the position and returns ``None``.
        """
        held = self.positions.get(ticker)
        if held is None:
            raise LedgerError(f"TRIM {ticker}: no position to trim")
        value = held.market_value(price)
        if dollars <= 0 or dollars > value + _CENT:
            raise LedgerError(f"TRIM {ticker}: ${dollars:,.2f} is not within (0, ${value:,.2f}]")
        if dollars >= value - _CENT:
            self.sell(ticker, price, on, meeting_id=meeting_id)
            return None
        shares = round(dollars / price, 6)
        fraction = shares / held.shares
        held = replace(held, shares=round(held.shares - shares, 6),
                       cost=round(held.cost * (1 - fraction), 2))
        self.positions[ticker] = held
        self.cash = round(self.cash + dollars, 2)
        self.trades.append(Trade("TRIM", ticker, round(dollars, 2), shares, price, str(on),
                                 meeting_id))
        return held

    def apply(self, decision: str, ticker: str, amount: float, *, price: float, sector: str,
              beta: float, on: date | str, meeting_id: str = "") -> None:
        """Book a committee decision: BUY/SELL/TRIM trade, HOLD/PASS change nothing."""
        decision = decision.upper()
        if decision == "BUY":
            self.buy(ticker, sector, amount, price, on, beta, meeting_id=meeting_id)
        elif decision == "SELL":
            self.sell(ticker, price, on, meeting_id=meeting_id)
        elif decision == "TRIM":
            self.trim(ticker, amount, price, on, meeting_id=meeting_id)
        elif decision not in ("HOLD", "PASS"):
            raise LedgerError(f"unknown decision {decision!r}")

    # ------------------------------------------------------------------ views

    def _price(self, ticker: str, prices: Mapping[str, float] | None) -> float:
        # Without prices the book is valued at cost: handy for hand-worked examples.
        if prices is None:
            return self.positions[ticker].entry_price
        try:
            return float(prices[ticker])
        except KeyError:
            raise LedgerError(f"no price for held position {ticker}") from None

    @property
    def position_count(self) -> int:
        """How many names the fund holds."""
        return len(self.positions)

    def holds(self, ticker: str) -> bool:
        """Whether ``ticker`` is held."""
        return ticker in self.positions

    def market_value(self, ticker: str, prices: Mapping[str, float] | None = None) -> float:
        """Value of one holding (0 if not held)."""
        if ticker not in self.positions:
            return 0.0
        return self.positions[ticker].market_value(self._price(ticker, prices))

    def invested(self, prices: Mapping[str, float] | None = None) -> float:
        """Value of all holdings."""
        return round(sum(self.market_value(t, prices) for t in self.positions), 2)

    def nav(self, prices: Mapping[str, float] | None = None) -> float:
        """Cash plus holdings (for information: limits use ``fund_size``)."""
        return round(self.cash + self.invested(prices), 2)

    def weight(self, ticker: str, prices: Mapping[str, float] | None = None) -> float:
        """Holding value as a fraction of the fund."""
        return self.market_value(ticker, prices) / self.fund_size

    def weights(self, prices: Mapping[str, float] | None = None) -> dict[str, float]:
        """Every holding's fraction of the fund."""
        return {t: self.weight(t, prices) for t in sorted(self.positions)}

    def sector_value(self, sector: str, prices: Mapping[str, float] | None = None) -> float:
        """Dollars held in ``sector``."""
        return round(sum(self.market_value(t, prices) for t, p in self.positions.items()
                         if p.sector == sector), 2)

    def sector_exposure(self, prices: Mapping[str, float] | None = None) -> dict[str, float]:
        """Fraction of the fund in each sector held."""
        sectors = sorted({p.sector for p in self.positions.values()})
        return {s: self.sector_value(s, prices) / self.fund_size for s in sectors}

    def portfolio_beta(self, prices: Mapping[str, float] | None = None,
                       betas: Mapping[str, float] | None = None) -> float:
        """Fund-weighted beta, cash counting as zero; ``betas`` overrides recorded betas."""
        total = 0.0
        for ticker, pos in self.positions.items():
            beta = float(betas[ticker]) if betas and ticker in betas else pos.beta
            total += self.market_value(ticker, prices) * beta
        return total / self.fund_size

    def return_from_entry(self, ticker: str, price: float) -> float:
        """``price`` against the average entry price, e.g. -0.25 for a 25% loss."""
        return price / self.positions[ticker].entry_price - 1.0

    # ------------------------------------------------------------------ serialisation

    def copy(self) -> Ledger:
        """A deep copy (for what-if checks that must not touch the real book)."""
        return Ledger.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "fund_size": self.fund_size,
            "cash": self.cash,
            "positions": [asdict(p) for _, p in sorted(self.positions.items())],
            "trades": [asdict(t) for t in self.trades],
        }

    def to_json(self) -> str:
        """Stable JSON text."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ledger:
        """Inverse of :meth:`to_dict`."""
        positions = {p["ticker"]: Position(p["ticker"], p["sector"], float(p["shares"]),
                                           float(p["cost"]), str(p["entry_date"]),
                                           float(p["beta"]))
                     for p in data.get("positions", [])}
        trades = [Trade(**t) for t in data.get("trades", [])]
        return cls(float(data["fund_size"]), float(data["cash"]), positions, trades)

    @classmethod
    def from_json(cls, text: str) -> Ledger:
        """Inverse of :meth:`to_json`."""
        return cls.from_dict(json.loads(text))
