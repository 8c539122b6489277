"""Graph scorers on small hand-built graphs whose P/R/F1 are computed by hand in comments."""

from __future__ import annotations

import copy
import math

import pytest

from workbench.agents.contacts._text import canonical_relation, parse_date, value_matches
from workbench.agents.contacts.data import load_world
from workbench.agents.contacts.scoring import (
    EntityRec,
    EventRec,
    FactRec,
    GraphSnapshot,
    RelRec,
    entity_scores,
    event_scores,
    fact_scores,
    gold_snapshot,
    relationship_scores,
    score_all,
    supersession_accuracy,
)


def gold_graph() -> GraphSnapshot:
    """6 entities, 5 live facts (+1 retired), 5 live edges (+1 retired), 2 events."""
    return GraphSnapshot(
        entities=[
            EntityRec("Robert Kim", "person", ["Bob"]),
            EntityRec("Northwind Analytics", "company", ["Northwind"]),
            EntityRec("Ana Souza", "person", ["Ana"]),
            EntityRec("Atlas", "project", []),
            EntityRec("Marco Bellini", "person", ["Marco"]),
            EntityRec("Brightwater Health", "company", ["Brightwater"]),
        ],
        facts=[
            FactRec("Robert Kim", "title", "CFO"),
            FactRec("Ana Souza", "title", "Head of Data Platform"),
            FactRec("Atlas", "status", "blocked on legal review", live=False),
            FactRec("Atlas", "status", "launched"),
            FactRec("Northwind Analytics", "city", "Rotterdam"),
            FactRec("Robert Kim", "phone", "+31 6 5550 1147"),
        ],
        relationships=[
            RelRec("Robert Kim", "works_at", "Northwind Analytics"),
            RelRec("Ana Souza", "works_at", "Northwind Analytics"),
            RelRec("Ana Souza", "leads", "Atlas"),
            RelRec("Ana Souza", "introduced_by", "Robert Kim"),
            RelRec("Marco Bellini", "works_at", "Brightwater Health", live=False),
            RelRec("Marco Bellini", "works_at", "Northwind Analytics"),
        ],
        events=[
            EventRec(["Atlas"], "Atlas launched after the legal review cleared", "2026-04-08"),
            EventRec(["Northwind Analytics", "Ana Souza"], "Northwind offsite in Rotterdam",
                     "2026-03-12"),
        ],
    )


def learned_copy() -> GraphSnapshot:
    """What a perfect store would hold: the gold graph minus the retired items."""
    g = copy.deepcopy(gold_graph())
    g.facts = [f for f in g.facts if f.live]
    g.relationships = [r for r in g.relationships if r.live]
    return g


# --------------------------------------------------------------------------- perfect


def test_perfect_graph_scores_one_everywhere():
    gold, learned = gold_graph(), learned_copy()
    for scorer in (entity_scores, fact_scores, relationship_scores, event_scores):
        s = scorer(learned, gold)
        assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0), scorer.__name__
        assert not s.missing and not s.extra
    assert entity_scores(learned, gold).duplicate_rate == 0.0
    assert event_scores(learned, gold).date_accuracy == 1.0
    sup = supersession_accuracy(learned, gold)
    assert (sup.accuracy, sup.n) == (1.0, 2)


def test_retired_items_kept_as_not_live_are_fine():
    # Keeping the old values with live=False is exactly what a good store does.
    gold = gold_graph()
    learned = copy.deepcopy(gold)
    assert fact_scores(learned, gold).f1 == 1.0
    assert supersession_accuracy(learned, gold).accuracy == 1.0


# --------------------------------------------------------------------------- facts


def test_missing_fact():
    gold, learned = gold_graph(), learned_copy()
    learned.facts = [f for f in learned.facts if f.attribute != "city"]
    s = fact_scores(learned, gold)
    # tp=4, learned=4, gold=5 -> P=1, R=0.8, F1=8/9
    assert (s.tp, s.n_learned, s.n_gold) == (4, 4, 5)
    assert s.precision == 1.0 and s.recall == pytest.approx(0.8)
    assert s.f1 == pytest.approx(8 / 9)
    assert [f.value for f in s.missing] == ["Rotterdam"]


