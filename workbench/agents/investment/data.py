"""Loaders and records for the Investment committee's data in ``datasets/investment/``.

Everything here is read-only: the mandate, the quarterly market fixtures, the meeting sequence
and (for scorers only) the expected outcomes. The folder is found relative to this file so a
source checkout works without configuration; ``WORKBENCH_DATASETS`` points elsewhere and is
read in exactly one place, :func:`datasets_root`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from workbench.agents.investment.ledger import Ledger
from workbench.settings import datasets_dir as settings_datasets_dir

QUARTERS = ("Q1", "Q2", "Q3", "Q4")
DECISIONS = ("BUY", "HOLD", "PASS", "SELL", "TRIM")
MEETING_KINDS = ("fresh", "stress_test", "revisit", "squeeze", "lesson", "lesson_probe",
                 "sell", "trim")


def datasets_root() -> Path:
    """The ``datasets`` folder (see :func:`workbench.settings.datasets_dir`)."""
    return settings_datasets_dir()


def investment_dir(root: Path | None = None) -> Path:
    """``datasets/investment`` (or ``root`` itself when given, for tests on a copy)."""
    return root if root is not None else datasets_root() / "investment"


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# --------------------------------------------------------------------------- mandate


@dataclass(frozen=True)
class Mandate:
    """The fund's hard limits, as fractions of ``fund_size`` unless named otherwise."""

    fund_size: float
    min_market_cap: float
    min_share_price: float
    allowed_listing_types: tuple[str, ...]
    prohibited_listing_types: tuple[str, ...]
    prohibited_instruments: tuple[str, ...]
    max_positions: int
    cash_reserve_pct: float
    approved_sectors: tuple[str, ...]
    sector_caps: Mapping[str, float]
    default_sector_cap: float
    max_position_pct: float
    min_position_pct: float
    high_beta_threshold: float
    high_beta_max_pct: float
    sizing_bands: Mapping[str, tuple[float, float]]
    max_portfolio_beta: float
    max_drawdown_tolerance: float
    max_pairwise_correlation: float
    exit_loss_pct: float
    trim_weight_pct: float
    trim_target_pct: float
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def sector_cap(self, sector: str) -> float:
        """The cap for ``sector``; sectors without a named cap get the default."""
        return self.sector_caps.get(sector, self.default_sector_cap)

    def dollars(self, pct: float) -> float:
        """``pct`` of the fund in dollars (every limit is measured against the $10M fund)."""
        return round(pct * self.fund_size, 2)

    @property
    def cash_reserve(self) -> float:
        """The cash that must stay uninvested, in dollars."""
        return self.dollars(self.cash_reserve_pct)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mandate:
        """Build from the ``mandate.json`` shape."""
        return cls(
            fund_size=float(data["fund_size"]),
            min_market_cap=float(data["min_market_cap"]),
            min_share_price=float(data["min_share_price"]),
            allowed_listing_types=tuple(data["allowed_listing_types"]),
            prohibited_listing_types=tuple(data["prohibited_listing_types"]),
            prohibited_instruments=tuple(data["prohibited_instruments"]),
            max_positions=int(data["max_positions"]),
            cash_reserve_pct=float(data["cash_reserve_pct"]),
            approved_sectors=tuple(data["approved_sectors"]),
            sector_caps={k: float(v) for k, v in data["sector_caps"].items()},
            default_sector_cap=float(data["default_sector_cap"]),
            max_position_pct=float(data["max_position_pct"]),
            min_position_pct=float(data["min_position_pct"]),
            high_beta_threshold=float(data["high_beta_threshold"]),
            high_beta_max_pct=float(data["high_beta_max_pct"]),
            sizing_bands={k: (float(v[0]), float(v[1])) for k, v in data["sizing_bands"].items()},
            max_portfolio_beta=float(data["max_portfolio_beta"]),
            max_drawdown_tolerance=float(data["max_drawdown_tolerance"]),
            max_pairwise_correlation=float(data["max_pairwise_correlation"]),
            exit_loss_pct=float(data["exit_loss_pct"]),
            trim_weight_pct=float(data["trim_weight_pct"]),
            trim_target_pct=float(data["trim_target_pct"]),
            raw=dict(data),
        )


def load_mandate(root: Path | None = None) -> Mandate:
    """Read ``policy/mandate.json``."""
    return Mandate.from_dict(_read_json(investment_dir(root) / "policy" / "mandate.json"))


