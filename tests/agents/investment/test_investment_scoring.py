"""Scorers: single-decision checks by hand, then whole-sequence replays."""

from __future__ import annotations

import pytest

from workbench.agents.investment.data import (
    investment_dir,
    load_expectations,
    load_fixtures,
    load_meetings,
)
from workbench.agents.investment.ledger import Ledger
from workbench.agents.investment.memos import MemoArchive
from workbench.agents.investment.replay import score_sequence
from workbench.agents.investment.scoring import (
    Decision,
    Target,
    duplicate_learnings,
    score_ledger,
    score_lesson,
    score_precedent,
    score_sizing,
)

FIXTURES = load_fixtures()
EXPECT = load_expectations()
MEETINGS = load_meetings()
MEMOS = MemoArchive(investment_dir() / "memos")


def gold(meeting_id: str, **changes) -> Decision:
    """The reference decision for a meeting, reporting the right book afterwards."""
    e = EXPECT[meeting_id]
    fields = {"decision": e.expected_decision, "amount": e.expected_amount,
              "reported_sector_weight": e.post_sector_weight,
              "reported_position_count": e.post_position_count,
              "cited_memos": (e.precedent_memo,) if e.precedent_memo else ()}
    fields.update(changes)
    return Decision(meeting_id, **fields)


def gold_path(**overrides: Decision) -> list[Decision]:
    return [overrides.get(m.id, gold(m.id)) for m in MEETINGS]


# ---------------------------------------------------------------- single scorers


def test_sizing_error_in_dollars_and_percent_of_fund():
    target = Target(("BUY",), 1_000_000, 1_500_000, True, 1_000_000)
    # Bought the policy max instead of the lesson max: $500K off = 5% of the fund, no excess.
    s = score_sizing(Decision("X", "BUY", 1_500_000), target, 10_000_000)
    assert (s.error_dollars, s.error_pct_fund, s.excess_over_policy) == (500_000, 0.05, 0)
    # $2M is $500K above the policy max as well.
    assert score_sizing(Decision("X", "BUY", 2_000_000), target, 10_000_000
                        ).excess_over_policy == 500_000
    # Passing when a $1M buy was expected misses by the whole amount.
    assert score_sizing(Decision("X", "PASS"), target, 10_000_000).error_dollars == 1_000_000
    # A correct no-trade is not sized at all.
    hold = Target(("HOLD", "PASS"), 0, 0, False, None)
    s = score_sizing(Decision("X", "HOLD"), hold, 10_000_000)
    assert not s.counted and s.error_dollars == 0


def test_precedent_unchanged_facts_keep_the_pass():
    memo = MEMOS.get("tsla_2025_q4_pass.md")
    q1 = FIXTURES.get("TSLA", "Q1")  # auto margin 16.5%, no L4, P/E 95x
    assert score_precedent(Decision("M03", "PASS"), memo, q1).consistent is True
    flipped = score_precedent(Decision("M03", "BUY", 1_500_000), memo, q1)
    assert flipped.reversal and flipped.consistent is False and flipped.facts_changed is False


def test_precedent_changed_facts_justify_a_change():
    memo = MEMOS.get("tsla_2025_q4_pass.md")
    q3 = FIXTURES.get("TSLA", "Q3")  # auto margin 20.6% > 20%
    ok = score_precedent(Decision("M18", "BUY", 450_000,
                                  cited_conditions=("tsla_auto_margin_above_20",)), memo, q3)
    assert ok.consistent and ok.met_conditions == ("tsla_auto_margin_above_20",)
    # Citing a condition that is not met (P/E is 62x, not < 40x) is not a justification.
    bad = score_precedent(Decision("M18", "BUY", 450_000,
                                   cited_conditions=("tsla_forward_pe_below_40",)), memo, q3)
    assert bad.consistent is False
    # Keeping the PASS after a condition is met is not a reversal, so it is consistent.
    assert score_precedent(Decision("M18", "PASS"), memo, q3).consistent is True


