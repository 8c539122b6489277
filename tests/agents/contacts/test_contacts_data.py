"""Integrity of datasets/contacts: ids, turn bookkeeping, corrections, probes, counts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from workbench.agents.contacts._text import name_key, phrase_in
from workbench.agents.contacts.data import (
    PROBE_CATEGORIES,
    contacts_dir,
    datasets_root,
    load_probes,
    load_script,
    load_snippets,
    load_world,
)
from workbench.agents.contacts.scoring import score_probe


@pytest.fixture(scope="module")
def world():
    return load_world()


@pytest.fixture(scope="module")
def script():
    return load_script()


@pytest.fixture(scope="module")
def probes():
    return load_probes()


@pytest.fixture(scope="module")
def stated_at(script):
    """item id -> the turn that states it (asserting each is stated once)."""
    out: dict[str, int] = {}
    for turn in script:
        for item in turn.states:
            assert item not in out, f"{item} stated twice (turns {out[item]} and {turn.turn})"
            out[item] = turn.turn
    return out


def test_datasets_root_env_override(monkeypatch, tmp_path):
    assert (contacts_dir() / "world.json").is_file()
    monkeypatch.setenv("WORKBENCH_DATASETS", str(tmp_path))
    assert datasets_root() == tmp_path.resolve()
    assert contacts_dir() == tmp_path.resolve() / "contacts"
    assert contacts_dir(Path("/elsewhere")) == Path("/elsewhere")


def test_every_gold_item_stated_exactly_once_at_its_recorded_turn(world, stated_at):
    items = world.items()
    assert set(stated_at) - set(items) == set(), "states names unknown ids"
    assert set(items) - set(stated_at) == set(), "gold items never stated"
    for item_id, item in items.items():
        assert item.turn == stated_at[item_id], item_id


def test_turn_and_session_bookkeeping(world, script):
    assert [t.turn for t in script] == list(range(1, len(script) + 1))
    assert 40 <= len(script) <= 60
    sessions = sorted({t.session for t in script})
    assert sessions == list(range(1, len(sessions) + 1)) and 8 <= len(sessions) <= 10
    for s in sessions:
        in_session = [t for t in script if t.session == s]
        assert [t.turn_in_session for t in in_session] == list(range(1, len(in_session) + 1))
        assert {t.date for t in in_session} == {world.session_dates[s]}
    dates = [t.date for t in script]
    assert dates == sorted(dates)
    items = world.items()
    for t in script:
        for i in t.states:
            assert items[i].session == t.session, i


def test_script_shape(world, script):
    assert sum(1 for t in script if not t.states) >= 3, "a few small-talk turns"
    fact_ids = {f.id for f in world.facts}
    assert max(sum(i in fact_ids for i in t.states) for t in script) >= 3
    profile_turns = [p.turn for p in world.user.profile]
    assert max(script[t - 1].session for t in profile_turns) <= 3, "profile early on"
    assert {p.field for p in world.user.profile} >= {"role", "timezone", "communication_style"}
    assert len({g.session for g in world.user.goals}) >= 4
    for t in script:   # ids must never leak into what the agent sees
        assert not any(i in t.text for i in t.states if len(i) <= 3), t.turn
    texts = [t.text for t in script]
    assert len(set(texts)) == len(texts)


def test_references_and_vocabulary(world, stated_at):
    ids = {e.id for e in world.entities}
    for f in world.facts:
        assert f.subject in ids and f.attribute in world.attribute_vocabulary, f.id
        assert world.entity(f.subject).turn <= f.turn, f"{f.id} before its subject"
    for r in world.relationships:
        assert {r.source, r.target} <= ids and r.relation in world.relation_vocabulary, r.id
        assert max(world.entity(r.source).turn, world.entity(r.target).turn) <= r.turn, r.id
    for e in world.events:
        assert set(e.subjects) <= ids and len(e.date) == 10, e.id
    owners: dict[str, set[str]] = {}
    for e in world.entities:
        for n in (e.name, *e.aliases):
            owners.setdefault(name_key(n), set()).add(e.id)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert not shared, f"gold entities share a name or alias: {shared}"
    assert not {name_key(n) for n in (world.user.name, *world.user.aliases)} & set(owners)


def test_stated_values_appear_in_their_turn(world, script):
    by_turn = {t.turn: t.text for t in script}
    for f in world.facts:
        assert any(phrase_in(v, by_turn[f.turn]) for v in (f.value, *f.alternatives)), f.id
    for e in world.entities:
        assert any(phrase_in(n, by_turn[e.turn]) for n in (e.name, *e.aliases)), e.id


def test_corrections_come_after_the_original(world):
    items = world.items()
    kinds = Counter()
    for c in world.corrections:
        old, new = items[c.old], items[c.new]
        assert c.old_turn == old.turn < new.turn == c.turn, c.id
        assert c.session == new.session
        if c.kind == "fact":
            assert (old.subject, old.attribute) == (new.subject, new.attribute)
            kinds[old.attribute] += 1
        else:
            assert (old.source, old.relation) == (new.source, new.relation)
            assert old.target != new.target
            kinds[old.relation] += 1
    assert {"title", "status", "works_at"} <= set(kinds), "title change, status change, move"


def test_built_in_difficulty(world):
    people = [e for e in world.entities if e.type == "person"]
    assert len(people) == 12
    assert sum(e.type == "company" for e in world.entities) == 5
    assert sum(e.type == "project" for e in world.entities) == 4
    assert 35 <= len(world.facts) <= 50
    assert len(world.relationships) >= 15 and 8 <= len(world.events) <= 12
    assert any(r.implied for r in world.relationships)
    bob = world.entity("robert_kim")
    assert "Bob" in bob.aliases
    employer = {r.source: r.target for r in world.relationships if r.relation == "works_at"}
    first_names = Counter(e.name.split()[0] for e in people)
    namesakes = [e for e in people if first_names[e.name.split()[0]] > 1]
    assert len(namesakes) >= 2
    assert len({employer[e.id] for e in namesakes}) == len(namesakes)


def test_probes(world, probes, stated_at):
    assert 55 <= len(probes) <= 65
    assert len({p.id for p in probes}) == len(probes)
    counts = Counter(p.category for p in probes)
    assert set(counts) == set(PROBE_CATEGORIES) and min(counts.values()) >= 5
    for p in probes:
        assert set(p.requires) <= set(stated_at), p.id
        expected = max((stated_at[r] for r in p.requires), default=0)
        assert p.available_after_turn == expected, p.id
        if p.category == "absence":
            assert not p.must_include and not p.any_of, p.id
        else:
            assert p.must_include or p.any_of, p.id
    corrected = {i for c in world.corrections for i in (c.old, c.new)}
    for p in probes:
        if p.category == "current_vs_previous":
            assert corrected & set(p.requires), p.id


def test_reference_answers_score_correct(probes):
    for p in probes:
        assert score_probe(p, p.answer).correct, p.id


def test_absence_probes_name_nothing_known(world, probes):
    """The unknown subject of an absence probe must not be a gold name (beyond a shared word)."""
    names = [n for e in world.entities for n in (e.name, *e.aliases)]
    for p in probes:
        if p.category == "absence" and not p.requires:
            assert not any(phrase_in(n, p.question) for n in names), p.id


def test_snippets(world):
    snippets = load_snippets()
    ids = {e.id for e in world.entities}
    assert len(snippets) == 3 and set(snippets) <= ids
    for s in snippets.values():
        assert s.results and all(r.url.startswith("https://") for r in s.results)
        assert all(c.subject in ids and c.status in {"agrees", "new", "stale"}
                   for c in s.claims)
    assert any(c.status == "stale" for s in snippets.values() for c in s.claims)
