"""Relative and absolute dates resolve against the session date, placed by tense."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.agents.contacts._dates import find_dates, month_window, parse_today, tense

MONDAY = date(2026, 3, 16)


@pytest.mark.parametrize(("text", "iso"), [
    ("Last Thursday I went to their offsite.", "2026-03-12"),
    ("Let's have coffee on Thursday.", "2026-03-19"),
    ("I had lunch with her on Friday.", "2026-03-13"),
    ("They announced a Series B on January 20th.", "2026-01-20"),
    ("The round closed on 18 November last year.", "2025-11-18"),
    ("We've pencilled in May 6th for the first meetup.", "2026-05-06"),
    ("It went live on 2026-02-03.", "2026-02-03"),
    ("She joined last month.", "2026-02"),
    ("I met him yesterday.", "2026-03-15"),
])
def test_dates_resolve_against_the_session_date(text, iso):
    assert find_dates(text, MONDAY)[0].iso == iso


def test_deadlines_are_marked_and_tense_is_read_from_verbs():
    due = find_dates("The rebrand is due at the end of June.", MONDAY)[0]
    assert due.iso == "2026-06-30" and due.deadline
    assert find_dates("Send the invitations by Friday.", MONDAY)[0].deadline
    assert tense("We will meet then") == "future" and tense("We met then") == "past"


def test_the_session_date_is_read_from_the_instructions_and_questions_get_windows():
    assert parse_today("...\n\nToday is 2026-04-13 (Monday).") == date(2026, 4, 13)
    assert parse_today("no date here") is None
    assert month_window("Early in March I was getting ready.", date(2026, 4, 20)) == \
        ("2026-03-01", "2026-03-10")
    assert month_window("the week of March 23rd", date(2026, 4, 20)) == \
        ("2026-03-23", "2026-03-29")
    assert month_window("before deciding on the round", date(2026, 4, 20)) is None