def test_precedent_buy_memo_declining_an_add_is_consistent_but_selling_is_not():
    memo = MEMOS.get("nvda_2025_q4_buy.md")
    q3 = FIXTURES.get("NVDA", "Q3")  # $142 > $112.50, growth 48%, beta 2.05: nothing met
    assert score_precedent(Decision("M17", "HOLD"), memo, q3).consistent is True
    assert score_precedent(Decision("M17", "SELL"), memo, q3).consistent is False
    assert score_precedent(Decision("M17", "HOLD"), None, q3).consistent is None


def test_ledger_score_tolerates_half_a_point():
    ledger = Ledger(10_000_000, 10_000_000)
    ledger.buy("MSFT", "Technology", 1_500_000, 400.0, "2026-02-16", 0.9)
    prices = {"MSFT": 400.0}
    right = Decision("M01", "BUY", 1_500_000, reported_sector_weight=0.152,
                     reported_position_count=1)
    assert score_ledger(right, ledger, "Technology", prices).correct
    off = Decision("M01", "BUY", 1_500_000, reported_sector_weight=0.16,
                   reported_position_count=1)
    assert not score_ledger(off, ledger, "Technology", prices).correct
    silent = Decision("M01", "BUY", 1_500_000)
    assert not score_ledger(silent, ledger, "Technology", prices).correct


def test_lesson_followed_and_over_applied():
    applies = Target(("BUY",), 1_000_000, 1_500_000, True, 1_000_000)
    assert score_lesson(Decision("X", "BUY", 1_000_000), applies, binding=True,
                        active=True).followed is True
    assert score_lesson(Decision("X", "BUY", 1_500_000), applies, binding=True,
                        active=True).followed is False
    # Not applicable: buying 2/3 of the right $500K ($333,333) is over-applying the lesson.
    free = Target(("BUY",), 500_000, 1_037_500, False, None)
    s = score_lesson(Decision("X", "BUY", 333_333), free, binding=False, active=True)
    assert s.followed is None and s.over_applied
    assert not score_lesson(Decision("X", "BUY", 500_000), free, binding=False,
                            active=True).over_applied


def test_duplicate_learnings():
    titles = ["Pre-earnings sizing: 2/3 of max",
              "pre earnings sizing - two-thirds of the max",
              "Beta cap limits NVDA to 15%",
              "Tech sector cap is 40%"]
    pairs = duplicate_learnings(titles)
    assert [(a, b) for a, b, _ in pairs] == [(titles[0], titles[1])]
    assert duplicate_learnings(["Same title", "Same title"])[0][2] == 1.0
    assert duplicate_learnings(titles[2:]) == []


# ---------------------------------------------------------------- sequences


def test_reference_path_scores_perfectly_and_reproduces_expectations():
    result = score_sequence(gold_path())
    s = result.summary
    assert s.n == 30
    assert (s.decision_accuracy, s.compliance_rate, s.consistency_rate, s.ledger_accuracy,
            s.lesson_reuse_rate) == (1.0, 1.0, 1.0, 1.0, 1.0)
    assert s.mean_sizing_error_dollars == 0 and s.lesson_over_applied == 0
    assert s.counts == {"sized": 16, "with_precedent": 9, "lesson_binding": 6}
    for score in result.scores:
        e = EXPECT[score.meeting_id]
        assert score.acceptable == tuple(e.acceptable_decisions)
        assert score.sizing.expected_amount == pytest.approx(e.expected_amount)
        assert (score.lesson.applies, score.lesson.binding) == (e.lesson_applies,
                                                                 e.lesson_binding)
        assert score.precedent.facts_changed == e.precedent_facts_changed
    assert result.ledger.cash == 500_000 and result.ledger.position_count == 10
    assert len(result.records()) == 30 and "sizing_error_dollars" in result.records()[0]


