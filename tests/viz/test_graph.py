"""Entity-graph figures render headless, stay labelled sensibly, and compare against gold."""

from __future__ import annotations

import random

import matplotlib.pyplot as plt
import networkx as nx
import pytest

from tests.viz.conftest import BETWEEN
from workbench.viz.graph import (
    EdgeDiff,
    draw_entity_graph,
    draw_graph_comparison,
    edge_diff,
    layout,
    stress_layout,
)


def texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def legend(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().texts]


def test_draws_an_entity_graph_with_types_relations_and_model_note(memory):
    graph = memory.entity_memory_store.reload()
    fig = draw_entity_graph(graph, title="Contacts", model_label="offline (offline stand-in)")
    labels = texts(fig)
    assert {"Helen Park", "Acme Robotics", "works at", "involved in"} <= set(labels)
    assert set(legend(fig)) == {"company (3)", "person (2)", "project (1)"}
    assert any("offline stand-in" in t for t in labels)
    fig.canvas.draw()
    plt.close(fig)


def test_as_of_views_and_retired_edges(memory):
    graph = memory.entity_memory_store.reload()
    before = draw_entity_graph(graph, as_of=BETWEEN)
    assert "Northwind Analytics" not in texts(before)
    history = draw_entity_graph(graph, live_only=False)
    assert "retired (superseded)" in legend(history)
    plt.close("all")


def test_highlight_fades_everything_outside_the_neighbourhood(memory):
    graph = memory.entity_memory_store.reload()
    fig = draw_entity_graph(graph, highlight="Helen Park")
    alphas = [c.get_alpha() for c in fig.axes[0].collections if c.get_alpha() is not None]
    assert min(alphas) < 0.3 and max(alphas) > 0.9
    with pytest.raises(KeyError):
        draw_entity_graph(graph, highlight="Nobody")
    plt.close("all")


def test_large_graphs_label_only_the_best_connected_nodes():
    rnd = random.Random(1)
    g = nx.MultiDiGraph()
    for i in range(140):
        g.add_node(i, label=f"E{i}", entity_type=rnd.choice(["person", "company", "project"]))
    for _ in range(260):
        g.add_edge(rnd.randrange(140), rnd.randrange(140), relation="works_at")
    fig = draw_entity_graph(g, max_labels=15)
    node_labels = [t for t in texts(fig) if t.startswith("E")]
    assert len(node_labels) == 15 and "works at" not in texts(fig)
    assert layout(g, seed=3) == layout(g, seed=3)
    plt.close(fig)


def test_stress_layout_keeps_path_distances():
    path = nx.path_graph(6)
    pos = stress_layout(path, seed=0)
    d = lambda a, b: ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5  # noqa: E731
    assert d(0, 5) == pytest.approx(5, rel=0.05) and d(0, 1) == pytest.approx(1, rel=0.1)


def test_comparison_counts_and_colours_each_kind():
    gold = [("Ana", "works_at", "Northwind"), ("Ana", "leads", "Atlas"),
            ("Bob", "works_at", "Northwind")]
    learned = [("Ana", "works_at", "Northwind"), ("Bob", "works_at", "Acme")]
    diff = edge_diff(learned, gold)
    assert diff.counts == {"matched": 1, "missing": 2, "extra": 1}
    types = {"Ana": "person", "Bob": "person", "Northwind": "company", "Acme": "company",
             "Atlas": "project"}
    for mode in ("overlay", "side_by_side"):
        fig = draw_graph_comparison(diff, node_types=types, mode=mode, model_label="offline")
        assert {"matching: 1", "missing (gold only): 2", "extra (learned only): 1"} <= \
            set(legend(fig))
        plt.close(fig)
    with pytest.raises(ValueError):
        draw_graph_comparison(EdgeDiff(), mode="sideways")
