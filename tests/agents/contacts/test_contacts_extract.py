"""The language rules on sentences that are NOT in the script: general English, not a lookup."""

from __future__ import annotations

from datetime import date

from workbench.agents.contacts._cards import parse_cards
from workbench.agents.contacts._extract import Reader, reduce_sentence
from workbench.agents.contacts._mentions import name_type, split_sentences
from workbench.agents.contacts._writes import identify, write_calls

TODAY = date(2026, 5, 11)


def read(text, history=(), known=None):
    return Reader(text, TODAY, history, known or {}, ["Mia Lopez"]).run()


def test_a_new_hire_gives_entity_fact_relationship_and_dated_event():
    out = read("Sarah Chen joined Acme as VP Engineering last month.")
    assert out.types == {"Sarah Chen": "person", "Acme": "company"}
    assert out.facts == [("Sarah Chen", "title", "VP Engineering")]
    assert out.relations == [("Sarah Chen", "works_at", "Acme")]
    assert [(e.subject, e.date) for e in out.events] == [("Sarah Chen", "2026-04")]


def test_pronouns_follow_the_conversation_and_skip_the_object_of_their_own_clause():
    history = ["Jonas Weber runs the data team at Globex Corp."]
    out = read("He reports to Amira Said. She's their COO.", history)
    assert ("Jonas Weber", "reports_to", "Amira Said") in out.relations
    assert ("Amira Said", "title", "COO") in out.facts
    out = read("Priya works with Dana Lee. She reports to Dana.",
               known={"priya": "person", "dana lee": "person"})
    assert ("Priya", "reports_to", "Dana") in out.relations


def test_corrections_and_moves_are_stated_as_new_values():
    out = read("Actually, Omar moved to Globex Corp. He's now Chief Architect there.",
               known={"omar": "person"})
    assert ("Omar", "works_at", "Globex Corp") in out.relations
    assert ("Omar", "title", "Chief Architect") in out.facts
    out = read("Big news: Lina has left Initech. She started at Hooli on May 4th.",
               known={"lina": "person", "initech": "company"})
    assert out.retire == [("Lina", "works_at", "Initech")]
    assert ("Lina", "works_at", "Hooli") in out.relations
    assert out.events[0].date == "2026-05-04" and "after leaving Initech" in \
        out.events[0].description


def test_attributes_of_companies_and_projects():
    out = read("Zenith Labs is a small biotech startup, also here in Porto. Their stack is mostly "
               "Go plus Postgres. Project Kite is stuck waiting for a security review.")
    facts = set(out.facts)
    assert ("Zenith Labs", "focus", "small biotech startup") in facts
    assert ("Zenith Labs", "city", "Porto") in facts
    assert ("Zenith Labs", "stack", "Go plus Postgres") in facts
    assert ("Project Kite", "status", "stuck waiting for a security review") in facts
    assert out.types["Project Kite"] == "project"


def test_introductions_investors_and_contact_details():
    out = read("Tom introduced me to Wei Zhang, Nimbus Capital's partner. Nimbus Capital led "
               "their Series A. Wei's email is wei@nimbus.example and his mobile is "
               "+1 555 0100 222.", ["Orbit Health builds sleep trackers."],
               known={"tom": "person", "orbit health": "company"})
    rels = set(out.relations)
    assert ("Wei Zhang", "introduced_by", "Tom") in rels
    assert ("Wei Zhang", "works_at", "Nimbus Capital") in rels
    assert ("Nimbus Capital", "invested_in", "Orbit Health") in rels
    facts = set(out.facts)
    assert {("Wei Zhang", "title", "partner"), ("Orbit Health", "funding_stage", "Series A"),
            ("Wei", "email", "wei@nimbus.example"), ("Wei", "phone", "+1 555 0100 222")} <= facts


def test_small_talk_places_titles_and_the_user_are_not_entities():
    assert read("Morning! The sun is out in Lisbon, so I'm in a good mood.").empty
    assert read("Hi, I'm Mia Lopez and I run a small fund.").empty
    assert name_type("VP Engineering") is None and name_type("Acme Robotics") == "company"
    assert name_type("Project Kite") == "project" and name_type("Dana Lee") == "person"
    assert split_sentences("Sarah O. is great. Mail me at a.b@c.example please.") == \
        ["Sarah O. is great.", "Mail me at a.b@c.example please."]
    reduced = reduce_sentence("Grace Liu, who founded the studio, is leading it.")
    assert len(reduced) == len("Grace Liu, who founded the studio, is leading it.")
    assert "who" not in reduced and "is leading" in reduced


def test_identity_reuses_renames_and_aliases_stored_entities():
    cards = {c.name.lower(): c for c in parse_cards(
        "Kenji (person)\n  - title: CEO (since 2026-03-10)\n"
        "Brightwater Health (company)\n"
        "Sarah Chen (person)\nSarah Okonkwo (person)\nAcme (company)")}
    out = read("Kenji Watanabe co-founded Brightwater. Sarah O. lives in Lisbon. "
               "Acme Robotics hired Sam.",
               known={"kenji": "person", "brightwater health": "company",
                      "sarah chen": "person", "sarah okonkwo": "person", "acme": "company"})
    ident = identify(out, cards)
    assert ident.renames == {"Kenji": "Kenji Watanabe", "Acme": "Acme Robotics"}
    assert ident.stored["Brightwater"] == "Brightwater Health"
    assert ident.stored["Sarah O."] == "Sarah Okonkwo"
    calls = [(c.name, c.arguments) for c in write_calls(out, cards)]
    assert ("update_entity", {"entity": "Kenji", "new_name": "Kenji Watanabe"}) in calls
    assert ("update_entity", {"entity": "Sarah Okonkwo", "add_aliases": ["Sarah O."]}) in calls
    assert not any(name == "create_entity" and args["name"].startswith("Sarah")
                   for name, args in calls)
