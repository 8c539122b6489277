"""Probe, profile and session-goal scoring on hand-written answers."""

from __future__ import annotations

import math

import pytest

from workbench.agents.contacts.answers import asserted_clauses
from workbench.agents.contacts.data import Probe, load_probes, load_world
from workbench.agents.contacts.scoring import (
    goal_plan_accuracy,
    nothing_known,
    profile_accuracy,
    score_probe,
    score_probes,
)


def make_probe(category: str, must=(), must_not=(), any_of=()) -> Probe:
    return Probe("t01", category, "?", "", tuple(must), tuple(must_not), tuple(any_of), (), 0)


WHERE_MARCO = make_probe("current_vs_previous", must=["Northwind"], must_not=["Brightwater"])
ATLAS_STATUS = make_probe("current_vs_previous", must=[["launched", "live"]],
                          must_not=["blocked"])
UNKNOWN_CO = make_probe("absence", must_not=["founded", "headquartered", "Series"])
UNKNOWN_SARAH = make_probe("absence", must_not=["Acme", "Quillfeather", "designer"])
ACME_TEAM = make_probe("traversal", must=[["Sarah Chen"], ["David Osei", "David"],
                                          ["Helen Park", "Helen"]], must_not=["Robert Kim"])


@pytest.mark.parametrize(("probe", "answer", "correct"), [
    (WHERE_MARCO, "Marco works at Northwind Analytics now.", True),
    (WHERE_MARCO, "Northwind. He was at Brightwater before that.", True),
    (WHERE_MARCO, "Marco left Brightwater for Northwind in April.", True),
    (WHERE_MARCO, "He's at Northwind (no longer with Brightwater).", True),
    (WHERE_MARCO, "Marco works at Brightwater Health.", False),
    (WHERE_MARCO, "Marco works at Brightwater Health and Northwind.", False),
    (WHERE_MARCO, "I'm not sure.", False),
    (ATLAS_STATUS, "Atlas is live since April 8th.", True),
    (ATLAS_STATUS, "Atlas launched after being blocked on legal review.", True),
    (ATLAS_STATUS, "Atlas is blocked on legal review.", False),
    (ACME_TEAM, "- Sarah Chen, VP Engineering\n- David Osei, CEO\n- Helen Park, VP Product", True),
    (ACME_TEAM, "Sarah Chen and David Osei.", False),
    (ACME_TEAM, "Sarah Chen, David, Helen, and Robert Kim.", False),
])
def test_probe_answers(probe, answer, correct):
    assert score_probe(probe, answer).correct is correct


@pytest.mark.parametrize(("probe", "answer", "correct", "hallucinated"), [
    (UNKNOWN_CO, "I don't have anything on Zephyr Dynamics.", True, False),
    (UNKNOWN_CO, "Zephyr Dynamics hasn't come up in our conversations.", True, False),
    (UNKNOWN_CO, "No information about that company is recorded.", True, False),
    (UNKNOWN_CO, "Zephyr Dynamics is a Series A robotics firm.", False, True),
    (UNKNOWN_CO, "I don't know Zephyr Dynamics, which was founded in 2019.", False, True),
    (UNKNOWN_SARAH, "I don't know a Sarah Lindqvist. Did you mean Sarah Chen at Acme or "
                    "Sarah Okonkwo, the designer at Quillfeather?", True, False),
    (UNKNOWN_SARAH, "Sarah Lindqvist is a designer at Quillfeather.", False, True),
    (UNKNOWN_SARAH, "", False, False),
])
def test_absence_answers(probe, answer, correct, hallucinated):
    score = score_probe(probe, answer)
    assert (score.correct, score.hallucinated) == (correct, hallucinated)


def test_hallucination_only_on_absence_probes():
    score = score_probe(WHERE_MARCO, "Marco runs a bakery in Porto.")
    assert not score.correct and not score.hallucinated
    assert score.missing == ["Northwind"]