# --------------------------------------------------------------------------- fixtures


@dataclass(frozen=True)
class NewsItem:
    """One dated headline in a fixture."""

    date: date
    headline: str
    summary: str = ""


@dataclass(frozen=True)
class Fixture:
    """One ticker as seen in one quarter's data pack: what the committee may reason from.

    ``metrics`` holds every quarterly field verbatim (price, moving averages, margins, ...);
    the commonly used ones are lifted into attributes.
    """

    ticker: str
    name: str
    sector: str
    listing_type: str
    fictional: bool
    year: int
    quarter: str
    as_of: date
    price: float
    beta: float
    market_cap: float
    next_earnings_date: date | None
    metrics: Mapping[str, Any]
    news: tuple[NewsItem, ...] = ()
    correlations: Mapping[str, float] = field(default_factory=dict)

    def metric(self, name: str) -> Any:
        """A metric by name, looking in the quarter's fields, then its ``signals``."""
        if name in self.metrics:
            return self.metrics[name]
        signals = self.metrics.get("signals") or {}
        if name in signals:
            return signals[name]
        raise KeyError(f"{self.ticker} {self.quarter} has no metric {name!r}")

    def days_to_earnings(self, on: date) -> int | None:
        """Calendar days from ``on`` to the next earnings date, or ``None`` if unknown."""
        if self.next_earnings_date is None:
            return None
        return (self.next_earnings_date - on).days


@dataclass(frozen=True)
class TickerFixtures:
    """All four quarterly snapshots for one ticker."""

    ticker: str
    data: Mapping[str, Any] = field(repr=False)

    @property
    def quarters(self) -> tuple[str, ...]:
        """The quarters present, in calendar order."""
        return tuple(q for q in QUARTERS if q in self.data["quarters"])

    def at(self, quarter: str) -> Fixture:
        """The snapshot for ``quarter`` (``"Q1"``..``"Q4"``)."""
        top = self.data
        try:
            q = top["quarters"][quarter]
        except KeyError:
            raise KeyError(f"no {quarter} fixture for {self.ticker}") from None
        return Fixture(
            ticker=top["ticker"], name=top["name"], sector=top["sector"],
            listing_type=top["listing_type"], fictional=bool(top.get("fictional", False)),
            year=int(top["year"]), quarter=quarter, as_of=date.fromisoformat(q["as_of"]),
            price=float(q["price"]), beta=float(q["beta"]), market_cap=float(q["market_cap"]),
            next_earnings_date=_date(q.get("next_earnings_date")), metrics=q,
            news=tuple(NewsItem(date.fromisoformat(n["date"]), n["headline"], n.get("summary", ""))
                       for n in q.get("news", [])),
            correlations=dict(top.get("correlations", {})),
        )


@dataclass(frozen=True)
class FixtureSet:
    """Every ticker's fixtures, with helpers to mark a portfolio at one quarter."""

    tickers: Mapping[str, TickerFixtures]

    def __contains__(self, ticker: object) -> bool:
        return ticker in self.tickers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.tickers))

    def get(self, ticker: str, quarter: str) -> Fixture:
        """The fixture for ``ticker`` at ``quarter``; ``KeyError`` if either is unknown."""
        try:
            return self.tickers[ticker.upper()].at(quarter)
        except KeyError as exc:
            raise KeyError(f"no fixture for {ticker} {quarter}") from exc

    def prices(self, quarter: str) -> dict[str, float]:
        """Share price of every ticker at ``quarter``."""
        return {t: float(f.data["quarters"][quarter]["price"]) for t, f in self.tickers.items()
                if quarter in f.data["quarters"]}

    def betas(self, quarter: str) -> dict[str, float]:
        """Beta of every ticker at ``quarter``."""
        return {t: float(f.data["quarters"][quarter]["beta"]) for t, f in self.tickers.items()
                if quarter in f.data["quarters"]}


def load_fixtures(root: Path | None = None) -> FixtureSet:
    """Read every ``fixtures/<TICKER>.json``."""
    folder = investment_dir(root) / "fixtures"
    tickers = {}
    for path in sorted(folder.glob("*.json")):
        data = _read_json(path)
        tickers[data["ticker"]] = TickerFixtures(data["ticker"], data)
    return FixtureSet(tickers)


