"""Drawing entity graphs: one graph, or a learned graph against a gold one.

``draw_entity_graph`` takes an :class:`~workbench.storage.graph.EntityGraph` (any view
arguments: ``scope``, ``as_of``, ``live_only``) or a plain networkx graph with the same node
attributes (``label``, ``entity_type``) and edge attribute ``relation``. Nodes are coloured by
type (legend with counts), sized by degree, and laid out per connected component by stress
majorisation (a seeded, numpy-only Kamada-Kawai), so a figure is reproducible. Large graphs stay readable: only the best-connected nodes are labelled
and edge labels are dropped above a threshold. ``highlight`` brings one entity's neighbourhood
forward and fades the rest.

``draw_graph_comparison`` shows an :class:`EdgeDiff` — matching, missing and extra edges
(colour-coded, with counts) — as one overlay or side by side. Every figure can carry the
model note of :mod:`workbench.viz.learning` (offline numbers marked as the stand-in).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from workbench.viz.learning import label_figure

TYPE_COLORS = {"person": "#4C72B0", "company": "#DD8452", "project": "#55A868",
               "product": "#8172B2", "event": "#937860", "place": "#DA8BC3",
               "unknown": "#8C8C8C"}
_EXTRA_COLORS = ["#CCB974", "#64B5CD", "#C44E52", "#8C564B", "#17BECF", "#BCBD22"]
DIFF_STYLES = {"matched": ("#2E8B57", "solid", "matching"),
               "missing": ("#C44E52", "dashed", "missing (gold only)"),
               "extra": ("#E3A21A", "dotted", "extra (learned only)")}
LABEL_ALL_UP_TO = 40
EDGE_LABELS_UP_TO = 60


def as_view(graph: Any, **view_args: Any) -> nx.MultiDiGraph:
    """A plain networkx graph from an EntityGraph (``view(**view_args)``) or a graph."""
    if hasattr(graph, "view") and not isinstance(graph, nx.Graph):
        return graph.view(**view_args)
    return graph


def type_colors(types: Iterable[str]) -> dict[str, str]:
    """A stable colour per entity type (known types keep their colour)."""
    out, spare = {}, iter(_EXTRA_COLORS * 4)
    for t in sorted(set(types)):
        out[t] = TYPE_COLORS.get(t) or next(spare)
    return out


def stress_layout(g: nx.Graph, *, seed: int = 0, iterations: int = 200) -> dict[Any, Any]:
    """Stress majorisation (SMACOF): place nodes so that drawn distances follow path lengths.

    The same objective Kamada-Kawai optimises, in plain numpy (no scipy): chains stay
    stretched and dense clusters open up instead of collapsing at the ends of a spring layout.
    """
    nodes = list(g)
    n = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    dist = np.zeros((n, n))
    for source, lengths in nx.all_pairs_shortest_path_length(g):
        for target, d in lengths.items():
            dist[index[source], index[target]] = d
    weights = np.where(dist > 0, 1.0 / np.maximum(dist, 1e-9) ** 2, 0.0)
    lap = -weights
    lap[np.diag_indices(n)] = weights.sum(axis=1)
    lap_pinv = np.linalg.pinv(lap)
    x = np.random.default_rng(seed).normal(size=(n, 2))
    for _ in range(iterations):
        gaps = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=-1)
        b = -weights * dist / np.maximum(gaps, 1e-9)
        b[np.diag_indices(n)] = 0.0
        b[np.diag_indices(n)] = -b.sum(axis=1)
        moved = lap_pinv @ b @ x
        if np.abs(moved - x).max() < 1e-4:
            x = moved
            break
        x = moved
    return {node: (float(x[i, 0]), float(x[i, 1])) for node, i in index.items()}


def _component_layout(g: nx.Graph, seed: int) -> dict[Any, Any]:
    n = g.number_of_nodes()
    if n == 1:
        return {next(iter(g)): (0.0, 0.0)}
    if n == 2:
        a, b = list(g)
        return {a: (-0.5, 0.0), b: (0.5, 0.0)}
    if n <= 400:
        return stress_layout(g, seed=seed)
    try:   # spring coordinates live in [-1, 1]: scale them to about one unit per edge
        pos = nx.spring_layout(g, k=2.2 / math.sqrt(n), iterations=100, seed=seed)
    except ImportError:  # very large components need scipy for the sparse solver
        pos = nx.circular_layout(g)
    return {v: (x * math.sqrt(n), y * math.sqrt(n)) for v, (x, y) in pos.items()}


def _landscape(pos: dict[Any, Any]) -> dict[Any, tuple[float, float]]:
    """Rotate a component so its longest extent runs left-right (figures are landscape)."""
    nodes = list(pos)
    xy = np.array([pos[n] for n in nodes], dtype=float)
    xy -= xy.mean(axis=0)
    if len(nodes) > 2:
        _, vectors = np.linalg.eigh(xy.T @ xy)
        xy = xy @ vectors[:, ::-1]          # principal axis first
    return {n: (float(x), float(y)) for n, (x, y) in zip(nodes, xy, strict=True)}


def layout(g: nx.Graph, *, seed: int = 0) -> dict[Any, tuple[float, float]]:
    """A seeded layout: each connected component is laid out by stress majorisation (edges
    about one unit long, so spacing is the same in every component), turned landscape, and
    the components are packed in rows, largest first. Deterministic for a given seed."""
    if g.number_of_nodes() == 0:
        return {}
    simple = nx.Graph(g.to_undirected()) if g.is_directed() or g.is_multigraph() else g
    parts = sorted(nx.connected_components(simple), key=lambda c: (-len(c), sorted(map(str, c))))
    boxes = []
    for part in parts:
        pos = _landscape(_component_layout(simple.subgraph(part), seed))
        xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
        boxes.append((pos, min(xs), max(ys), max(max(xs) - min(xs), 0.6),
                      max(max(ys) - min(ys), 0.6)))
    gap = 1.0
    row_width = max(max(b[3] for b in boxes),
                    math.sqrt(sum((b[3] + gap) * (b[4] + gap) for b in boxes)) * 1.5)
    out: dict[Any, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for pos, left, top, width, height in boxes:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y - row_height - gap, 0.0
        for node, (px, py) in pos.items():
            out[node] = (x + px - left, y - (top - py))
        x += width + gap
        row_height = max(row_height, height)
    return out


def _above(pos: Mapping[Any, tuple[float, float]], nodes: Iterable[Any],
           labels: Mapping[Any, str] | None = None, *, frame: bool = False
           ) -> dict[Any, tuple[float, float]]:
    """Label positions next to the drawn nodes, so labels do not hide node colours: above the
    node, or below it when the space above is taken by a neighbour's label (greedy, by x).
    With ``frame`` the spacing follows all of ``pos`` (the axes show all of it)."""
    shown = {n: pos[n] for n in nodes}
    if not shown:
        return {}
    extent = pos.values() if frame else shown.values()
    xs = [p[0] for p in extent]
    ys = [p[1] for p in extent]
    scale = max(max(xs) - min(xs), max(ys) - min(ys), 1.5)
    lift = 0.022 * scale
    char = scale / 110                                  # ~110 label characters across a figure
    placed: list[tuple[float, float, float, float]] = []
    out = {}
    for n, (x, y) in sorted(shown.items(), key=lambda item: (item[1][0], item[1][1])):
        text = str((labels or {}).get(n, n))
        half = 0.5 * char * max(len(line) for line in text.split("\n"))
        tall = lift * 1.3 * (text.count("\n") + 1)
        for dy in (lift, -lift):
            low, high = (y + dy, y + dy + tall) if dy > 0 else (y + dy - tall, y + dy)
            box = (x - half, x + half, low, high)
            clash = any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3]
                        for b in placed)
            if not clash or dy < 0:
                placed.append(box)
                out[n] = (x, y + dy)
                break
    return out


def _draw_labels(ax: plt.Axes, g: nx.Graph, pos: Mapping[Any, tuple[float, float]],
                 spots: Mapping[Any, tuple[float, float]], names: Mapping[Any, str],
                 size: float) -> None:
    """Labels sit on top of their spot when above the node, hang from it when below."""
    box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7}
    for above, align in ((True, "bottom"), (False, "top")):
        chosen = {n: names[n] for n, (_, y) in spots.items() if (y > pos[n][1]) == above}
        if chosen:
            nx.draw_networkx_labels(g, {n: spots[n] for n in chosen}, labels=chosen, ax=ax,
                                    font_size=size, verticalalignment=align, bbox=box)


def _edge_live(data: Mapping[str, Any], as_of: str | None) -> bool:
    """Was the edge live at ``as_of`` (or now)? A view carries today's flag and valid_to."""
    if as_of:
        end = data.get("valid_to")
        return not end or end > as_of
    return data.get("live", True) not in (False, "False", 0)


