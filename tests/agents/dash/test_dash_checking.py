"""The answer checker on hand-written answers."""

from __future__ import annotations

import pytest

from workbench.agents.dash.checking import check_answer, check_caveats, extract_numbers
from workbench.agents.dash.questions import (
    AnswerSpec,
    Caveat,
    Question,
    ValueVariant,
    load_questions,
)

BANK = {q.id: q for q in load_questions()}


def make(answer: AnswerSpec, gold, known_wrong=(), also_accept=(), caveats=()) -> Question:
    return Question(id="T", family="test", variant="cold", of=None, question="?",
                    gotchas=("G2",), gold_sql="SELECT 1", answer=answer, gold=gold,
                    known_wrong=tuple(ValueVariant(f"w{i}", "why", None, v)
                                      for i, v in enumerate(known_wrong)),
                    also_accept=tuple(ValueVariant(f"a{i}", "why", None, v)
                                      for i, v in enumerate(also_accept)),
                    required_caveats=tuple(caveats))


# -- number extraction --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "values"), [
    ("MRR is $228,144.84.", [228144.84]),
    ("about $228.1k", [228100.0]),
    ("1.5 million MB", [1_500_000.0]),
    ("-$14,192.15 and −$80,439.99", [-14192.15, -80439.99]),
    ("churn of 12.4% per month", [12.4]),
    ("data ends 2025-12-31", [2025.0]),
    ("gotcha G21 (3.11/5)", [3.11, 5.0]),
    ("1,234,567", [1234567.0]),
])
def test_extract_numbers(text: str, values: list[float]) -> None:
    assert [n.value for n in extract_numbers(text) if n.raw not in ("one", "five")] == values


def test_percent_flag() -> None:
    assert [n.pct for n in extract_numbers("3.5% of 100")] == [True, False]


# -- numbers, counts and tolerance ---------------------------------------------------------------

def test_number_tolerance_and_trap() -> None:
    q = make(AnswerSpec("number", unit="usd"), 417.85, known_wrong=[356.18])
    assert check_answer(q, "ARPA is $417.85").correct
    assert check_answer(q, "roughly $418").correct  # within 0.5%
    assert not check_answer(q, "about $425").correct
    trapped = check_answer(q, "Average revenue per customer: $356.18")
    assert trapped.trap_hit and not trapped.correct and trapped.traps_mentioned == ("w0",)
    contrast = check_answer(q, "ARPA is $417.85; averaging every row gives $356.18 instead.")
    assert contrast.correct and not contrast.trap_hit and contrast.traps_mentioned == ("w0",)


def test_count_needs_an_exact_integer() -> None:
    q = make(AnswerSpec("count"), 546, known_wrong=[999])
    assert check_answer(q, "We have 546 active subscriptions.").correct
    assert not check_answer(q, "About 546.4 of them").correct
    assert check_answer(q, "All 999 rows are subscriptions").trap_hit


def test_zero_gold_accepts_nothing_phrasing_but_not_a_bare_no() -> None:
    q = make(AnswerSpec("count"), 0, known_wrong=[14])
    assert check_answer(q, "None: starter is the lowest plan.").correct
    assert check_answer(q, "There were no downgrades from starter.").correct
    assert check_answer(q, "0 customers").correct
    assert not check_answer(q, "No, 14 customers did.").correct
    assert check_answer(q, "No, 14 customers did.").trap_hit


def test_pct_unit_accepts_a_fraction() -> None:
    q = make(AnswerSpec("number", unit="pct"), 3.495358)
    assert check_answer(q, "The failure rate is 3.5%.").correct
    assert check_answer(q, "failure rate 0.035").correct
    assert not check_answer(q, "failure rate 35%").correct


def test_rows_of_a_single_value_count_but_long_results_do_not() -> None:
    q = make(AnswerSpec("count"), 546)
    assert check_answer(q, "", rows=[(546,)]).correct
    assert not check_answer(q, "", rows=[(i,) for i in range(1, 1000)]).correct


# -- sets, top, rows, empty, verdict --------------------------------------------------------------

def test_number_set_all_and_partial_traps() -> None:
    q = make(AnswerSpec("number_set", shape="columns", unit="usd"),
             {"plan": 106296.88, "size": 74231.11},
             known_wrong=[{"plan": 106296.88, "size": None}])
    both = check_answer(q, "Enterprise plan: $106,296.88; enterprise-size companies: $74,231.11.")
    assert both.correct and not both.trap_hit
    one = check_answer(q, "Enterprise MRR is $106,296.88.")
    assert not one.correct and one.trap_hit


