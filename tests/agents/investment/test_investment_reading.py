"""Plain reading of requests, learnings and decision-log entries by the offline policy."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from workbench.agents.investment import load_meetings
from workbench.agents.investment._reading import (
    decision_entries,
    fraction_in,
    learning_entries,
    money,
    read_request,
    sizing_rule,
    stated_rule,
)

MEETINGS = {m.id: m for m in load_meetings()}


def test_money_reads_the_usual_spellings():
    assert money("buy $1,500,000 or $2 million or $750k, at $142.50") == [
        1_500_000, 2_000_000, 750_000, 142.5]


@pytest.mark.parametrize(("meeting_id", "buy", "amount", "instrument", "hypothetical"), [
    ("M01", True, 1_500_000, "equity", False),
    ("M03", True, 5_000_000, "equity", False),   # "put $5,000,000 into" is not a put option
    ("M04", True, 1_000_000, "equity", False),   # the $3 share price is not the amount
    ("M12", True, 300_000, "equity", True),
    ("M13", True, None, "equity", False),        # as much as the mandate allows
    ("M17", True, 500_000, "equity", False),
    ("M19", False, None, "equity", False),
    ("M22", True, 1_000_000, "option", False),
    ("M27", False, None, "equity", True),
])
def test_read_request(meeting_id, buy, amount, instrument, hypothetical):
    req = read_request(MEETINGS[meeting_id].request)
    assert (req.buy, req.amount, req.instrument, req.hypothetical) == (buy, amount, instrument,
                                                                       hypothetical)


def test_pointers_to_the_past_and_the_year_opening():
    assert read_request(MEETINGS["M11"].request).refers_to_past
    assert not read_request(MEETINGS["M03"].request).refers_to_past
    assert read_request(MEETINGS["M01"].request).opens_year
    assert read_request(MEETINGS["M12"].request).scenario == "scenarios/fifteen_positions.json"


def test_only_the_lesson_meeting_states_a_rule():
    rules = {m.id: stated_rule(m.request) for m in MEETINGS.values()}
    assert [k for k, v in rules.items() if v] == ["M08"]
    assert "two-thirds" in rules["M08"] and "30 days" in rules["M08"]
    assert stated_rule("When in doubt, buy at most $1M.") is None  # no "keep it" marker


@pytest.mark.parametrize(("text", "fraction", "window"), [
    ("Rule: from now on, cap purchases at two-thirds of the allowed size within 30 days "
     "before earnings.", Fraction(2, 3), 30),
    ("Before earnings (21 days) buy at most 1/2 of the maximum.", Fraction(1, 2), 21),
    ("If the company reports within 10 days, size at 60% of the allowed amount.",
     Fraction(3, 5), 10),
])
def test_sizing_rules_are_read_from_general_language(text, fraction, window):
    rule = sizing_rule(text)
    assert rule is not None and (rule.fraction, rule.window_days) == (fraction, window)


def test_text_without_a_rule_is_not_a_rule():
    assert sizing_rule("Tesla auto margin crossed 20% in Q3.") is None
    assert sizing_rule("Earnings season is busy.") is None
    assert fraction_in("about a third of the fund") is None


def test_learning_and_decision_entries_split_recall_blocks():
    block = ("[lrn_1] Pre-earnings sizing\n   Rule: two-thirds within 30 days of earnings\n"
             "[lrn_2] Other\n   something")
    assert [i for i, _ in learning_entries(block)] == ["lrn_1", "lrn_2"]
    log = ("[dec_a1] BUY MSFT $1,500,000 at $400.00 on 2026-02-16\n  reasoning: x\n"
           "  logged: 2026-02-16\n[dec_b2] PASS META $0 at $625.00 on 2026-05-26 "
           "(hypothetical book, not executed)\n  outcome (good): fell\n  logged: 2026-05-26")
    first, second = decision_entries(log)
    assert (first.id, first.action, first.ticker, first.price, first.logged,
            first.has_outcome) == ("dec_a1", "BUY", "MSFT", 400.0, date(2026, 2, 16), False)
    assert second.has_outcome and second.hypothetical