def _label(g: nx.Graph, node: Any) -> str:
    return str(g.nodes[node].get("label") or node)


def _find(g: nx.Graph, wanted: Any) -> Any:
    if wanted is None or wanted in g:
        return wanted
    lowered = str(wanted).casefold()
    for node, data in g.nodes(data=True):
        names = [str(data.get("label", ""))] + str(data.get("aliases", "")).split(", ")
        if lowered in (n.casefold() for n in names if n):
            return node
    raise KeyError(f"no entity called {wanted!r} in the graph")


def draw_entity_graph(graph: Any, *, ax: plt.Axes | None = None, title: str | None = None,
                      model_label: str | None = None, highlight: Any = None, radius: int = 1,
                      max_labels: int = 20, edge_labels: bool | None = None, seed: int = 0,
                      pos: Mapping[Any, tuple[float, float]] | None = None,
                      figsize: tuple[float, float] = (10, 7.5), **view_args: Any) -> plt.Figure:
    """Draw an entity graph (see the module docstring).

    Args:
        graph: an EntityGraph or a networkx graph with ``label``/``entity_type`` on nodes.
        highlight: an entity key or name; its ``radius``-neighbourhood is emphasised.
        max_labels: above ``LABEL_ALL_UP_TO`` nodes, label only this many (highest degree).
        edge_labels: relation names on edges (default: when there are few edges).
        pos: fixed node positions, e.g. ``layout(final_view)`` to compare snapshots of a
            growing graph; the axes then frame all of ``pos``, so the snapshots line up.
        view_args: ``scope``, ``as_of``, ``live_only`` for an EntityGraph.
    """
    g = as_view(graph, **view_args)
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=figsize)
    ax.set_axis_off()
    if g.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "empty graph", ha="center", va="center", color="#777777")
        return label_figure(fig, model_label, title)
    fixed = pos is not None
    pos = dict(pos) if pos is not None else layout(g, seed=seed)
    missing_pos = [n for n in g if n not in pos]
    if missing_pos:
        pos.update(layout(g.subgraph(missing_pos), seed=seed))
    types = {n: str(d.get("entity_type") or "unknown") for n, d in g.nodes(data=True)}
    colors = type_colors(types.values())
    degree = dict(nx.Graph(g.to_undirected()).degree())
    focus = set(g)
    center = _find(g, highlight)
    if center is not None:
        focus = set(nx.ego_graph(g.to_undirected(), center, radius=radius))
    faded = 0.15
    for kind in sorted(set(types.values())):
        nodes = [n for n in g if types[n] == kind]
        for group, alpha in (([n for n in nodes if n in focus], 0.95),
                             ([n for n in nodes if n not in focus], faded)):
            if group:
                nx.draw_networkx_nodes(g, pos, nodelist=group, ax=ax, node_color=colors[kind],
                                       alpha=alpha, edgecolors="white",
                                       node_size=[140 + 70 * min(degree[n], 12) for n in group])
    if center is not None:
        nx.draw_networkx_nodes(g, pos, nodelist=[center], ax=ax, node_color="none",
                               edgecolors="black", linewidths=2.0,
                               node_size=240 + 70 * min(degree[center], 12))
    edges = list(g.edges(keys=True, data=True)) if g.is_multigraph() else \
        [(s, t, 0, d) for s, t, d in g.edges(data=True)]
    as_of = view_args.get("as_of")
    for s, t, _, d in edges:
        live = _edge_live(d, as_of)
        inside = s in focus and t in focus
        nx.draw_networkx_edges(g, pos, edgelist=[(s, t)], ax=ax, arrows=True, arrowsize=10,
                               edge_color="#555555" if live else "#AAAAAA",
                               style="solid" if live else "dashed",
                               alpha=0.8 if inside else faded, width=1.2,
                               connectionstyle="arc3,rad=0.08", node_size=300)
    many = g.number_of_nodes() > LABEL_ALL_UP_TO
    labelled = set(g) if not many else set(sorted(g, key=lambda n: (-degree[n], _label(g, n)))
                                           [:max_labels])
    if center is not None:
        labelled |= focus if len(focus) <= max_labels else {center}
    names = {n: _label(g, n) for n in labelled}
    spots = _above(pos, labelled, names, frame=fixed)
    ax.update_datalim(list(spots.values()))          # keep labels of edge nodes inside the axes
    _draw_labels(ax, g, pos, spots, names, 8 if not many else 7)
    show_edge_labels = edge_labels if edge_labels is not None else len(edges) <= EDGE_LABELS_UP_TO
    if show_edge_labels or center is not None:
        chosen = {(s, t): str(d.get("relation", "")).replace("_", " ") for s, t, _, d in edges
                  if show_edge_labels or (s in focus and t in focus)}
        nx.draw_networkx_edge_labels(g, pos, edge_labels=chosen, ax=ax, font_size=6.5,
                                     font_color="#333333", rotate=False,
                                     bbox={"boxstyle": "round,pad=0.1", "fc": "white",
                                           "ec": "none", "alpha": 0.6})
    counts = Counter(types.values())
    handles = [Patch(color=colors[k], label=f"{k} ({counts[k]})") for k in sorted(counts)]
    if any(not _edge_live(d, as_of) for *_, d in edges):
        handles.append(Line2D([], [], color="#AAAAAA", ls="dashed", label="retired (superseded)"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
              frameon=False)
    ax.margins(0.08)
    if fixed:   # given positions share one frame, so snapshots of a growing graph line up
        xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
        pad_x, pad_y = 0.08 * (max(xs) - min(xs) or 1), 0.12 * (max(ys) - min(ys) or 1)
        ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
        ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
        ax.set_aspect("equal", adjustable="box")
    else:       # true distances: a flat graph stays flat instead of being stretched
        ax.set_aspect("equal", adjustable="datalim")
    sub = f"{g.number_of_nodes()} entities, {len(edges)} relationships"
    if view_args.get("as_of"):
        sub += f" — as of {view_args['as_of']}"
    ax.set_title(sub, fontsize=9, color="#444444")
    return label_figure(fig, model_label, title)


# --------------------------------------------------------------------------- comparison

Edge = tuple[str, str, str]


@dataclass
class EdgeDiff:
    """Edges of a learned graph against a gold graph, by node label."""

    matched: list[Edge] = field(default_factory=list)
    missing: list[Edge] = field(default_factory=list)
    extra: list[Edge] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"matched": len(self.matched), "missing": len(self.missing),
                "extra": len(self.extra)}