def test_extra_fact():
    gold, learned = gold_graph(), learned_copy()
    learned.facts.append(FactRec("Robert Kim", "email", "bob@northwind.example"))
    s = fact_scores(learned, gold)
    # tp=5, learned=6, gold=5 -> P=5/6, R=1, F1=10/11
    assert s.precision == pytest.approx(5 / 6) and s.recall == 1.0
    assert s.f1 == pytest.approx(10 / 11)
    assert [f.value for f in s.extra] == ["bob@northwind.example"]


def test_lenient_values_synonym_attributes_and_free_text():
    gold = gold_graph()
    learned = GraphSnapshot(entities=learned_copy().entities, facts=[
        FactRec("Bob", "job_title", "Chief Financial Officer"),           # alias + synonym
        FactRec("ana souza", "", "She is head of data platform at Northwind"),  # free text
        FactRec("Atlas", "state", "Launched!"),
        FactRec("Northwind", "headquarters", "Rotterdam, NL"),
        FactRec("Robert Kim", "mobile", "+31655501147"),                   # digits only
    ])
    s = fact_scores(learned, gold)
    assert (s.tp, s.n_learned, s.n_gold) == (5, 5, 5)


def test_wrong_attribute_or_subject_does_not_match():
    gold = gold_graph()
    learned = GraphSnapshot(facts=[
        FactRec("Ana Souza", "title", "CFO"),          # Bob's title on Ana
        FactRec("Robert Kim", "email", "CFO"),         # right value, clashing attribute
    ])
    s = fact_scores(learned, gold)
    # tp=0, learned=2, gold=5 -> P=0, R=0, F1=0
    assert (s.tp, s.precision, s.recall, s.f1) == (0, 0.0, 0.0, 0.0)


def test_repeated_fact_counts_once():
    gold, learned = gold_graph(), learned_copy()
    learned.facts.append(FactRec("Robert Kim", "title", "cfo"))
    assert fact_scores(learned, gold).n_learned == 5


# --------------------------------------------------------------------------- entities


def test_alias_only_entity_match_and_folding():
    gold = gold_graph()
    learned = GraphSnapshot(entities=[
        EntityRec("Bob", "person"),                          # alias of Robert Kim
        EntityRec("NORTHWIND ANALYTICS, Inc.", "organisation"),
        EntityRec("Ána Souza", "Person"),
        EntityRec("Project Atlas", "unknown"),
        EntityRec("Marco", "people"),
        EntityRec("Brightwater", "startup"),
    ])
    s = entity_scores(learned, gold)
    assert (s.tp, s.n_learned, s.n_gold, s.f1) == (6, 6, 6, 1.0)
    assert ("Bob", "Robert Kim") in [(m[0].name, m[1].name) for m in s.matched]


def test_duplicate_entity():
    gold, learned = gold_graph(), learned_copy()
    learned.entities.append(EntityRec("Bob", "person"))
    s = entity_scores(learned, gold)
    # tp=6, learned=7, gold=6 -> P=6/7, R=1, F1=12/13; 1 of 6 matched gold entities duplicated
    assert s.precision == pytest.approx(6 / 7) and s.recall == 1.0
    assert s.f1 == pytest.approx(12 / 13)
    assert s.duplicate_rate == pytest.approx(1 / 6)
    assert [(d.name, g.name) for d, g in s.duplicates] == [("Bob", "Robert Kim")]


def test_conflicting_types_do_not_match_and_user_is_ignored():
    gold, learned = gold_graph(), learned_copy()
    learned.entities = [e for e in learned.entities if e.name != "Atlas"]
    learned.entities += [EntityRec("Atlas", "person"), EntityRec("Leila Haddad", "person"),
                         EntityRec("Zed Corp", "company")]
    s = entity_scores(learned, gold, ignore=["Leila Haddad"])
    # learned counted: 5 good + Atlas(person) + Zed Corp = 7; tp=5; gold=6
    assert (s.tp, s.n_learned, s.n_gold) == (5, 7, 6)
    assert s.f1 == pytest.approx(10 / 13)
    assert sorted(e.name for e in s.extra) == ["Atlas", "Zed Corp"]
    assert [e.name for e in s.missing] == ["Atlas"]


