"""Every Pal checker against hand-written drafts that must pass and drafts that must fail."""

from __future__ import annotations

import pytest

from workbench.agents.pal.checkers import (
    CheckResult,
    adherence_summary,
    check_draft,
    checker_names,
    get_checker,
    register,
)
from workbench.agents.pal.data import Rule
from workbench.errors import ConfigError

EMAIL_GOOD = """Subject: Ranger training on 2025-05-01

Hi Hana,
Is the ranger training on 2025-05-01 at 10:00 CT still on? If it is, could you send the updated
trail list by 2025-04-30 so I can preload the tiles?

Thanks,
J."""

CHAT_FIVE_BULLETS = """Sync rewrite update:
- Conflict resolution is merged
- Android tile cache is still over budget
- Beta date unchanged: 2025-05-19
- Onboarding screens are done
- Need a tester with an old Pixel"""

CHAT_THREE_BULLETS = """Sync rewrite update:
- Android tile cache is still over budget (412 MB vs 250 MB)
- Beta date unchanged: 2025-05-19
- Need a tester with an old Pixel"""

DOC_GOOD = """# Project: harbor

TL;DR: Move the sync backend to our own server on 2025-04-26 and cut hosting cost by two thirds.

## Overview
Imani owns the rollback."""


def run(name: str, text: str, filename: str | None = None, **params) -> CheckResult:
    return get_checker(name)(text, params, filename=filename)


