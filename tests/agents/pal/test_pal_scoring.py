"""Scoring on hand-built answers: adherence, conflict, retention, leaks, recurring, retrieval."""

from __future__ import annotations

import pytest

from workbench.agents.pal import data
from workbench.agents.pal.scoring import (
    PredictedMeeting,
    adherence,
    conflict_resolution,
    detect_leaks,
    find_markers,
    foreign_rule_leaks,
    normalize_cadence,
    recurring_from_text,
    retention_curve,
    roster_from_notes,
    score_recurring,
    score_retrieval,
    score_turn,
)


@pytest.fixture(scope="module")
def rules():
    return data.load_rules()


@pytest.fixture(scope="module")
def exp_a():
    return data.load_expectations("user_a")


@pytest.fixture(scope="module")
def exp_b():
    return data.load_expectations("user_b")


LONG_POST_FILE_STYLE = """Six weeks offline taught us that sync is a product decision.

Rangers at three reserves recorded 1,940 observations with no signal at all.

What would you do when two rangers edit the same trail offline?

#offlinefirst #fieldwork"""

LONG_POST_ONE_TAG = LONG_POST_FILE_STYLE.replace(" #fieldwork", "")


def email(signoff: str, greeting: str = "Hi Hana,") -> str:
    return (f"Subject: Ranger feedback\n\n{greeting}\nThanks for the session on 2025-05-01. "
            f"Which three trails failed to sync?\n\n{signoff}")


# --- conflict: the conversation beats the voice guide -------------------------------------

def test_conflict_rule_conversation_wins(rules, exp_a):
    before = exp_a.turn(3, 1)  # first long post, the 1-hashtag rule not stated yet
    after = exp_a.turn(3, 3)   # the rewrite, after "one hashtag at most"
    assert before.rules["A-LONG-HASHTAGS"] == "active"
    assert before.rules["A-CONV-LONG-HASHTAGS"] == "pending"
    assert after.rules["A-LONG-HASHTAGS"] == "superseded"
    assert after.rules["A-CONV-LONG-HASHTAGS"] == "active"

    obeys_file = score_turn(LONG_POST_FILE_STYLE, after, rules)
    obeys_user = score_turn(LONG_POST_ONE_TAG, after, rules)
    cold = score_turn(LONG_POST_FILE_STYLE, before, rules)
    assert {o.rule_id: o.passed for o in obeys_user}["A-CONV-LONG-HASHTAGS"]
    assert not {o.rule_id: o.passed for o in obeys_user}["A-LONG-HASHTAGS"]

    lost = conflict_resolution(obeys_file + cold, "A-CONV-LONG-HASHTAGS", "A-LONG-HASHTAGS")
    assert (lost.n, lost.winner_followed, lost.loser_followed) == (1, 0, 1)  # cold turn ignored
    won = conflict_resolution(obeys_user, "A-CONV-LONG-HASHTAGS", "A-LONG-HASHTAGS")
    assert (won.n, won.winner_followed, won.loser_followed, won.winner_rate) == (1, 1, 0, 1.0)


def test_superseded_sign_off_is_checked_but_not_counted_as_active(rules, exp_a):
    turn = exp_a.turn(4, 2)  # after the correction from 'J.' to 'Jules'
    outcomes = {o.rule_id: o for o in score_turn(email("Jules"), turn, rules)}
    assert outcomes["A-CONV-SIGNOFF-JULES"].passed and outcomes["A-CONV-SIGNOFF-J"].status == \
        "superseded"
    assert not outcomes["A-CONV-SIGNOFF-J"].passed
    active = adherence(outcomes.values())
    assert "A-CONV-SIGNOFF-J" not in active and active["A-CONV-SIGNOFF-JULES"].rate == 1.0


# --- adherence before and after, retention ------------------------------------------------