def test_first_name_is_not_an_alias():
    gold = GraphSnapshot(entities=[EntityRec("Sarah Chen", "person"),
                                   EntityRec("Sarah Okonkwo", "person", ["Sarah O."])])
    learned = GraphSnapshot(entities=[EntityRec("Sarah", "person"), EntityRec("Sarah O", "person")])
    s = entity_scores(learned, gold)
    assert [(m[0].name, m[1].name) for m in s.matched] == [("Sarah O", "Sarah Okonkwo")]
    assert [e.name for e in s.extra] == ["Sarah"]


# --------------------------------------------------------------------------- relationships


def test_relation_direction_and_inverses():
    gold = gold_graph()
    learned = GraphSnapshot(entities=learned_copy().entities, relationships=[
        RelRec("Northwind", "employs", "Bob"),                  # inverse of works_at: match
        RelRec("Ana Souza", "Works at", "Northwind Analytics"),  # spelling: match
        RelRec("Atlas", "leads", "Ana Souza"),                  # wrong direction: extra
        RelRec("Robert Kim", "introduced", "Ana Souza"),        # inverse of introduced_by: match
        RelRec("Marco", "works_at", "Brightwater"),             # the retired edge, live: extra
    ])
    s = relationship_scores(learned, gold)
    # tp=3, learned=5, gold=5 live edges -> P=R=F1=0.6
    assert (s.tp, s.n_learned, s.n_gold) == (3, 5, 5)
    assert s.precision == s.recall == s.f1 == pytest.approx(0.6)
    assert {(r.source, r.target) for r in s.extra} == {("Atlas", "Ana Souza"),
                                                      ("Marco", "Brightwater")}
    assert {(r.source, r.relation) for r in s.missing} == {("Ana Souza", "leads"),
                                                         ("Marco Bellini", "works_at")}


def test_led_by_equals_leads():
    gold = gold_graph()
    learned = GraphSnapshot(relationships=[RelRec("Atlas", "led_by", "Ana Souza")])
    s = relationship_scores(learned, gold)
    assert s.tp == 1 and s.precision == 1.0


def test_membership_relation_depends_on_target_type():
    assert canonical_relation("member of", "company") == ("works_at", False)
    assert canonical_relation("member_of", "project") == ("involved_in", False)
    assert canonical_relation("advised by") == ("advises", True)


# --------------------------------------------------------------------------- events


def test_event_matching_and_date_accuracy():
    gold = gold_graph()
    learned = GraphSnapshot(entities=learned_copy().entities, events=[
        EventRec(["Atlas"], "Atlas went live", "April 8th, 2026"),          # same date: match
        EventRec(["Ana"], "Met Ana at the Northwind offsite", "2026-03-13"),  # words: match, bad date
        EventRec(["Robert Kim"], "Dinner with Bob", "2026-03-01"),           # no gold: extra
    ])
    s = event_scores(learned, gold)
    # tp=2, learned=3, gold=2 -> P=2/3, R=1, F1=0.8; 1 of 2 matched dates right
    assert s.precision == pytest.approx(2 / 3) and s.recall == 1.0
    assert s.f1 == pytest.approx(0.8)
    assert s.date_accuracy == 0.5
    assert [e.description for e, _ in s.date_errors] == ["Met Ana at the Northwind offsite"]


def test_event_needs_a_shared_subject():
    gold = gold_graph()
    learned = GraphSnapshot(events=[EventRec(["Robert Kim"], "Atlas launched", "2026-04-08")])
    assert event_scores(learned, gold).tp == 0


# --------------------------------------------------------------------------- supersession


def test_superseded_fact_left_live_drops_supersession_accuracy():
    gold, learned = gold_graph(), learned_copy()
    learned.facts.append(FactRec("Atlas", "status", "blocked on legal review"))  # still live
    s = supersession_accuracy(learned, gold)
    # two corrections (Atlas status, Marco works_at); only Marco's is right -> 1/2
    assert (s.n, s.accuracy) == (2, 0.5)
    assert s.failed == [("Atlas status: blocked on legal review -> launched",
                         "old value still live")]
    # The stale value also costs fact precision: tp=5, learned=6.
    assert fact_scores(learned, gold).precision == pytest.approx(5 / 6)