# Each case: (checker, params, draft, filename, expected pass). At least two of each per checker.
CASES = [
    # banned_words: whole words only, any case, spaces and hyphens interchangeable
    ("banned_words", {"words": ["kindly", "circle back"]}, "Could you send the list today?", None, True),
    ("banned_words", {"words": ["kindly"]}, "She answered unkindly, then apologised.", None, True),
    ("banned_words", {"words": ["revert"]}, "The fix for the irreverent icon landed.", None, True),
    ("banned_words", {"words": ["kindly"]}, "Kindly send the list.", None, False),
    ("banned_words", {"words": ["circle back"]}, "Let's CIRCLE\nBACK next week.", None, False),
    ("banned_words", {"words": ["low-hanging fruit"]}, "That is low hanging fruit.", None, False),
    ("banned_words", {"words": ["game-changer"]}, "Offline tiles are a game changer.", None, False),
    # max_chars
    ("max_chars", {"max": 280}, "Offline map tiles are in the Kestrel beta. " * 5, None, True),
    ("max_chars", {"max": 20}, "   exactly twenty ch.   ", None, True),
    ("max_chars", {"max": 280}, "x" * 281, None, False),
    ("max_chars", {"max": 10}, "eleven char", None, False),
    # max_words: punctuation-only tokens such as bullet dashes do not count
    ("max_words", {"max": 5}, "- one two\n- three four five", None, True),
    ("max_words", {"max": 150}, EMAIL_GOOD, None, True),
    ("max_words", {"max": 5}, "one two three four five six", None, False),
    ("max_words", {"max": 3}, "Subject: too many words here", None, False),
    # date_format iso
    ("date_format", {"style": "iso"}, EMAIL_GOOD, None, True),
    ("date_format", {"style": "iso"}, "No dates here, just Thursday.", None, True),
    ("date_format", {"style": "iso"},
     "Write-up: https://example.com/blog/2025/03/04/sync-notes and www.x.org/2025-3-4", None, True),
    ("date_format", {"style": "iso"}, "We shipped v1.2.10 to 3/4 of the rangers.", None, True),
    ("date_format", {"style": "iso"}, "Training is on March 3.", None, False),
    ("date_format", {"style": "iso"}, "Training is on 3/4/2025.", None, False),
    ("date_format", {"style": "iso"}, "Training is Mar 3rd at the depot.", None, False),
    ("date_format", {"style": "iso"}, "Beta opens May 19, 2025.", None, False),
    ("date_format", {"style": "iso"}, "Due 2025-5-9.", None, False),
    ("date_format", {"style": "iso"}, "Due 2025-02-30.", None, False),
    ("date_format", {"style": "iso"}, "Beta is still on for the 19th.", None, False),
    ("date_format", {"style": "iso"}, "Out from 14 March to 2025-03-20.", None, False),
    # date_format dmy_long
    ("date_format", {"style": "dmy_long"}, "The deadline is 6 June 2025.", None, True),
    ("date_format", {"style": "dmy_long"}, "Test on Thursday 1 May 2025, opening 13 June 2025.", None, True),
    ("date_format", {"style": "dmy_long"}, "The deadline is 2025-06-06.", None, False),
    ("date_format", {"style": "dmy_long"}, "The deadline is June 6th.", None, False),
    ("date_format", {"style": "dmy_long"}, "The deadline is 6 June.", None, False),
    ("date_format", {"style": "dmy_long"}, "The deadline is 6 Jun 2025.", None, False),
    # clock_time_zone
    ("clock_time_zone", {"zone_labels": ["CT"]}, "Call at 14:00 CT, the 1:1 is at 09:00-09:30 CT.", None, True),
    ("clock_time_zone", {"zone_labels": ["CT"]}, "Weekly 1:1 with Imani, no time yet.", None, True),
    ("clock_time_zone", {"zone_labels": ["CT"]}, "Call at 2pm.", None, False),
    ("clock_time_zone", {"zone_labels": ["CT"]}, "Call at 14:00 tomorrow.", None, False),
    ("clock_time_zone", {"zone_labels": ["CT"]}, "Call at 2:30 p.m. CT.", None, False),
    # no_emoji
    ("no_emoji", {}, "Plain text with dashes — arrows → and (c) marks.", None, True),
    ("no_emoji", {}, "Beta opens 2025-05-19. See you there.", None, True),
    ("no_emoji", {}, "Beta opens soon \U0001F680", None, False),
    ("no_emoji", {}, "Loved it \u2764\ufe0f", None, False),  # heavy heart + variation selector
    ("no_emoji", {}, "Arrow with emoji presentation \u2194\ufe0f", None, False),  # VS16 alone
    ("no_emoji", {}, "Greetings from \U0001F1F8\U0001F1EA", None, False),  # a flag
    ("no_emoji", {}, "Done \u2705", None, False),  # dingbat check mark
    # max_bullets
    ("max_bullets", {"max": 3}, CHAT_THREE_BULLETS, None, True),
    ("max_bullets", {"max": 0}, "The charts are done. I am waiting on the March data.", None, True),
    ("max_bullets", {"max": 1}, "Update:\n- one item\n\nThanks,\n— J.", None, True),
    ("max_bullets", {"max": 3}, CHAT_FIVE_BULLETS, None, False),
    ("max_bullets", {"max": 3}, "1. one\n2. two\n3) three\n* four", None, False),
    ("max_bullets", {"max": 0}, "The charts:\n• done", None, False),
    # required_signoff
    ("required_signoff", {"signoff": "J."}, EMAIL_GOOD, None, True),
    ("required_signoff", {"signoff": "Jules"}, "Thanks for the session.\n\n— Jules\n\n", None, True),
    ("required_signoff", {"signoff": "J.", "own_line": False}, "See you then. Thanks, J.", None, True),
    ("required_signoff", {"signoff": "J."}, "See you then.\nThanks, J.", None, False),
    ("required_signoff", {"signoff": "J."}, "See you then.\nJ.\nP.S. bring boots", None, False),
    ("required_signoff", {"signoff": "Jules"}, "See you then.\nJules Marlow", None, False),
    ("required_signoff", {"signoff": "Jules"}, EMAIL_GOOD, None, False),
    # hashtag_count
    ("hashtag_count", {"min": 0, "max": 1}, "Offline tiles ship in the beta. #offlinefirst", None, True),
    ("hashtag_count", {"min": 0, "max": 1},
     "# Heading\nIssue #12 fixed in C# code, see https://x.com/post#comments", None, True),
    ("hashtag_count", {"min": 2, "max": 3}, "Lessons.\n\n#sync #fieldwork", None, True),
    ("hashtag_count", {"min": 0, "max": 1}, "Ship it. #offline #sync", None, False),
    ("hashtag_count", {"min": 2, "max": 3}, "Lessons from the field. #sync", None, False),
    # tldr_first
    ("tldr_first", {"labels": ["TL;DR"]}, DOC_GOOD, None, True),
    ("tldr_first", {}, "**TL;DR:** the cutover worked.\n\n## Details", None, True),
    ("tldr_first", {"labels": ["TL;DR"]}, "# Harbor\n\n## Overview\nTL;DR: late.", None, False),
    ("tldr_first", {"labels": ["TL;DR"]}, "# Harbor\n\nWe moved the backend. TL;DR: it worked.", None, False),
    # first_line_pattern
    ("first_line_pattern", {"pattern": r"^Subject: \S"}, EMAIL_GOOD, None, True),
    ("first_line_pattern", {"pattern": r"^Hej [A-ZÅÄÖ][\w'-]*,$", "skip": ["^subject:"]},
     "Subject: Projection test\n\nHej Linnea,\nThe test is booked.", None, True),
    ("first_line_pattern", {"pattern": r"^Subject: \S"}, "Hi Hana,\nSubject: late", None, False),
    ("first_line_pattern", {"pattern": r"^Hej [A-ZÅÄÖ][\w'-]*,$", "skip": ["^subject:"]},
     "Hi Linnea,\nThe test is booked.", None, False),
]