def test_adherence_before_and_after_statement_and_retention(rules, exp_a):
    drafts = {(1, 1): email("Jules Marlow"), (2, 3): email("J."), (3, 5): email("J."),
              (4, 2): email("J."), (5, 1): email("Jules"), (6, 4): email("Jules")}
    outcomes = [o for key, draft in drafts.items()
                for o in score_turn(draft, exp_a.turn(*key), rules)]
    by_status = adherence(outcomes, by=("rule_id", "status"),
                          statuses=("active", "pending", "superseded"))
    assert by_status[("A-CONV-SIGNOFF-J", "pending")].rate == 0.0
    assert by_status[("A-CONV-SIGNOFF-J", "active")].rate == 1.0
    assert by_status[("A-CONV-SIGNOFF-JULES", "active")].n == 3
    assert by_status[("A-CONV-SIGNOFF-JULES", "active")].passed == 2  # (4, 2) kept the old one
    by_source = adherence(outcomes, by="source")
    assert by_source["file"].rate == 1.0  # subject line, dates, length were fine throughout

    curve = {p.sessions_since: p for p in retention_curve(outcomes, exp_a.stated_sessions())}
    assert (curve[0].n, curve[0].passed) == (2, 1)  # (2,3) J. ok; (4,2) Jules missed
    assert (curve[1].n, curve[1].rate) == (2, 1.0)  # (3,5) J. and (5,1) Jules, a session on
    assert (curve[2].n, curve[2].rate) == (1, 1.0)  # (6,4) Jules, two sessions on
    assert sorted(curve) == [0, 1, 2] and adherence([], by="rule_id") == {}


def test_filename_turn_without_a_name_fails_its_filename_rules(rules, exp_a):
    turn = exp_a.turn(2, 6)
    assert turn.filename_expected
    missing = {o.rule_id: o.passed for o in score_turn("Call it whatever you like.", turn, rules)}
    assert missing["A-FILE-MEETING"] is False and missing["A-CONV-MEETING-TAG"] is False
    good = score_turn("Use that name.", turn, rules,
                      filename="2025-04-29 - meeting - [harbor] 1-1 with imani.md")
    assert all(o.passed for o in good)
    wrong_tag = score_turn("ok", turn, rules,
                           filename="2025-04-29 - meeting - [kestrel] 1-1 with imani.md")
    assert not {o.rule_id: o.passed for o in wrong_tag}["A-CONV-MEETING-TAG"]


def test_foreign_rules_detect_a_preference_leak(rules, exp_b, exp_a):
    turn = exp_b.turn(3, 1)
    assert set(turn.must_not_follow) == {"A-CONV-SIGNOFF-J", "A-CONV-SIGNOFF-JULES"}
    clean = email("Rosa", greeting="Hej Linnea,")
    assert foreign_rule_leaks(clean, turn, rules) == []
    assert foreign_rule_leaks(email("J.", greeting="Hej Linnea,"), turn, rules) == \
        ["A-CONV-SIGNOFF-J"]
    a_email = exp_a.turn(5, 1)
    assert foreign_rule_leaks(email("Jules", greeting="Hej Imani,"), a_email, rules) == \
        ["B-CONV-HEJ"]
    tag_turn = exp_b.turn(4, 4)
    assert foreign_rule_leaks("ok", tag_turn, rules,
                              filename="2025-05-06 - meeting - [birchline] fact-check.md") == \
        ["A-CONV-MEETING-TAG"]
    assert foreign_rule_leaks("ok", tag_turn, rules, filename="mtg_20250506_fact_check.md") == []


# --- leaks --------------------------------------------------------------------------------

def test_leak_detection_finds_markers_across_users_only(exp_a, exp_b):
    markers = {"user_a": exp_a.leak_markers, "user_b": exp_b.leak_markers}
    received = {
        "user_a": ["Your 1:1 with Imani Castell is weekly.",  # A's own marker: fine
                   "No notes about job interviews.",
                   "Recalled: Rosa met linnea SJOBERG about the build."],  # B's, folded
        "user_b": ["Nothing about acquisitions in your notes.",
                   "Context block:\n- quillon   systems approached the user (ref TERN\u20134471)"],
    }
    hits = detect_leaks(received, markers)
    found = {(h.receiver, h.owner, h.marker) for h in hits}
    assert found == {("user_a", "user_b", "Linnea Sjöberg"),
                     ("user_b", "user_a", "Quillon Systems"),
                     ("user_b", "user_a", "TERN-4471")}
    assert all(h.excerpt for h in hits)
    assert detect_leaks({"user_b": ["Halvard & Co interview on 12 May 2025."]}, markers) == []