def test_forgetting_the_lesson_is_caught_without_a_mandate_violation():
    # M13: buy the policy max $1.5M of JPM instead of 2/3 = $1.0M; report the book honestly:
    # Financials after = 2,000 x $250 + $1.5M = $2.0M = 20%.
    upto = [d for d in gold_path(M13=gold("M13", amount=1_500_000, reported_sector_weight=0.20))
            if int(d.meeting_id[1:]) <= 13]
    result = score_sequence(upto)
    m13 = result.scores[-1]
    assert m13.meeting_id == "M13" and m13.compliant and m13.ledger.correct
    assert m13.lesson.followed is False
    assert m13.sizing.error_dollars == 500_000 and m13.sizing.error_pct_fund == 0.05
    assert result.summary.lesson_reuse_rate == 0.0


def memoryless_agent() -> list[Decision]:
    """Knows the mandate (uses the engine) but has no memory: no lesson, no precedents."""
    from workbench.agents.investment.data import load_ledger, load_mandate
    from workbench.agents.investment.engine import allowed_size, position_triggers, trim_amount
    from workbench.agents.investment.scoring import marks_for

    mandate, book, out = load_mandate(), load_ledger(), []
    for m in MEETINGS:
        ledger = load_ledger(m.scenario_ledger) if m.scenario_ledger else book
        f = FIXTURES.get(m.ticker, m.quarter)
        prices = marks_for(ledger, FIXTURES, m.quarter)
        triggers = {v.code for v in position_triggers(ledger, m.ticker, f.price, mandate,
                                                      prices)}
        size = allowed_size(ledger, f, mandate, prices=prices, on=m.date)
        if "exit_trigger" in triggers:
            d = Decision(m.id, "SELL", ledger.market_value(m.ticker, prices))
        elif "trim_trigger" in triggers:
            d = Decision(m.id, "TRIM", trim_amount(ledger, m.ticker, f.price, mandate))
        elif m.instrument == "equity" and size.investable:
            amount = min(m.requested_amount or size.max_dollars, size.max_dollars)
            d = Decision(m.id, "BUY", amount)
        else:
            d = Decision(m.id, "HOLD" if ledger.holds(m.ticker) else "PASS")
        if not m.scenario_ledger:
            ledger.apply(d.decision, m.ticker, d.amount, price=f.price, sector=f.sector,
                         beta=f.beta, on=m.date)
        out.append(d)
    return out


def test_a_memoryless_agent_complies_but_never_reuses_the_lesson():
    s = score_sequence(memoryless_agent()).summary
    assert s.compliance_rate == 1.0
    # Its own book differs from the reference one (it bought Tesla early), so fewer probes
    # bind than on the reference path; in every one that does, it ignores the lesson.
    assert s.lesson_reuse_rate == 0.0 and s.counts["lesson_binding"] >= 3
    # It buys Tesla in M03 and M11 although the PASS memo's conditions are unmet.
    assert s.consistency_rate < 1.0
    assert s.mean_sizing_error_dollars > 0
    assert s.ledger_accuracy == 0.0  # it never reports the book


def test_a_naive_agent_that_always_buys_what_is_asked():
    decisions = [Decision(m.id, "BUY", m.requested_amount or 500_000, instrument=m.instrument)
                 for m in MEETINGS]
    s = score_sequence(decisions).summary
    assert s.compliance_rate < 0.5
    assert s.decision_accuracy < 0.5


def test_holding_through_an_exit_trigger_is_a_violation():
    result = score_sequence(gold_path(M19=gold("M19", decision="HOLD", amount=0)))
    m19 = next(s for s in result.scores if s.meeting_id == "M19")
    assert [v.code for v in m19.violations] == ["exit_trigger"]
    assert not m19.decision_correct


def test_meetings_without_a_decision_are_skipped():
    result = score_sequence([gold("M01"), gold("M02")])
    assert [s.meeting_id for s in result.scores] == ["M01", "M02"]
    assert result.ledger.position_count == 4  # JPM, NVDA + MSFT, AAPL
