"""The offline chair's arithmetic and judgement, against hand-computed cases."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from workbench.agents.investment._committee import Precedent, apply_rules, decide
from workbench.agents.investment._reading import SizingRule, read_request
from workbench.agents.investment._writing import lesson_learning, outcome_of

TWO_THIRDS = SizingRule(Fraction(2, 3), 30, "lrn_1")
TODAY = date(2026, 6, 22)


def data(days: int | None = 22, **extra):
    return {"ticker": "JPM", "name": "JPMorgan Chase & Co.", "sector": "Financials",
            "price": 250.0, "beta": 1.1, "days_to_earnings": days,
            "next_earnings_date": "2026-07-14", **extra}


def check(allowed=1_500_000.0, held=False, triggers=(), **extra):
    holding = {"held": held, "triggers": list(triggers), "value_usd": 500_000.0,
               "trim_to_target_usd": 120_000.0} if held else {"held": False}
    return {"eligible": True, "ineligible_reasons": [], "allowed_max_usd": allowed,
            "investable": allowed >= 200_000, "binding_constraint": "sector_cap",
            "minimum_position_usd": 200_000.0, "holding": holding, **extra}


def test_the_rule_cuts_to_two_thirds_rounded_down_inside_the_window_only():
    assert apply_rules([TWO_THIRDS], data(22), 1_500_000, 200_000)[:2][0] == 1_000_000
    assert apply_rules([TWO_THIRDS], data(0), 537_500, 200_000)[0] == 358_333  # floor
    assert apply_rules([TWO_THIRDS], data(30), 900_000, 200_000)[0] == 600_000  # inclusive
    size, note, applied = apply_rules([TWO_THIRDS], data(31), 900_000, 200_000)
    assert (size, applied) == (900_000, False) and "not applicable" in note
    size, note, applied = apply_rules([TWO_THIRDS], data(29), 223_167, 200_000)
    assert (size, applied) == (0.0, True) and "below the $200,000 minimum" in note
    assert apply_rules([], data(22), 1_500_000, 200_000) == (1_500_000, "none recalled", False)
    stricter = SizingRule(Fraction(1, 2), 10, "lrn_2")
    assert apply_rules([TWO_THIRDS, stricter], data(5), 1_000_000, 200_000)[0] == 500_000


def test_the_chair_buys_what_the_engine_and_the_rule_allow():
    req = read_request("Add to JPMorgan, as much as the mandate allows.")
    cold = decide(req, data(), check(), None, [], TODAY)
    warm = decide(req, data(), check(), None, [TWO_THIRDS], TODAY)
    assert (cold.decision, cold.amount, cold.rule_applied) == ("BUY", 1_500_000, False)
    assert (warm.decision, warm.amount, warm.rule_applied) == ("BUY", 1_000_000, True)
    asked = decide(read_request("Buy $400,000 of JPMorgan."), data(), check(), None, [], TODAY)
    assert asked.amount == 400_000  # under the maximum: as requested
    none = decide(req, data(), check(allowed=0.0), None, [], TODAY)
    assert (none.decision, none.amount) == ("PASS", 0.0)


def test_triggers_and_prohibited_instruments_override_the_request():
    req = read_request("Add $300,000 to our JPMorgan position.")
    sold = decide(req, data(), check(held=True, triggers=["exit_trigger: -26%"]), None, [],
                  TODAY)
    assert (sold.decision, sold.amount) == ("SELL", 500_000)
    trimmed = decide(req, data(), check(held=True, triggers=["trim_trigger: 36%"]), None, [],
                     TODAY)
    assert (trimmed.decision, trimmed.amount) == ("TRIM", 120_000)
    options = decide(read_request("Buy $300,000 of JPMorgan call options."), data(),
                     check(held=True), None, [], TODAY)
    assert options.decision == "HOLD" and "prohibited" in options.reason


def test_a_judgement_pass_binds_until_a_condition_is_met_a_limit_pass_does_not():
    req = read_request("Buy Tesla, $1,000,000.")
    memo = {"filename": "tsla_2025_q4_pass.md", "date": "2025-11-20", "decision": "PASS",
            "conditions": [{"id": "tsla_auto_margin_above_20", "description": "..."}]}
    unmet = Precedent([memo], {"met": []})
    met = Precedent([memo], {"met": ["tsla_auto_margin_above_20"]})
    assert decide(req, data(None), check(), unmet, [], TODAY).decision == "PASS"
    changed = decide(req, data(None), check(), met, [], TODAY)
    assert changed.decision == "BUY" and "tsla_auto_margin_above_20" in changed.reason
    limit_pass = Precedent([{**memo, "conditions": []}], None)
    assert decide(req, data(None), check(), limit_pass, [], TODAY).decision == "BUY"


def test_the_saved_lesson_and_outcomes_read_as_intended():
    rule = ("When a company is due to report earnings within the next 30 days, any purchase of "
            "it gets no more than two-thirds of the size the mandate would otherwise allow.")
    saved = lesson_learning(rule, date(2026, 2, 26))
    assert saved["title"].startswith("Pre-earnings sizing: at most two-thirds")
    assert saved["learning"].startswith("Rule: from now on, always cap any purchase")
    assert "two-thirds (2/3)" in saved["learning"] and "30 days" in saved["learning"]
    generic = lesson_learning("Whenever two memos disagree, cite both.", date(2026, 3, 1))
    assert generic["title"].startswith("Committee rule:")
    assert outcome_of("BUY", 150.0, 111.0)[1] == "bad"
    assert outcome_of("PASS", 230.0, 300.0)[1] == "bad"
    assert outcome_of("HOLD", 160.0, 142.0)[1] == "good"
