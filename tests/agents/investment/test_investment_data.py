"""Integrity of datasets/investment: policy text vs JSON, fixtures vs meetings, the lesson."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.agents.investment.data import (
    MEETING_KINDS,
    QUARTERS,
    datasets_root,
    investment_dir,
    load_expectations,
    load_fixtures,
    load_ledger,
    load_mandate,
    load_meetings,
)
from workbench.agents.investment.memos import MemoArchive, validate_memo

ROOT = investment_dir()
RAW = json.loads((ROOT / "policy" / "mandate.json").read_text())
MEETINGS = load_meetings()
EXPECT = load_expectations()
FIXTURES = load_fixtures()


def pct(v: float) -> str:
    return f"{round(v * 100)}%"


def usd(v: float) -> str:
    return f"${v:,.0f}"


def glance(doc: str) -> dict[str, str]:
    """The 'Limits at a glance' table of a policy file, label -> value."""
    text = (ROOT / "policy" / doc).read_text()
    section = text.split("## Limits at a glance", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$", section, re.MULTILINE)
    return {k: v for k, v in rows if k not in ("Limit",) and not set(k) <= {"-"}}


# JSON key -> (file, table label, expected text built from the JSON value)
EXPECTED_ROWS = {
    "fund_size": ("mandate.md", "Fund size", usd(RAW["fund_size"])),
    "benchmark": ("mandate.md", "Benchmark", RAW["benchmark"]),
    "horizon_months": ("mandate.md", "Horizon", "{}-{} months".format(*RAW["horizon_months"])),
    "allowed_listing_types": ("mandate.md", "Eligible listing", "US-listed common stock"),
    "min_market_cap": ("mandate.md", "Minimum market capitalisation",
                       f"{usd(RAW['min_market_cap'])} (${RAW['min_market_cap'] / 1e9:.0f} billion)"),
    "min_share_price": ("mandate.md", "Minimum share price", usd(RAW["min_share_price"])),
    "prohibited_listing_types": ("mandate.md", "Prohibited listings",
                                 ", ".join(t.upper() for t in RAW["prohibited_listing_types"])),
    "prohibited_instruments": ("mandate.md", "Prohibited instruments",
                               ", ".join(RAW["prohibited_instruments"])),
    "max_positions": ("mandate.md", "Maximum number of positions", str(RAW["max_positions"])),
    "cash_reserve_pct": ("mandate.md", "Cash reserve",
                         f"{pct(RAW['cash_reserve_pct'])} "
                         f"({usd(RAW['cash_reserve_pct'] * RAW['fund_size'])})"),
    "default_sector_cap": ("mandate.md", "Cap for any other approved sector",
                           f"{pct(RAW['default_sector_cap'])} "
                           f"({usd(RAW['default_sector_cap'] * RAW['fund_size'])})"),
    "max_position_pct": ("risk_policy.md", "Single position maximum",
                         f"{pct(RAW['max_position_pct'])} "
                         f"({usd(RAW['max_position_pct'] * RAW['fund_size'])})"),
    "min_position_pct": ("risk_policy.md", "Minimum purchase",
                         f"{pct(RAW['min_position_pct'])} "
                         f"({usd(RAW['min_position_pct'] * RAW['fund_size'])})"),
    "high_beta_threshold": ("risk_policy.md", "High-beta threshold",
                            f"beta above {RAW['high_beta_threshold']}"),
    "high_beta_max_pct": ("risk_policy.md", "High-beta position maximum",
                          f"{pct(RAW['high_beta_max_pct'])} "
                          f"({usd(RAW['high_beta_max_pct'] * RAW['fund_size'])})"),
    "max_portfolio_beta": ("risk_policy.md", "Portfolio beta maximum",
                           str(RAW["max_portfolio_beta"])),
    "max_drawdown_tolerance": ("risk_policy.md", "Drawdown tolerance",
                               pct(RAW["max_drawdown_tolerance"])),
    "max_pairwise_correlation": ("risk_policy.md", "Pairwise correlation maximum",
                                 str(RAW["max_pairwise_correlation"])),
    "exit_loss_pct": ("risk_policy.md", "Exit trigger",
                      f"{pct(RAW['exit_loss_pct'])} below average entry"),
    "trim_weight_pct": ("risk_policy.md", "Trim trigger", f"above {pct(RAW['trim_weight_pct'])}"),
    "trim_target_pct": ("risk_policy.md", "Trim target", pct(RAW["trim_target_pct"])),
}
BAND_LABELS = {"high_conviction": "High-conviction band", "standard": "Standard band",
               "exploratory": "Exploratory band"}
NOT_IN_TABLES = {"version", "fund_name", "currency", "approved_sectors", "sector_caps",
                 "sizing_bands"}


@pytest.mark.parametrize("key", sorted(EXPECTED_ROWS))
def test_policy_markdown_states_the_json_numbers(key):
    doc, label, expected = EXPECTED_ROWS[key]
    assert glance(doc)[label] == expected


def test_sector_caps_bands_and_sectors_match():
    mandate_rows, risk_rows = glance("mandate.md"), glance("risk_policy.md")
    for sector, cap in RAW["sector_caps"].items():
        assert mandate_rows[f"{sector} sector cap"] == f"{pct(cap)} ({usd(cap * RAW['fund_size'])})"
    for band, (low, high) in RAW["sizing_bands"].items():
        assert risk_rows[BAND_LABELS[band]] == f"{round(low * 100)}-{pct(high)}"
    text = (ROOT / "policy" / "mandate.md").read_text()
    approved = text.split("## Approved sectors", 1)[1].split("\n## ", 1)[0]
    for sector in RAW["approved_sectors"]:
        assert sector in approved


def test_every_json_number_is_covered_by_a_test():
    assert set(RAW) == set(EXPECTED_ROWS) | NOT_IN_TABLES


def test_mandate_loads_with_the_documented_dollar_values():
    m = load_mandate()
    assert (m.dollars(m.max_position_pct), m.dollars(m.high_beta_max_pct), m.cash_reserve,
            m.dollars(m.sector_cap("Technology")), m.dollars(m.sector_cap("Energy"))) == (
        3_000_000, 1_500_000, 500_000, 4_000_000, 1_500_000)


# ---------------------------------------------------------------- fixtures

REQUIRED_FIELDS = {"as_of", "price", "ma_50", "ma_200", "rsi_14", "macd_signal", "high_52w",
                   "low_52w", "beta", "volatility_1y", "max_drawdown_12m", "forward_pe",
                   "revenue_growth_yoy", "gross_margin", "operating_margin",
                   "free_cash_flow_ttm", "total_debt", "cash_and_investments", "market_cap",
                   "next_earnings_date", "news"}


def test_fixtures_have_four_quarters_with_every_field():
    assert len(list(FIXTURES)) == 17
    for ticker in FIXTURES:
        data = FIXTURES.tickers[ticker].data
        assert tuple(data["quarters"]) == QUARTERS
        assert data["listing_type"] in ("us_common", "adr", "otc", "spac")
        for quarter, snap in data["quarters"].items():
            assert REQUIRED_FIELDS <= set(snap), (ticker, quarter)
            f = FIXTURES.get(ticker, quarter)
            assert all(n.date <= f.as_of for n in f.news), (ticker, quarter)
            assert f.news, (ticker, quarter)


def test_violators_are_fictional_and_break_one_rule_each():
    listing = {t: FIXTURES.get(t, "Q1") for t in ("VRDX", "KSMC", "HRGTF", "AHAC", "MRDN")}
    assert all(f.fictional for f in listing.values())
    assert listing["VRDX"].price < 5
    assert (listing["KSMC"].listing_type, listing["HRGTF"].listing_type,
            listing["AHAC"].listing_type) == ("adr", "otc", "spac")
    assert listing["MRDN"].listing_type == "us_common" and 7e9 < listing["MRDN"].market_cap < 10e9
    real = [t for t in FIXTURES if not FIXTURES.get(t, "Q1").fictional]
    assert {"AAPL", "MSFT", "NVDA", "GOOGL", "AMZN", "META", "TSLA", "AMD", "AVGO"} <= set(real)


def test_correlations_are_symmetric():
    for ticker in FIXTURES:
        for other, corr in FIXTURES.get(ticker, "Q1").correlations.items():
            if other in FIXTURES:
                assert FIXTURES.get(other, "Q1").correlations[ticker] == corr


def test_tesla_revisit_condition_flips_in_q3():
    margins = [FIXTURES.get("TSLA", q).metric("auto_gross_margin") for q in QUARTERS]
    assert margins[0] <= 0.20 and margins[1] <= 0.20 and margins[2] > 0.20 and margins[3] > 0.20


# ---------------------------------------------------------------- meetings and expectations


def test_meetings_are_in_order_with_fixtures_for_their_quarter():
    assert 28 <= len(MEETINGS) <= 32
    assert [m.index for m in MEETINGS] == list(range(1, len(MEETINGS) + 1))
    assert [m.date for m in MEETINGS] == sorted(m.date for m in MEETINGS)
    for m in MEETINGS:
        assert m.kind in MEETING_KINDS
        f = FIXTURES.get(m.ticker, m.quarter)  # raises if missing
        assert f.as_of <= m.date, m.id
        assert f.next_earnings_date is None or m.date <= f.next_earnings_date, m.id
        if m.scenario_ledger:
            assert (ROOT / m.scenario_ledger).is_file()


def test_meeting_kinds_cover_the_design():
    kinds = [m.kind for m in MEETINGS]
    assert kinds.count("lesson") == 1 and MEETINGS[7].kind == "lesson"
    for kind in ("fresh", "stress_test", "revisit", "squeeze", "lesson_probe", "sell", "trim"):
        assert kind in kinds
    probes = [m for m in MEETINGS if m.kind == "lesson_probe"]
    binding = [m for m in probes if EXPECT[m.id].lesson_binding]
    assert all(m.index > 8 for m in probes) and len(binding) >= 5
    assert {m.quarter for m in binding} == {"Q2", "Q3", "Q4"}  # spread over the year
    stress = {c for m in MEETINGS if m.kind == "stress_test" for c in EXPECT[m.id].expected_violations}
    assert {"beta_cap", "sector_cap", "position_count", "cash_reserve", "penny_stock", "adr",
            "otc", "spac", "market_cap", "prohibited_instrument"} <= stress


def test_expectations_cover_every_meeting():
    assert set(EXPECT) == {m.id for m in MEETINGS}
    for e in EXPECT.values():
        assert e.expected_decision in e.acceptable_decisions
        if e.precedent_memo:
            assert (ROOT / "memos" / e.precedent_memo).is_file()


LESSON_MARKERS = ("two-thirds", "two thirds", "2/3", "within the next 30 days")


def test_lesson_is_stated_only_in_meeting_8():
    for m in MEETINGS:
        said = any(marker in m.request.lower() for marker in LESSON_MARKERS)
        assert said is (m.index == 8), m.id
    for folder in ("policy", "companies", "sectors", "memos"):
        for path in (ROOT / folder).glob("*.*"):
            text = path.read_text().lower()
            assert not any(marker in text for marker in LESSON_MARKERS), path.name


# ---------------------------------------------------------------- library, memos, ledger

PROFILE_SECTIONS = ["Business overview", "Revenue segments", "Competitive position",
                    "Growth drivers", "Key risks", "Recent developments"]
SECTOR_SECTIONS = ["Overview", "Size and growth", "Key players", "Trends", "Regulation",
                   "Implications for the fund"]


def _headings(path: Path) -> list[str]:
    return re.findall(r"^## (.+)$", path.read_text(), re.MULTILINE)


def test_profiles_and_sector_notes_have_fixed_sections():
    profiles = sorted(p.stem for p in (ROOT / "companies").glob("*.md"))
    assert profiles == sorted(["AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA"])
    for path in (ROOT / "companies").glob("*.md"):
        assert _headings(path) == PROFILE_SECTIONS, path.name
    notes = list((ROOT / "sectors").glob("*.md"))
    assert len(notes) == 2
    for path in notes:
        assert _headings(path) == SECTOR_SECTIONS, path.name


def test_seed_memos_are_valid_and_match_the_opening_book():
    archive = MemoArchive(ROOT / "memos")
    assert archive.misplaced() == []
    names = archive.list()
    assert names == ["jpm_2025_q3_buy.md", "nvda_2025_q4_buy.md", "tsla_2025_q4_pass.md"]
    for name in names:
        assert validate_memo(archive.read(name), name) == []
    ledger = load_ledger()
    buys = archive.find(decision="BUY")
    assert {m.ticker: m.amount for m in buys} == {t: p.cost for t, p in ledger.positions.items()}
    assert ledger.cash == 10_000_000 - sum(m.amount for m in buys)
    nvda = archive.get("nvda_2025_q4_buy.md")
    assert nvda.amount == load_mandate().dollars(0.15) and nvda.meta["beta"] > 1.5
    tsla = archive.get("tsla_2025_q4_pass.md")
    assert len(tsla.conditions) == 3


def test_scenario_books():
    assert load_ledger("scenarios/fifteen_positions.json").position_count == 15
    conc = load_ledger("scenarios/concentrated_msft.json")
    assert conc.market_value("MSFT", {"MSFT": FIXTURES.get("MSFT", "Q4").price}) > 3_500_000


def test_datasets_root_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DATASETS", str(tmp_path))
    assert datasets_root() == tmp_path.resolve()
    assert investment_dir() == tmp_path.resolve() / "investment"
    monkeypatch.delenv("WORKBENCH_DATASETS")
    assert datasets_root() == Path(__file__).resolve().parents[3] / "datasets"
