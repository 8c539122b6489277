"""The ipywidgets explorer builds headless, and its callbacks update for an entity and a time."""

from __future__ import annotations

import json

from tests.viz.conftest import BETWEEN
from workbench.viz.explorer import GraphExplorer

PNG = b"\x89PNG"


def test_explorer_shows_facts_relationships_events_and_history(memory, tmp_path):
    ex = GraphExplorer(memory, timeline=[("before the changes", BETWEEN)],
                       export_dir=tmp_path / "out")
    assert ex.time.options == ("before the changes", "now") and ex.time.value == "now"
    ex.show("Helen Park")
    now = ex.details.value
    assert "VP Product" in now and "Director of Product" in now and "superseded" in now
    assert "works_at → Acme Robotics" in now and "Promoted to VP Product" in now
    picture_now = bytes(ex.picture.value)
    assert picture_now.startswith(PNG)

    ex.show(when="before the changes")
    then = ex.details.value
    assert "Director of Product" in then and "VP Product" not in then
    assert "superseded" not in then and "Promoted" not in then
    assert bytes(ex.picture.value) != picture_now


def test_time_slider_retires_edges_and_hides_later_entities(memory, tmp_path):
    ex = GraphExplorer(memory, export_dir=tmp_path / "out")
    assert len(ex.time.options) == 3                   # two days the graph changed, and now
    ex.show("Marco Bellini", when="now")
    assert "works_at → Brightwater Health (retired)" in ex.details.value
    assert "works_at → Northwind Analytics" in ex.details.value
    ex.show("Northwind Analytics", when=0)
    assert "Not known yet" in ex.details.value


def test_search_filters_the_dropdown_and_exports_write_files(memory, tmp_path):
    ex = GraphExplorer(memory.entity_memory_store, export_dir=tmp_path / "out")
    ex.search.value = "bright"
    assert [label for label, _ in ex.entity.options] == ["Brightwater Health (company)"]
    ex.search.value = ""
    graphml = ex.export("graphml")
    data = json.loads(ex.export("json").read_text())
    assert graphml.exists() and "Helen Park" in graphml.read_text()
    assert {n["label"] for n in data["nodes"]} >= {"Helen Park", "Northwind Analytics"}
    assert "wrote" in ex.status.value
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()