# --------------------------------------------------------------------------- meetings


@dataclass(frozen=True)
class Meeting:
    """One committee meeting: what the chair/user asks. Contains no expected answer."""

    id: str
    index: int
    year: int
    quarter: str
    date: date
    ticker: str
    kind: str
    speaker: str
    request: str
    requested_amount: float | None = None
    scenario_ledger: str | None = None
    instrument: str = "equity"

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Meeting:
        """Build from one ``meetings.jsonl`` row."""
        amount = row.get("requested_amount")
        return cls(
            id=row["id"], index=int(row["index"]), year=int(row["year"]), quarter=row["quarter"],
            date=date.fromisoformat(row["date"]), ticker=row["ticker"], kind=row["kind"],
            speaker=row.get("speaker", "chair"), request=row["request"],
            requested_amount=None if amount is None else float(amount),
            scenario_ledger=row.get("scenario_ledger"),
            instrument=row.get("instrument", "equity"),
        )


def load_meetings(root: Path | None = None) -> list[Meeting]:
    """Read ``meetings.jsonl`` in meeting order."""
    rows = _read_jsonl(investment_dir(root) / "meetings.jsonl")
    return sorted((Meeting.from_dict(r) for r in rows), key=lambda m: m.index)


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Expectation:
    """The gold outcome for one meeting. Scorers read this; the agent must never see it.

    Amounts are for the reference path, where every earlier meeting went as expected.
    ``engine_max`` ignores the lesson; ``lesson_max`` is the lesson-adjusted maximum when the
    pre-earnings lesson applies to a name the fund could otherwise buy (0 when the cut falls
    below the 2% minimum, ``None`` when the lesson does not apply);
    ``lesson_binding`` says whether the lesson changes the expected amount or decision.
    """

    meeting_id: str
    expected_decision: str
    acceptable_decisions: tuple[str, ...]
    expected_amount: float
    engine_max: float
    binding_constraint: str
    expected_violations: tuple[str, ...]
    lesson_applies: bool
    lesson_binding: bool
    lesson_max: float | None
    precedent_memo: str | None
    precedent_facts_changed: bool | None
    met_conditions: tuple[str, ...]
    post_sector: str
    post_sector_weight: float
    post_position_count: int
    post_cash: float
    note: str = ""

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Expectation:
        """Build from one ``expectations.jsonl`` row."""
        lesson_max = row.get("lesson_max")
        return cls(
            meeting_id=row["meeting_id"], expected_decision=row["expected_decision"],
            acceptable_decisions=tuple(row.get("acceptable_decisions")
                                       or [row["expected_decision"]]),
            expected_amount=float(row.get("expected_amount", 0.0)),
            engine_max=float(row["engine_max"]),
            binding_constraint=row.get("binding_constraint", ""),
            expected_violations=tuple(row.get("expected_violations", [])),
            lesson_applies=bool(row.get("lesson_applies", False)),
            lesson_binding=bool(row.get("lesson_binding", False)),
            lesson_max=None if lesson_max is None else float(lesson_max),
            precedent_memo=row.get("precedent_memo"),
            precedent_facts_changed=row.get("precedent_facts_changed"),
            met_conditions=tuple(row.get("met_conditions", [])),
            post_sector=row.get("post_sector", ""),
            post_sector_weight=float(row["post_sector_weight"]),
            post_position_count=int(row["post_position_count"]),
            post_cash=float(row.get("post_cash", 0.0)),
            note=row.get("note", ""),
        )


def load_expectations(root: Path | None = None) -> dict[str, Expectation]:
    """Read ``expectations.jsonl`` keyed by meeting id (scorers only)."""
    rows = _read_jsonl(investment_dir(root) / "expectations.jsonl")
    return {r["meeting_id"]: Expectation.from_dict(r) for r in rows}


def load_ledger_json(name: str = "ledger_initial.json", root: Path | None = None) -> dict:
    """Raw JSON of a ledger file under ``datasets/investment`` (initial or a scenario)."""
    return _read_json(investment_dir(root) / name)


def load_ledger(name: str = "ledger_initial.json", root: Path | None = None) -> Ledger:
    """The opening book (default) or a scenario book such as
    ``"scenarios/fifteen_positions.json"``, as a :class:`Ledger`."""
    return Ledger.from_dict(load_ledger_json(name, root))