def test_digits_dates_and_plurals_in_answers():
    phone = make_probe("single_fact", must=["+31 6 5550 1147"])
    assert score_probe(phone, "Bob's mobile: +31655501147").correct
    assert not score_probe(phone, "Bob's mobile: +31 6 5550 1148").correct
    when = make_probe("event_date", must=[["2026-01-20", "January 20", "20 January"]])
    assert score_probe(when, "On January 20th, 2026.").correct
    assert score_probe(when, "It was 20 January.").correct
    assert not score_probe(when, "On January 2nd.").correct
    names = make_probe("traversal", must=[["Ana"]])
    assert not score_probe(names, "Northwind Analytics").correct   # "Ana" is not "Analytics"


def test_symbol_needles_are_matched_verbatim():
    no_email = make_probe("absence", must_not=["@"])
    assert score_probe(no_email, "I don't have an email address for Robert Kim.").correct
    assert score_probe(no_email, "I don't have it; try robert@northwind.example").hallucinated


@pytest.mark.parametrize(("answer", "expected"), [
    ("I don't know anything about them.", True),
    ("There's no record of a Project Nightjar.", True),
    ("Nothing is known about Tessellate AI.", True),
    ("You've never mentioned Acme Logistics.", True),
    ("No CTO at Acme has been mentioned.", True),
    ("I'm not aware of that person.", True),
    ("Acme Logistics is a freight company in Austin.", False),
    ("Sarah Chen is Acme's VP of Engineering.", False),
])
def test_nothing_known(answer, expected):
    assert nothing_known(answer) is expected


def test_asserted_clauses_drop_questions_negations_and_past():
    text = "Marco works at Northwind. He was at Brightwater. Did you mean Marco Rossi?"
    assert [c.strip() for c in asserted_clauses(text)] == ["marco works at northwind."]
    assert len(asserted_clauses(text, allow_past=True)) == 2


def test_score_probes_summary():
    probes = load_probes()
    perfect = score_probes(probes, {p.id: p.answer for p in probes})
    assert perfect["qa_accuracy"] == 1.0 and perfect["hallucination_rate"] == 0.0
    silent = score_probes(probes, {})
    assert silent["qa_accuracy"] == 0.0 and silent["hallucination_rate"] == 0.0
    assert silent["qa_n"] == len(probes)


# --------------------------------------------------------------------------- profile


def test_profile_accuracy():
    world = load_world()
    learned = {"Full name": "Leila Haddad", "job": "Angel investor",
               "notes": ["prefers short bullet-point replies"], "time_zone": "UTC"}
    s = profile_accuracy(learned, world)
    # name, role, communication style right; timezone wrong; location never learned -> 3/5
    assert (s.n, s.accuracy) == (5, 0.6)
    assert sorted(s.missing) == ["location", "timezone"]
    first_turn = profile_accuracy(learned, world, upto_turn=1)
    assert (first_turn.n, first_turn.accuracy) == (2, 1.0)
    assert math.isnan(profile_accuracy({}, world, upto_turn=0).accuracy)


# --------------------------------------------------------------------------- goals


def test_goal_plan_accuracy():
    world = load_world()
    learned = {
        1: "Goal: prepare for coffee with Sarah Chen on Thursday. Plan: read Acme news.",
        "5": "Finish the Lighthouse invite list: confirm Tom as co-host; pick 8 founders; "
             "send invitations by Friday.",
        7: "Quarterly update for co-investors.",
    }
    s = goal_plan_accuracy(learned, world)
    # Goals: sessions 1, 5, 7 right; 3 and 9 missing -> 3/5.
    # Steps: session 1 has 1 of 2, session 5 has 3 of 3, others 0 -> 4/13.
    assert (s.n_goals, s.n_steps) == (5, 13)
    assert s.goal_accuracy == pytest.approx(0.6)
    assert s.plan_step_accuracy == pytest.approx(4 / 13)
    assert math.isnan(goal_plan_accuracy(learned, world, upto_turn=1).goal_accuracy)