def test_number_set_trap_recognised_by_a_differing_figure_and_rows() -> None:
    q = make(AnswerSpec("number_set", unit="usd", ignore_sign=True),
             {"expansion": 23725.74, "contraction": 14192.15},
             known_wrong=[{"expansion": 23725.74, "contraction": 94632.14}])
    assert check_answer(q, "Expansion +$23,725.74, contraction −$14,192.15").correct
    bad = check_answer(q, "Expansion $23,725.74; contraction -$94,632.14")
    assert bad.trap_hit and not bad.correct
    assert check_answer(q, "", rows=[("expansion", 23725.74), ("contraction", -14192.15)]).correct


def test_top_needs_label_and_value() -> None:
    q = make(AnswerSpec("top", unit="usd"), {"label": "paid", "value": 71490.43},
             known_wrong=[{"label": "paid", "value": 101643.6}])
    assert check_answer(q, "Paid acquisition leads with $71,490.43 of MRR.").correct
    assert not check_answer(q, "Paid acquisition leads.").correct
    assert not check_answer(q, "Referral leads with $71,490.43.").correct
    assert check_answer(q, "Paid brings $101,643.60").trap_hit
    assert check_answer(q, "", rows=[("paid", 71490.43), ("organic", 5.0)]).correct


def test_rows_complete_list_and_truncation() -> None:
    names = [f"Company {c}" for c in "ABCDEFGHIJKLMNOP"]
    q = make(AnswerSpec("rows", key="company_name"), names, known_wrong=[names[:10]])
    assert check_answer(q, ", ".join(names)).correct
    cut = check_answer(q, ", ".join(names[3:13]))  # any ten of them: a truncated list
    assert not cut.correct and cut.trap_hit
    assert check_answer(q, "", rows=[(n,) for n in names], columns=["company_name"]).correct
    extra = [(n,) for n in names] + [("Company Z",)]
    assert not check_answer(q, "", rows=extra, columns=["company_name"]).correct
    # word boundaries: "Company A" must not be found inside "Company AB"
    assert not check_answer(make(AnswerSpec("rows", key="k"), ["Company A"]),
                            "Company AB").correct


def test_empty_answers() -> None:
    q = make(AnswerSpec("empty"), 0, known_wrong=[14.0])
    assert check_answer(q, "No customers signed up last week; the data ends 2025-12-31.").correct
    assert check_answer(q, "", rows=[]).correct
    trapped = check_answer(q, "14 customers signed up last week.")
    assert trapped.trap_hit and not trapped.correct


def test_verdict() -> None:
    q = BANK["D18"]
    good = check_answer(q, "No meaningful difference: critical takes 3.46 days vs 3.09-3.94 "
                           "for the rest; timestamps are all midnight, so whole days only.")
    assert good.correct and not good.trap_hit and good.all_caveats_hit
    bad = check_answer(q, "Yes, critical tickets are resolved faster than the rest.")
    assert not bad.correct and bad.trap_hit


# -- caveats and alternates ---------------------------------------------------------------------

def test_caveats_are_reported_per_id() -> None:
    q = make(AnswerSpec("number"), 1.0, caveats=[Caveat("end", (r"2025-12-31",)),
                                                   Caveat("trial", (r"\btrial",))])
    assert check_caveats(q, "As of 2025-12-31 the value is 1.") == {"end": True, "trial": False}
    assert not check_answer(q, "1").all_caveats_hit


def test_alternates_are_reported_without_changing_correct() -> None:
    q = BANK["D02"]
    excl = next(v for v in q.also_accept if v.id == "excluding_trials").value
    result = check_answer(q, f"MRR excluding trial accounts is ${excl:,.2f}.")
    assert not result.correct and result.alternates_matched == ("excluding_trials",)
    assert result.caveats_hit == {"trials_in_mrr": True}


# -- the real bank on realistic answers -----------------------------------------------------------

def test_bank_answers_in_prose() -> None:
    d05 = BANK["D05"]
    assert check_answer(d05, f"ARPA is ${d05.gold:,.2f} per month.").correct
    d10 = BANK["D10"]
    r = check_answer(d10, "Nobody signed up last week. Note the data only runs through "
                          "December 2025, so there is nothing after 2025-12-31.")
    assert r.correct and r.all_caveats_hit
    d13 = BANK["D13"]
    r = check_answer(d13, f"Refunds total ${d13.gold:,.2f}; paid_at is NULL on every refunded "
                          "invoice, so we don't know when they were paid.")
    assert r.correct and r.all_caveats_hit
    d04 = BANK["D04"]
    trapped = check_answer(d04, "There were no canceled subscriptions in 2025.")
    assert trapped.trap_hit and trapped.traps_mentioned == ("american_spelling",)