FILENAME_CASES = [
    ("filename_pattern", {"pattern": r"^\d{4}-\d{2}-\d{2} - meeting - .+\.md$"},
     "2025-05-01 - meeting - design review.md", True),
    ("filename_pattern", {"pattern": r"^\d{4}-\d{2}-\d{2} - meeting - .+\.md$"},
     "`meetings/2025-05-01 - meeting - [kestrel] design review.md`", True),
    ("filename_pattern", {"pattern": r"^\d{4}-\d{2}-\d{2} - weekly-review\.md$"},
     "2025-05-02 - weekly-review.md", True),
    ("filename_pattern", {"pattern": r"^\d{4}-\d{2}-\d{2} - meeting - .+\.md$"},
     "design-review-2025-05-01.md", False),
    ("filename_pattern", {"pattern": r"^\d{4}-\d{2}-\d{2} - meeting - .+\.md$"},
     "May 1 - meeting - design review.md", False),
    ("filename_pattern", {"pattern": r"^\d{4}-\d{2}-\d{2} - meeting - .+\.md$"}, "", False),
    ("filename_project_tag", {"pattern": r" - meeting - \[(?P<tag>[a-z0-9-]+)\] "},
     "2025-04-29 - meeting - [harbor] 1-1 with imani.md", True),
    ("filename_project_tag", {"pattern": r" - meeting - \[(?P<tag>[a-z0-9-]+)\] ",
                              "expected": "kestrel"},
     "2025-05-01 - meeting - [kestrel] design review.md", True),
    ("filename_project_tag", {"pattern": r" - meeting - \[(?P<tag>[a-z0-9-]+)\] "},
     "2025-05-01 - meeting - design review.md", False),
    ("filename_project_tag", {"pattern": r" - meeting - \[(?P<tag>[a-z0-9-]+)\] ",
                              "expected": "kestrel"},
     "2025-05-01 - meeting - [harbor] design review.md", False),
    ("filename_project_tag", {"pattern": r" - meeting - \[(?P<tag>[a-z0-9-]+)\] ",
                              "tags": ["kestrel"]},
     "2025-05-01 - meeting - [Kestrel] design review.md", False),
]


@pytest.mark.parametrize(("name", "params", "draft", "filename", "expected"), CASES)
def test_text_checkers(name, params, draft, filename, expected):
    result = get_checker(name)(draft, params, filename=filename)
    assert result.passed is expected, result.detail


@pytest.mark.parametrize(("name", "params", "filename", "expected"), FILENAME_CASES)
def test_filename_checkers(name, params, filename, expected):
    result = get_checker(name)("reply text is ignored", params, filename=filename)
    assert result.passed is expected, result.detail


def test_every_checker_has_two_passing_and_two_failing_cases():
    seen: dict[str, list[bool]] = {}
    for name, _params, _draft, _fn, expected in CASES:
        seen.setdefault(name, []).append(expected)
    for name, _params, _fn, expected in FILENAME_CASES:
        seen.setdefault(name, []).append(expected)
    assert set(seen) == set(checker_names())
    for name, outcomes in seen.items():
        assert outcomes.count(True) >= 2 and outcomes.count(False) >= 2, name


def test_failure_details_name_the_offender():
    assert "kindly" in run("banned_words", "Kindly reply.", words=["kindly"]).detail
    assert "March 3" in run("date_format", "On March 3.", style="iso").detail
    assert "U+1F680" in run("no_emoji", "Go \U0001F680").detail
    assert "2pm" in run("clock_time_zone", "At 2pm.", zone_labels=["CT"]).detail


def test_missing_parameter_and_unknown_checker_raise_config_error():
    with pytest.raises(ConfigError):
        run("max_chars", "text")
    with pytest.raises(ConfigError):
        get_checker("no_such_checker")
    with pytest.raises(ConfigError):
        register("max_chars")(lambda *a, **k: CheckResult(True, ""))


def _rule(rule_id, checker, params, channels, target="text"):
    return Rule(id=rule_id, user_id="user_a", source="conversation", channels=tuple(channels),
                target=target, checker=checker, params=params, description="")


def test_check_draft_filters_by_channel_and_filename():
    rules = [
        _rule("emoji", "no_emoji", {}, ["*"]),
        _rule("bullets", "max_bullets", {"max": 3}, ["chat"]),
        _rule("signoff", "required_signoff", {"signoff": "J."}, ["email"]),
        _rule("name", "filename_pattern", {"pattern": r"\.md$"}, ["chat"], target="filename"),
    ]
    results = check_draft(CHAT_FIVE_BULLETS, rules, "chat")
    assert set(results) == {"emoji", "bullets"}  # no filename given: the filename rule waits
    assert not results["bullets"].passed and results["emoji"].passed
    with_name = check_draft(CHAT_FIVE_BULLETS, rules, "chat", filename="")
    assert not with_name["name"].passed  # asked for a name, none proposed
    summary = adherence_summary(with_name)
    assert (summary.total, summary.passed, summary.failed) == (3, 1, ("bullets", "name"))
    assert summary.rate == pytest.approx(1 / 3)
    assert adherence_summary({}).rate is None