def test_missing_new_value_and_stale_edge():
    gold, learned = gold_graph(), learned_copy()
    learned.facts = [f for f in learned.facts if f.value != "launched"]
    learned.relationships = [r for r in learned.relationships if r.source != "Marco Bellini"]
    learned.relationships.append(RelRec("Marco", "works_at", "Brightwater Health"))
    s = supersession_accuracy(learned, gold)
    assert (s.n, s.accuracy) == (2, 0.0)
    assert dict(s.failed) == {
        "Atlas status: blocked on legal review -> launched": "new value not live",
        "Marco Bellini works_at: Brightwater Health -> Northwind Analytics":
            "old value still live; new value not live",
    }


def test_supersession_is_nan_without_corrections():
    gold = GraphSnapshot(facts=[FactRec("Robert Kim", "title", "CFO")])
    assert math.isnan(supersession_accuracy(GraphSnapshot(), gold).accuracy)


# --------------------------------------------------------------------------- empty graphs


def test_empty_learned_graph():
    s = fact_scores(GraphSnapshot(), gold_graph())
    assert math.isnan(s.precision) and s.recall == 0.0 and s.f1 == 0.0
    e = entity_scores(GraphSnapshot(), GraphSnapshot())
    assert math.isnan(e.precision) and math.isnan(e.recall) and math.isnan(e.f1)


# --------------------------------------------------------------------------- text helpers


@pytest.mark.parametrize(("learned", "gold", "expected"), [
    ("VP of Engineering", "VP Engineering", True),
    ("Vice President of Engineering", "VP Engineering", True),
    ("Series A", "Series B", False),
    ("Series", "Series B", False),
    ("Director of Product", "VP Product", False),
    ("+31 6 5550 1148", "+31 6 5550 1147", False),      # one digit off
    ("+31 6 5550 1147", "+31 6 5550 1147", True),
    ("Kafka, ClickHouse", "Kafka and ClickHouse", True),
    ("hardware supply chain", "hardware supply chains", True),
])
def test_value_matches(learned, gold, expected):
    assert value_matches(learned, gold) is expected


def test_parse_date():
    assert parse_date("April 8th, 2026") == "2026-04-08"
    assert parse_date("8 Apr 2026") == "2026-04-08"
    assert parse_date("2026-04-08T10:00:00") == "2026-04-08"
    assert parse_date("last Wednesday") is None


# --------------------------------------------------------------------------- the real world


def test_gold_snapshot_follows_the_script():
    world = load_world()
    promoted = next(c.turn for c in world.corrections if c.note.startswith("Helen"))
    before = gold_snapshot(world, upto_turn=promoted - 1)
    after = gold_snapshot(world, upto_turn=promoted)
    titles = lambda snap: {(f.value, f.live) for f in snap.facts  # noqa: E731
                           if f.subject == "Helen Park" and f.attribute == "title"}
    assert titles(before) == {("Director of Product", True)}
    assert titles(after) == {("Director of Product", False), ("VP Product", True)}
    assert gold_snapshot(world, 0).entities == []
    full = gold_snapshot(world)
    assert sum(not f.live for f in full.facts) == 2
    assert sum(not r.live for r in full.relationships) == 1


def test_score_all_row():
    world = load_world()
    gold = gold_snapshot(world, 25)
    learned = GraphSnapshot.from_dict(gold.to_dict())
    learned.profile = None
    row = score_all(learned, world, 25)
    assert row["upto_turn"] == 25 and row["entity_f1"] == row["fact_f1"] == 1.0
    assert math.isnan(row["profile_accuracy"]) and row["goal_accuracy"] == 1.0
    assert all(isinstance(v, (int, float)) for k, v in row.items() if k != "upto_turn")
    # The user as a learned entity is neither a hit nor a miss.
    learned.entities.append(EntityRec("Leila", "person"))
    assert score_all(learned, world, 25)["entity_precision"] == 1.0