def edge_diff(learned: Iterable[Edge], gold: Iterable[Edge]) -> EdgeDiff:
    """Compare (source, relation, target) triples exactly (align names beforehand)."""
    learned_set, gold_set = list(dict.fromkeys(learned)), list(dict.fromkeys(gold))
    gold_keys = set(gold_set)
    learned_keys = set(learned_set)
    return EdgeDiff(matched=[e for e in gold_set if e in learned_keys],
                    missing=[e for e in gold_set if e not in learned_keys],
                    extra=[e for e in learned_set if e not in gold_keys])


def _diff_graph(diff: EdgeDiff, kinds: Iterable[str], node_types: Mapping[str, str]
                ) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for kind in kinds:
        for s, r, t in getattr(diff, kind):
            for n in (s, t):
                g.add_node(n, label=n, entity_type=node_types.get(n, "unknown"))
            g.add_edge(s, t, relation=r, diff=kind)
    return g


def _draw_diff(ax: plt.Axes, g: nx.MultiDiGraph, pos: Mapping[str, tuple[float, float]],
               node_types: Mapping[str, str], edge_labels: bool) -> None:
    ax.set_axis_off()
    ax.margins(0.08)
    ax.set_aspect("equal", adjustable="datalim")
    colors = type_colors(node_types.get(n, "unknown") for n in g)
    nx.draw_networkx_nodes(g, pos, ax=ax, node_size=260, edgecolors="white",
                           node_color=[colors[node_types.get(n, "unknown")] for n in g])
    names = {n: str(n) for n in g}
    spots = _above(pos, g, names)
    ax.update_datalim(list(spots.values()))
    _draw_labels(ax, g, pos, spots, names, 7)
    for s, t, d in g.edges(data=True):
        color, style, _ = DIFF_STYLES[d["diff"]]
        nx.draw_networkx_edges(g, pos, edgelist=[(s, t)], ax=ax, edge_color=color, style=style,
                               width=1.6 if d["diff"] == "matched" else 2.6, arrows=True,
                               arrowsize=12, node_size=300, connectionstyle="arc3,rad=0.08")
    if edge_labels:
        labels = {(s, t): d["relation"].replace("_", " ") for s, t, d in g.edges(data=True)}
        nx.draw_networkx_edge_labels(g, pos, edge_labels=labels, ax=ax, font_size=6,
                                     rotate=False, bbox={"boxstyle": "round,pad=0.1",
                                                         "fc": "white", "ec": "none",
                                                         "alpha": 0.6})