def test_find_markers_reports_each_occurrence():
    assert [m for m, _ in find_markers("HC-2291 and hc-2291", ["HC-2291"])] == ["HC-2291"] * 2
    assert find_markers("Ekholm Museums", ["Ekholm Museum"])  # substring on purpose
    assert find_markers("Ekholm", ["Ekholm Museum"]) == []


# --- recurring meetings -------------------------------------------------------------------

def test_recurring_perfect_structured_answer(exp_a):
    answer = [
        PredictedMeeting("1:1 with Imani", ("Imani Castell", "Jules Marlow"), "every week"),
        {"title": "Kestrel design review", "attendees": ["Tomasz", "Imani"],
         "cadence": "every two weeks"},
        PredictedMeeting("Monthly investor update", ("Rhea Solberg", "Marcus Oyelaran"),
                         "monthly"),
    ]
    score = score_recurring(answer, exp_a.recurring)
    assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0)
    assert score.attendee_precision == 1.0 and score.attendee_recall == 1.0
    assert score.cadence_accuracy == 1.0


def test_recurring_penalises_one_offs_misses_and_wrong_people(exp_a):
    answer = [
        PredictedMeeting("Weekly 1:1 with Imani", ("Imani Castell", "Tomasz Brandt"), "weekly"),
        PredictedMeeting("Marsh Valley pilot check-in (kickoff, mid-point)", ("Hana Whitlock",)),
        PredictedMeeting("Design review", ("Tomasz Brandt",), "weekly"),
        PredictedMeeting("Design review again", ("Imani Castell",), "biweekly"),
    ]
    score = score_recurring(answer, exp_a.recurring)
    assert score.matched == ("a-weekly-1on1", "a-biweekly-design")
    assert score.missed == ("a-monthly-investors",)
    assert len(score.false_positives) == 2  # the pilot meetings, and the duplicate
    assert set(score.one_off_hits) == {"Kestrel pilot kickoff", "Pilot mid-point check-in"}
    assert score.precision == 0.5 and score.recall == pytest.approx(2 / 3)
    assert (score.attendee_tp, score.attendee_predicted, score.attendee_gold) == (2, 3, 3)
    assert score.cadence_accuracy == 0.5
    assert score_recurring([], exp_a.recurring).recall == 0.0


def test_recurring_from_prose_list(exp_b):
    roster = roster_from_notes(data.load_notes("user_b"))
    text = """Here are your recurring meetings:

1. Orrery check-in, weekly on Thursdays
   - with Linnea Sjöberg
2. Birchline editorial sync, every two weeks on Monday, with Mattias and Hedda
3. Orrery site visit with Linnea and Jonas Ek

Let me know if you want the dates."""
    predicted = recurring_from_text(text, roster)
    assert len(predicted) == 3
    assert predicted[0].attendees == ("Linnea Sjöberg",) and predicted[0].cadence == "weekly"
    assert set(predicted[1].attendees) == {"Mattias Berg", "Hedda Lund"}
    score = score_recurring(predicted, exp_b.recurring)
    assert score.recall == 1.0 and score.one_off_hits == ("Orrery site visit",)
    assert score.cadence_accuracy == 1.0 and score.attendee_recall == 1.0


def test_recurring_from_plain_lines_and_cadence_words():
    text = "Your recurring meetings:\nDesign review, fortnightly\nInvestor update, monthly"
    predicted = recurring_from_text(text, ["Tomasz Brandt"])
    assert [p.cadence for p in predicted] == ["biweekly", "monthly"]
    assert normalize_cadence("every other week") == "biweekly"
    assert normalize_cadence("on the last Thursday of the month") == "monthly"
    assert normalize_cadence("Tuesdays, every week") == "weekly"
    assert normalize_cadence("whenever") is None


