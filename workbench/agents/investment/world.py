"""The committee's world for one run: today's date, the fund's ledger and its memo archive.

An experiment gives every condition (and every repeat) its own world folder, so two runs never
share a book or an archive: the ledger starts from ``ledger_initial.json`` and the archive from
a copy of the seed memos, and both then change only through the agent's own tools. The world
holds no memory of the agent's reasoning; it is the fund's books, which a wiped memory does not
erase.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from workbench.agents.investment.data import (
    QUARTERS,
    FixtureSet,
    Mandate,
    Meeting,
    investment_dir,
    load_fixtures,
    load_ledger,
    load_mandate,
)
from workbench.agents.investment.ledger import Ledger
from workbench.agents.investment.memos import MemoArchive
from workbench.errors import ConfigError


@dataclass
class CommitteeWorld:
    """Books and data for one run of the committee.

    Args:
        root: the run's folder; ``ledger.json`` and ``memos/`` live here.
        fixtures, mandate: the market data packs and the mandate (loaded when omitted).
        ledger: the opening book (default: ``ledger_initial.json``).
        today: the meeting date the tools answer for (set per meeting with :meth:`begin`).
    """

    root: Path
    fixtures: FixtureSet = field(default_factory=load_fixtures)
    mandate: Mandate = field(default_factory=load_mandate)
    ledger: Ledger = field(default_factory=load_ledger)
    today: date = date(2026, 1, 5)
    data_root: Path | None = None
    meeting_id: str = ""

    @classmethod
    def create(cls, root: str | Path, *, data_root: Path | None = None,
               today: date | None = None) -> CommitteeWorld:
        """A fresh world in ``root`` (emptied first): the opening book and the seed memos."""
        root = Path(root)
        if root.exists():
            shutil.rmtree(root)
        (root / "memos").mkdir(parents=True)
        source = investment_dir(data_root) / "memos"
        for memo in sorted(source.glob("*.md")):
            shutil.copy2(memo, root / "memos" / memo.name)
        world = cls(root, fixtures=load_fixtures(data_root), mandate=load_mandate(data_root),
                    ledger=load_ledger(root=data_root), today=today or date(2026, 1, 5),
                    data_root=data_root)
        world.save()
        return world

    # -- time -------------------------------------------------------------------------------

    def begin(self, meeting: Meeting | date | str) -> None:
        """Set today's date (and the meeting id, for the ledger's audit trail)."""
        if isinstance(meeting, Meeting):
            self.today, self.meeting_id = meeting.date, meeting.id
        else:
            self.today = meeting if isinstance(meeting, date) else date.fromisoformat(meeting)
            self.meeting_id = ""

    @property
    def quarter(self) -> str:
        """The data pack in force today: the latest quarter whose as-of date is on or before
        today (a meeting in early July still reads the May pack)."""
        as_of = self.quarter_dates()
        current = [q for q in QUARTERS if q in as_of and as_of[q] <= self.today]
        if not current:
            raise ConfigError(f"no data pack is available on {self.today}; the first is "
                              f"{min(as_of.values())}")
        return current[-1]

    def quarter_dates(self) -> dict[str, date]:
        """As-of date of each quarterly data pack (the same for every ticker)."""
        sample = self.fixtures.tickers[next(iter(self.fixtures))]
        return {q: sample.at(q).as_of for q in sample.quarters}

    @property
    def year(self) -> int:
        """The data packs' year."""
        return self.fixtures.get(next(iter(self.fixtures)), self.quarter).year

    # -- books ------------------------------------------------------------------------------

    @property
    def archive(self) -> MemoArchive:
        """The run's memo archive (a copy: seed memos plus whatever this run wrote)."""
        return MemoArchive(self.root / "memos")

    @property
    def ledger_path(self) -> Path:
        return self.root / "ledger.json"

    def save(self) -> None:
        """Persist the ledger (after every trade), so a run folder shows the book it built."""
        self.ledger_path.write_text(self.ledger.to_json(), encoding="utf-8")

    def scenario(self, name: str) -> Ledger:
        """A hypothetical book from ``datasets/investment/scenarios`` (read-only)."""
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts:
            raise ConfigError(f"scenario {name!r} must be a path under the dataset folder")
        if rel.parts[0] != "scenarios":
            rel = Path("scenarios") / rel
        if rel.suffix != ".json":
            rel = rel.with_suffix(".json")
        path = investment_dir(self.data_root) / rel
        if not path.is_file():
            available = sorted(p.name for p in path.parent.glob("*.json"))
            raise ConfigError(f"no scenario {name!r}; available: {', '.join(available)}")
        return load_ledger(str(rel), root=self.data_root)

    def prices(self, ledger: Ledger | None = None) -> dict[str, float]:
        """Today's prices; holdings without a fixture (scenario names) at their cost."""
        prices = self.fixtures.prices(self.quarter)
        for ticker, pos in (ledger or self.ledger).positions.items():
            prices.setdefault(ticker, pos.entry_price)
        return prices

    def betas(self) -> dict[str, float]:
        """Today's betas from the data packs."""
        return self.fixtures.betas(self.quarter)
