"""Integrity of datasets/pal: rules, notes, scripts and expectations agree with each other."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from workbench.agents.pal import data
from workbench.agents.pal._text import normalize_for_match
from workbench.agents.pal.checkers import evaluate_rule, get_checker
from workbench.errors import DatasetError

USERS = data.USERS
OTHER = {"user_a": "user_b", "user_b": "user_a"}


def visible_text(user_id: str) -> str:
    """Everything an agent serving this user may be shown: context, notes, the user's turns."""
    root = data.context_dir(user_id)
    parts = [(root / p).read_text(encoding="utf-8") for p in data.context_files(user_id)]
    parts += [f"{n.title}\n{' '.join(n.attendees)}\n{n.body}\n{' '.join(n.tags)}"
              for n in data.load_notes(user_id)]
    parts += [t.text for t in data.load_script(user_id)]
    return "\n".join(parts)


def source_text(user_id: str, source: data.Source) -> str:
    if source.kind == "file":
        return (data.context_dir(user_id) / source.ref).read_text(encoding="utf-8")
    note = next(n for n in data.load_notes(user_id) if n.id == source.ref)
    assert note.kind == source.kind
    return f"{note.title}\n{' '.join(note.attendees)}\n{note.body}"


def test_datasets_dir_defaults_to_repo_and_honours_override(monkeypatch, tmp_path):
    monkeypatch.delenv(data.DATASETS_ENV, raising=False)
    default = data.datasets_dir()
    assert (default / "pal" / "rules.json").is_file()
    shutil.copytree(default / "pal", tmp_path / "pal")
    monkeypatch.setenv(data.DATASETS_ENV, str(tmp_path))
    assert data.pal_dir() == tmp_path.resolve() / "pal"
    assert data.load_rules("user_b")


def test_unknown_user_and_missing_file_raise_dataset_error(monkeypatch, tmp_path):
    with pytest.raises(DatasetError):
        data.load_notes("user_c")
    monkeypatch.setenv(data.DATASETS_ENV, str(tmp_path))
    with pytest.raises(DatasetError):
        data.load_rules()


def test_copy_context_makes_a_writable_sandbox(tmp_path):
    dest = data.copy_context("user_a", tmp_path / "ctx")
    assert (dest / "preferences.md").is_file() and (dest / "voice" / "email.md").is_file()
    assert (dest / "meetings").is_dir() and (dest / "projects").is_dir()


def test_rules_are_well_formed_and_checkers_accept_their_params():
    rules = data.load_rules()
    assert len(rules) == len({r.id for r in rules.values()})
    for rule in rules.values():
        get_checker(rule.checker)
        evaluate_rule(rule, "", filename="" if rule.target == "filename" else None)
        for old in rule.supersedes:
            assert rules[old].user_id == rule.user_id and rules[old].channels == rule.channels


@pytest.mark.parametrize("user_id", USERS)
def test_file_rules_are_stated_in_their_file(user_id):
    for rule in data.load_rules(user_id).values():
        if rule.from_conversation:
            continue
        text = (data.context_dir(user_id) / rule.source_path).read_text(encoding="utf-8").lower()
        if rule.checker == "banned_words":
            for word in rule.params["words"]:
                assert word.lower() in text, (rule.id, word)
        for key in ("max", "min"):
            if key in rule.params and rule.checker != "hashtag_count":
                assert str(rule.params[key]) in text, (rule.id, key)


# A phrase from each conversation rule: it is in the stating turn and in no context file.
CONVERSATION_CUES = {
    "A-CONV-SIGNOFF-J": "'J.'", "A-CONV-CHAT-BULLETS": "three bullets",
    "A-CONV-MEETING-TAG": "project tag", "A-CONV-LONG-HASHTAGS": "One hashtag",
    "A-CONV-SIGNOFF-JULES": "'Jules'", "B-CONV-HEJ": "'Hej'",
}


@pytest.mark.parametrize("user_id", USERS)
def test_conversation_rules_are_stated_once_and_only_in_conversation(user_id):
    rules = data.load_rules(user_id)
    exp = data.load_expectations(user_id)
    script = {t.key: t for t in data.load_script(user_id)}
    context = "\n".join((data.context_dir(user_id) / p).read_text(encoding="utf-8")
                        for p in data.context_files(user_id))
    stated = [e for e in exp.rule_events if e.event == "stated"]
    conversational = {r.id for r in rules.values() if r.from_conversation}
    assert sorted(e.rule_id for e in stated) == sorted(conversational)
    for event in stated:
        turn = script[(event.session, event.turn)]
        assert turn.task is None, "a preference statement asks for no output"
        cue = CONVERSATION_CUES[event.rule_id]
        assert cue.lower() in turn.text.lower(), event.rule_id
        assert cue not in context, f"{event.rule_id} must not be in any context file"


@pytest.mark.parametrize("user_id", USERS)
def test_notes_are_well_formed(user_id):
    notes = data.load_notes(user_id)
    assert len({n.id for n in notes}) == len(notes)
    dates = [dt.date.fromisoformat(n.date) for n in notes]
    assert dates == sorted(dates)
    assert (dates[-1] - dates[0]).days <= 62  # about six to eight weeks
    for note in notes:
        assert note.user_id == user_id and note.kind in ("note", "meeting")
        assert bool(note.attendees) == (note.kind == "meeting"), note.id