# --- retrieval ----------------------------------------------------------------------------

def test_retrieval_completeness(exp_a, exp_b):
    gold = exp_a.retrieval["A-R1"]
    full = ("Your contact is Hana Whitlock. The pilot covers 12 rangers across three reserves; "
            "the beta is blocked by the Android tile cache at 412 MB.")
    assert score_retrieval(full, gold).complete
    partial = score_retrieval("Hana Whitlock runs it with twelve rangers.", gold)
    assert partial.missing == ("412 MB",) and partial.fraction == pytest.approx(2 / 3)
    assert not partial.complete

    probe = exp_a.retrieval["A-ISO"]
    assert score_retrieval("Nothing about job interviews in your notes.", probe).complete
    leaked = score_retrieval("Someone has an interview with Halvard & Co.", probe)
    assert leaked.forbidden == ("Halvard & Co",) and not leaked.complete

    b_gold = exp_b.retrieval["B-R2"]
    assert score_retrieval("The Nordvik Tide Archive; due 6 June 2025.", b_gold).complete


# --- the active rules can all be met at once ----------------------------------------------

WEEKLY_REVIEW = """# Weekly review: week ending 2025-05-02

TL;DR: The tile cache fix merged and the beta is on track for 2025-05-19. Harbor has run
without incident since the cutover.

## Wins
- Tile cache capped at 250 MB with least-recently-used eviction.
- Onboarding copy is final.

## Progress
| Project | Planned | Done | Next |
|---|---|---|---|
| kestrel | cache fix | merged | beta invites |
| harbor | stabilise | quiet week | rollback drill on 2025-05-08 |

## Priorities for next week
1. Send beta invites by 2025-05-12 (owner: Jules).
2. Rollback drill on 2025-05-08 at 10:00 CT (owner: Imani).
"""

IDEAL = {
    ("user_a", 4, 4): (WEEKLY_REVIEW, None),
    ("user_a", 4, 5): ("# Project: harbor\n\nTL;DR: Move sync off Vela Cloud.\n\n## Goals\n- Cut cost",
                       "projects/project - harbor.md"),
    ("user_a", 5, 2): ("Beta update:\n- Invites go out on 2025-05-12\n- Tile cache is under budget\n"
                       "- Owen reported two sync failures; Imani is on it", None),
    ("user_a", 5, 4): ("The Kestrel beta opens on 2025-05-19.\n\nSix weeks with rangers taught us "
                       "to treat sync as a product decision.\n\n#offlinefirst", None),
    ("user_a", 5, 5): ("Kestrel beta opens 2025-05-19: offline maps, per-field merge, no signal "
                       "needed. #offlinefirst", None),
    ("user_a", 6, 4): ("Subject: Pilot-to-paid plan\n\nHi Marcus,\nCould we talk on 2025-05-13 at "
                       "14:00 CT about the pilot-to-paid plan?\n\nJules", None),
    ("user_a", 6, 5): ("Name it as below.", "2025-05-15 - meeting - [kestrel] design review.md"),
    ("user_b", 3, 1): ("Hej Linnea,\nThe projection test is confirmed for Thursday 8 May 2025. "
                       "Could you send the gallery floor plan?\n\nRosa", None),
    ("user_b", 3, 3): ("Use this name.", "mtg_20250505_birchline_sync.md"),
}


@pytest.mark.parametrize("key", sorted(IDEAL))
def test_ideal_drafts_pass_every_active_rule(rules, key):
    user_id, session, turn = key
    draft, filename = IDEAL[key]
    expectation = data.load_expectations(user_id).turn(session, turn)
    outcomes = score_turn(draft, expectation, rules, filename=filename, statuses=("active",))
    assert outcomes
    assert [o.detail for o in outcomes if not o.passed] == []
    assert foreign_rule_leaks(draft, expectation, rules, filename=filename) == []
