"""The per-run world: today's data pack, a fresh book and a copy of the archive."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.agents.investment import load_ledger, load_meetings
from workbench.agents.investment.world import CommitteeWorld
from workbench.errors import ConfigError


def test_the_data_pack_in_force_is_the_meetings_quarter(world):
    for meeting in load_meetings():
        world.begin(meeting)
        assert world.quarter == meeting.quarter, meeting.id
        assert world.meeting_id == meeting.id
    world.begin("2026-07-07")  # early July still reads the May pack
    assert world.quarter == "Q2" and world.year == 2026
    world.begin(date(2026, 1, 20))
    with pytest.raises(ConfigError, match="no data pack"):
        _ = world.quarter


def test_create_starts_from_the_opening_book_and_seed_memos(tmp_path):
    first = CommitteeWorld.create(tmp_path / "w")
    assert first.ledger.to_dict() == load_ledger().to_dict()
    assert first.archive.list() == ["jpm_2025_q3_buy.md", "nvda_2025_q4_buy.md",
                                    "tsla_2025_q4_pass.md"]
    (first.root / "memos" / "extra_2026_q1_pass.md").write_text("x")
    first.ledger.cash = 1.0
    first.save()
    again = CommitteeWorld.create(tmp_path / "w")  # a restarted repeat starts clean
    assert "extra_2026_q1_pass.md" not in again.archive.list()
    assert again.ledger.cash == 8_000_000 and again.ledger_path.is_file()


def test_scenarios_are_read_only_paths_under_the_dataset(world):
    assert world.scenario("scenarios/fifteen_positions.json").position_count == 15
    assert world.scenario("fifteen_positions").position_count == 15
    for bad in ("../ledger_initial.json", "/etc/passwd", "scenarios/nope.json"):
        with pytest.raises(ConfigError):
            world.scenario(bad)
