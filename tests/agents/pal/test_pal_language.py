"""The general language rules behind Pal's policy: stated preferences, file rules, dates,
requests. Phrasings here are deliberately not the dataset's."""

from __future__ import annotations

from datetime import date

import pytest

from workbench.agents.pal.dates import DateStyle, normalize, resolve_weekday
from workbench.agents.pal.language import (
    Preference,
    channel_of,
    generalize_filename,
    parse_statements,
    profile_preferences,
)
from workbench.agents.pal.request import classify, draft_request, meeting_ref, recipients
from workbench.agents.pal.style import build_style, file_rules


@pytest.mark.parametrize("text, expected", [
    ("From now on, sign every email as 'Sam' please.", ("email", "signoff", "Sam")),
    ('Please sign off emails with "Cheers, K" going forward.', ("email", "signoff", "Cheers, K")),
    ("Chat messages: no more than 2 bullets.", ("chat", "max_bullets", "2")),
    ("Slack: at most five bullets.", ("chat", "max_bullets", "5")),
    ("For X posts, zero hashtags max.", ("short_post", "hashtags", "0-0")),
    ("Emails should be at most 90 words.", ("email", "max_words", "90")),
    ("Every email: open with 'Dear' and the recipient's first name, then a comma.",
     ("email", "opening", "Dear <first name>,")),
    ("I prefer concise responses.", ("reply", "style", "concise")),
    ("Name meeting notes like 'mtg_20250101_kickoff.md' from now on.",
     ("meeting_notes", "filename", "mtg_YYYYMMDD_<topic>.md")),
])
def test_statements_parse_into_channel_aspect_value(text, expected):
    prefs = parse_statements(text)
    assert prefs, text
    assert (prefs[-1].channel, prefs[-1].aspect, prefs[-1].value) == expected


def test_tasks_and_file_reports_are_not_preferences():
    for text in ("Email Dana to confirm Friday's demo.", "Slack #ops: the build is green.",
                 "My voice guide says three hashtags.", "What did we decide about emails?"):
        assert parse_statements(text) == [], text


def test_override_and_replacement_are_marked():
    ignore = parse_statements("About LinkedIn hashtags: the guide says four. Ignore that. "
                              "Two hashtags at most.")
    assert ignore == [Preference("long_post", "hashtags", "0-2", overrides_file=True)]
    change = parse_statements("Change of plan: 'Sam' is too short. Sign emails as 'Samuel' "
                              "instead.")
    assert [(p.value, p.replaces) for p in change] == [("Samuel", True)]


@pytest.mark.parametrize("pref", [
    Preference("email", "signoff", "J."), Preference("chat", "max_bullets", "3"),
    Preference("long_post", "hashtags", "0-1"), Preference("email", "opening", "Hi <first name>,"),
    Preference("meeting_notes", "filename", "YYYY-MM-DD - meeting - [<project>] <topic>.md"),
    Preference("reply", "style", "concise"), Preference("email", "max_words", "80"),
])
def test_a_rendered_preference_parses_back(pref):
    back = parse_statements(pref.render())
    assert [(p.channel, p.aspect, p.value) for p in back] == [(pref.channel, pref.aspect,
                                                              pref.value)]


def test_profile_block_becomes_preferences():
    system = ("x\n<user_profile>\nName: Sam\nEmail signoff: S.\nChat max bullets: 2\n"
              "Reply style: concise\n</user_profile>")
    prefs = {p.field: p.value for p in profile_preferences(system)}
    assert prefs == {"email_signoff": "S.", "chat_max_bullets": "2", "reply_style": "concise"}


def test_filename_examples_generalise():
    assert generalize_filename("2025-05-01 - meeting - [kestrel] design review.md",
                               tag_is_project=True) == \
        "YYYY-MM-DD - meeting - [<project>] <topic>.md"
    assert generalize_filename("notes-2024-12-31.md", tag_is_project=False) == \
        "notes-YYYY-MM-DD.md"


def test_file_rules_are_read_from_the_users_words():
    style, rules = file_rules(
        "- Dates: write them as YYYY-MM-DD.\n- Times in 24-hour form followed by UTC.\n"
        "- Phrases I never want to see: \"ping\", \"synergy\".\n"
        "- British spelling: colour not color.\n"
        "- Meeting notes go in `n/` and are named `meeting - <topic>.md`.\n\n"
        "## Length\n200 characters at most. Use 1-2 hashtags.\n"
        "Sign off with \"K\".\n")
    assert style.dates == DateStyle("iso", False, "24h", "UTC")
    assert style.banned == ["ping", "synergy"] and style.spelling == {"color": "colour"}
    assert style.filenames == {"meeting_notes": "meeting - <topic>.md"}
    assert (rules.max_chars, rules.hashtags, rules.signoff) == (200, (1, 2), "K")


def test_conversation_wins_over_files():
    files = {"preferences.md": "", "voice/long-post.md": "Put 2-3 hashtags last."}
    prefs = {"long_post_hashtags": Preference("long_post", "hashtags", "0-1")}
    assert build_style("long_post", files, {}).rules.hashtags == (2, 3)
    assert build_style("long_post", files, prefs).rules.hashtags == (0, 1)


def test_dates_and_times_follow_the_style():
    today = date(2025, 4, 28)  # a Monday
    iso = DateStyle("iso", True, "24h", "CT")
    assert normalize("Call on Friday at 3pm, launch on June 2.", iso, today) == \
        "Call on Friday 2025-05-02 at 15:00 CT, launch on 2025-06-02."
    assert normalize("due by the 30th", DateStyle("dmy_long"), today) == "due by 30 April 2025"
    assert normalize("Call on Friday at 3pm.", DateStyle(), today) == "Call on Friday at 3pm."
    assert resolve_weekday("tuesday", today, "next") == date(2025, 5, 6)
    assert resolve_weekday("monday", today) == date(2025, 5, 5)


def test_requests_are_classified_by_what_they_ask():
    assert classify("Draft an email to Dana Reyes about the demo.").kind == "draft"
    assert classify("Post in #ops: deploy done, rollback tested.").channel == "chat"
    assert classify("What should I call the notes for Friday's retro?").kind == "filename"
    assert classify("Which meetings of mine are recurring?").kind == "recurring"
    assert classify("Note to self: renew the domain.").kind == "capture"
    assert classify("From now on, sign emails as 'D.'").kind == "statement"
    assert classify("Who owns the migration?").kind == "retrieval"
    history = ["Write a LinkedIn post about our launch."]
    assert classify("And a matching X post.", history).channel == "short_post"
    assert classify("Rewrite that LinkedIn post shorter.", history).channel == "long_post"
    assert recipients("Email Dana Reyes and Lee Park a heads-up") == ["Dana Reyes", "Lee Park"]
    draft = draft_request("Email Dana to ask whether the demo moved.", "email")
    assert draft.purpose == "ask whether the demo moved"
    assert meeting_ref("Name the notes for next week's board review.").topic == "board review"
    assert channel_of("a tweet about it") == "short_post"