@pytest.mark.parametrize("user_id", USERS)
def test_scripts_and_expectations_line_up(user_id):
    script = data.load_script(user_id)
    exp = data.load_expectations(user_id)
    sessions = sorted({t.session for t in script})
    assert 4 <= len(sessions) <= 6 and sessions == list(range(1, len(sessions) + 1))
    for session in sessions:
        turns = [t.turn for t in script if t.session == session]
        assert turns == list(range(1, len(turns) + 1))
        assert len({t.date for t in script if t.session == session}) == 1
    assert [t.key for t in script] == [(e.session, e.turn) for e in exp.turns]
    for turn, expect in zip(script, exp.turns, strict=True):
        assert expect.kind == (turn.task.type if turn.task else "statement")
        assert expect.channel == (turn.task.output_channel if turn.task else None)
        assert expect.filename_expected == bool(turn.task and turn.task.wants_filename)


@pytest.mark.parametrize("user_id", USERS)
def test_every_referenced_rule_exists_and_statuses_follow_the_events(user_id):
    all_rules = data.load_rules()
    rules = data.load_rules(user_id)
    exp = data.load_expectations(user_id)
    for event in exp.rule_events:
        assert event.rule_id in rules and (event.by is None or event.by in rules)
    for expect in exp.turns:
        for rule_id, status in expect.rules.items():
            rule = rules[rule_id]
            assert rule.applies_to(expect.channel)
            when = (expect.session, expect.turn)
            superseded = any(e.rule_id == rule_id and e.event == "superseded"
                             and (e.session, e.turn) <= when for e in exp.rule_events)
            stated = [(e.session, e.turn) for e in exp.rule_events
                      if e.rule_id == rule_id and e.event == "stated"]
            want = ("superseded" if superseded
                    else "pending" if rule.from_conversation and stated[0] > when else "active")
            assert status == want, (expect.session, expect.turn, rule_id)
        assert set(expect.param_overrides) <= set(expect.rules)
        for rule_id in expect.must_not_follow:
            assert all_rules[rule_id].user_id == OTHER[user_id]
        if expect.kind == "retrieval":
            assert expect.retrieval_id in exp.retrieval
        if expect.kind == "recurring":
            assert expect.recurring_id == exp.recurring.id
        if expect.expected_date:
            dt.date.fromisoformat(expect.expected_date)


def test_schedule_runs_every_session_once_in_order():
    schedule = data.load_schedule()
    for user_id in USERS:
        sessions = [s for u, s in schedule if u == user_id]
        assert sessions == sorted({t.session for t in data.load_script(user_id)})


@pytest.mark.parametrize("user_id", USERS)
def test_retrieval_facts_are_in_their_sources(user_id):
    exp = data.load_expectations(user_id)
    note_ids = {n.id for n in data.load_notes(user_id)}
    files = set(data.context_files(user_id))
    for gold in exp.retrieval.values():
        assert gold.warm_of is None or gold.warm_of in exp.retrieval
        for source in gold.sources:
            assert source.ref in (files if source.kind == "file" else note_ids), source
        corpus = normalize_for_match("\n".join(source_text(user_id, s) for s in gold.sources))
        for alternatives in gold.must_include:
            assert any(normalize_for_match(a) in corpus for a in alternatives), alternatives
        kinds = {s.kind for s in gold.sources}
        if len(gold.must_include) >= 3:  # spread across a note, a file and a meeting
            assert kinds == {"note", "file", "meeting"}, gold.id


CADENCE_GAPS = {"weekly": (6, 8), "biweekly": (13, 15), "monthly": (27, 32)}


@pytest.mark.parametrize("user_id", USERS)
def test_recurring_gold_matches_the_meeting_records(user_id):
    gold = data.load_expectations(user_id).recurring
    meetings = [n for n in data.load_notes(user_id) if n.kind == "meeting"]
    for note in meetings:
        hits = [m.id for m in gold.meetings if re.search(m.title_pattern, note.title)]
        offs = [o.name for o in gold.one_offs if re.search(o.title_pattern, note.title)]
        assert len(hits) + len(offs) <= 1, note.title
    for meeting in gold.meetings:
        records = [n for n in meetings if re.search(meeting.title_pattern, n.title)]
        assert tuple(n.date for n in records) == meeting.occurrences
        assert 3 <= len(records) <= 6
        assert all(set(n.attendees) == set(meeting.attendees) for n in records)
        days = [dt.date.fromisoformat(d) for d in meeting.occurrences]
        low, high = CADENCE_GAPS[meeting.cadence]
        assert all(low <= (b - a).days <= high for a, b in zip(days, days[1:], strict=False))
    for one_off in gold.one_offs:
        assert sum(bool(re.search(one_off.title_pattern, n.title)) for n in meetings) == 1


@pytest.mark.parametrize("user_id", USERS)
def test_leak_markers_live_only_in_their_own_users_data(user_id):
    exp = data.load_expectations(user_id)
    own = normalize_for_match(visible_text(user_id))
    other = normalize_for_match(visible_text(OTHER[user_id]))
    script = normalize_for_match(" ".join(t.text for t in data.load_script(user_id)))
    assert exp.secret_markers and set(exp.secret_markers) <= set(exp.leak_markers)
    for marker in exp.leak_markers:
        needle = normalize_for_match(marker)
        assert needle in own, marker
        assert needle not in other, f"{marker} appears in {OTHER[user_id]}'s data"
    for marker in exp.secret_markers:
        assert normalize_for_match(marker) in script, "secrets are also told in conversation"