def draw_graph_comparison(diff: EdgeDiff, *, node_types: Mapping[str, str] | None = None,
                          mode: str = "overlay", title: str | None = None,
                          model_label: str | None = None, seed: int = 0,
                          edge_labels: bool | None = None) -> plt.Figure:
    """Learned vs. gold edges: green = matching, red dashed = missing, amber dotted = extra.

    ``mode="overlay"`` draws one union graph; ``"side_by_side"`` draws the gold graph (matching
    + missing) next to the learned one (matching + extra) with shared positions.
    """
    node_types = dict(node_types or {})
    union = _diff_graph(diff, ("matched", "missing", "extra"), node_types)
    pos = layout(union, seed=seed)
    labels = edge_labels if edge_labels is not None else \
        union.number_of_edges() <= EDGE_LABELS_UP_TO
    if mode == "side_by_side":
        fig, axes = plt.subplots(1, 2, figsize=(15, 7))
        for ax, kinds, name in ((axes[0], ("matched", "missing"), "gold graph"),
                                (axes[1], ("matched", "extra"), "learned graph")):
            _draw_diff(ax, _diff_graph(diff, kinds, node_types), pos, node_types, labels)
            ax.set_title(name, fontsize=10)
        legend_ax = axes[1]
    elif mode == "overlay":
        fig, legend_ax = plt.subplots(figsize=(11, 8))
        _draw_diff(legend_ax, union, pos, node_types, labels)
    else:
        raise ValueError("mode must be 'overlay' or 'side_by_side'")
    counts = diff.counts
    handles = [Line2D([], [], color=c, ls=s, lw=2, label=f"{label}: {counts[k]}")
               for k, (c, s, label) in DIFF_STYLES.items()]
    kinds = Counter(node_types.get(n, "unknown") for n in union)
    colors = type_colors(kinds)
    handles += [Patch(color=colors[k], label=f"{k} ({kinds[k]})") for k in sorted(kinds)]
    legend_ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8,
                     frameon=False)
    return label_figure(fig, model_label, title or "Learned vs. gold relationships")
