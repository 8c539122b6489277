"""An ipywidgets explorer for an entity graph, for JupyterLab.

Pick an entity (a filter box narrows the dropdown) and see its facts — live and superseded,
with valid-from / valid-to —, its relationships and its events, next to a drawing of its
neighbourhood. A slider moves through time (turns of a conversation, or the dates the graph
changed) and shows everything as it was then, through ``EntityGraph`` ``as_of`` views. Two
buttons export the graph (at the slider's time) to GraphML and node-link JSON.

Everything renders to plain widget values (HTML text, PNG bytes), so the explorer can be
built and driven without a browser — which is how the tests check it.
"""

from __future__ import annotations

import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt

from workbench.storage.graph import EntityGraph
from workbench.viz.graph import draw_entity_graph

NOW = "now"
_DETAIL = ("title", "status", "focus")


def _graph_of(source: Any) -> EntityGraph:
    if isinstance(source, EntityGraph):
        return source
    if hasattr(source, "reload"):          # an EntityMemoryStore
        return source.reload()
    if hasattr(source, "entity_memory_store"):  # a LearningMachine
        return source.entity_memory_store.reload()
    raise TypeError(f"expected an EntityGraph, an entity store or a LearningMachine: {source!r}")


def _timeline(graph: EntityGraph, timeline: Sequence[Any] | None) -> list[tuple[str, str]]:
    """(label, as_of) points: given stamps / pairs, else the days on which the graph changed."""
    if timeline:
        points = []
        for item in timeline:
            if isinstance(item, tuple):
                points.append((str(item[0]), str(item[1])))
            else:   # a Stamp-like object
                points.append((f"turn {item.turn} ({item.date})", str(item.as_of)))
        return points
    moments = set()
    for key in graph.keys(include_archived=True):
        node = graph.node(key)
        moments.add(node["created_at"])
        moments.update(f["valid_from"] for f in graph.facts(key, live_only=False))
        moments.update(e["recorded_at"] for e in graph.events(key))
    days = sorted({m[:10] for m in moments if m})
    return [(day, f"{day}T23:59:59Z") for day in days]


def _status(item: dict[str, Any], as_of: str | None) -> bool:
    if as_of is None:
        return bool(item.get("live", True))
    end = item.get("valid_to")
    return not end or end > as_of


class GraphExplorer:
    """Browse entities, their history, and the graph over time.

    Args:
        source: an EntityGraph, an EntityMemoryStore or a LearningMachine.
        timeline: points for the time slider: ``Stamp`` objects (from
            ``workbench.agents.contacts.experiment.teach``) or ``(label, as_of)`` pairs;
            default: every day the graph changed. "now" is always the last point.
        scope: only this scope's entities.
        radius: neighbourhood radius in the drawing.
        model_label: named under the drawing (offline runs are marked as the stand-in).
    """

    def __init__(self, source: Any, *, timeline: Sequence[Any] | None = None,
                 scope: str | None = None, radius: int = 1, model_label: str | None = None,
                 export_dir: str | Path = "exports") -> None:
        self.graph = _graph_of(source)
        self.scope = scope
        self.radius = radius
        self.model_label = model_label
        self.export_dir = Path(export_dir)
        self.points = [*_timeline(self.graph, timeline), (NOW, "")]
        keys = sorted(self.graph.keys(scope, include_archived=True),
                      key=lambda k: self.graph.node(k)["name"].casefold())
        self._all = [(f"{self.graph.node(k)['name']} ({self.graph.node(k)['entity_type']})", k)
                     for k in keys]
        self.search = widgets.Text(placeholder="filter entities…", description="Find")
        self.entity = widgets.Dropdown(options=self._all, description="Entity",
                                       layout=widgets.Layout(width="360px"))
        self.time = widgets.SelectionSlider(options=[label for label, _ in self.points],
                                            value=NOW, description="As of",
                                            continuous_update=False,
                                            layout=widgets.Layout(width="640px"))
        self.details = widgets.HTML()
        self.picture = widgets.Image(format="png", layout=widgets.Layout(width="520px"))
        self.status = widgets.HTML()
        self.to_graphml = widgets.Button(description="Export GraphML", icon="download")
        self.to_json = widgets.Button(description="Export node-link JSON", icon="download")
        self.search.observe(self._on_search, names="value")
        self.entity.observe(lambda _: self.refresh(), names="value")
        self.time.observe(lambda _: self.refresh(), names="value")
        self.to_graphml.on_click(lambda _: self.export("graphml"))
        self.to_json.on_click(lambda _: self.export("json"))
        self.widget = widgets.VBox([
            widgets.HBox([self.search, self.entity]), self.time,
            widgets.HBox([self.details, self.picture]),
            widgets.HBox([self.to_graphml, self.to_json, self.status])])
        self.refresh()

    # -- state ------------------------------------------------------------------------------

    @property
    def as_of(self) -> str | None:
        """The slider's moment (None for "now")."""
        return dict(self.points).get(self.time.value) or None

    def show(self, entity: str | None = None, when: str | int | None = None) -> GraphExplorer:
        """Select an entity (key or name) and a time point (label, index or "now")."""
        if entity is not None:
            matches = [k for label, k in self._all
                       if entity in (k, self.graph.node(k)["name"]) or label.startswith(entity)]
            if not matches:
                raise KeyError(f"no entity {entity!r}")
            self.search.value = ""
            self.entity.value = matches[0]
        if when is not None:
            labels = [label for label, _ in self.points]
            self.time.value = labels[when] if isinstance(when, int) else str(when)
        return self

    def _on_search(self, change: dict[str, Any]) -> None:
        text = str(change["new"]).casefold()
        options = [o for o in self._all if text in o[0].casefold()] or self._all
        current = self.entity.value
        self.entity.options = options
        if current in [k for _, k in options]:
            self.entity.value = current

    # -- rendering --------------------------------------------------------------------------

    def refresh(self) -> None:
        key = self.entity.value
        if key is None:
            self.details.value = "<i>no entities yet</i>"
            return
        self.details.value = self.details_html(key, self.as_of)
        self.picture.value = self.picture_png(key, self.as_of)

    def details_html(self, key: str, as_of: str | None) -> str:
        """Facts (live and superseded), relationships and events of one entity, as of then."""
        g, esc = self.graph, html.escape
        node = g.node(key)
        head = (f"<h4 style='margin:4px 0'>{esc(node['name'])} <small>({esc(node['entity_type'])}"
                + (f"; aka {esc(', '.join(node['aliases']))}" if node["aliases"] else "")
                + ")</small></h4>")
        if as_of and node["created_at"] > as_of:
            return head + f"<p><i>Not known yet at {esc(as_of)}.</i></p>"
        cell = "style='padding:1px 6px;border-bottom:1px solid #eee'"
        rows = []
        for f in g.facts(key, as_of=as_of, live_only=False):
            live = _status(f, as_of)
            until = f.get("valid_to") if f.get("valid_to") and (not as_of or
                                                                   f["valid_to"] <= as_of) else ""
            style = "" if live else "color:#999;text-decoration:line-through"
            rows.append(f"<tr style='{style}'><td {cell}>{esc(f['attribute'])}</td>"
                        f"<td {cell}>{esc(str(f['value']))}</td>"
                        f"<td {cell}>{esc(f['valid_from'][:16])}</td>"
                        f"<td {cell}>{esc((until or '')[:16])}</td>"
                        f"<td {cell}>{'live' if live else 'superseded'}</td></tr>")
        facts = ("<table><tr><th>attribute</th><th>value</th><th>valid from</th>"
                 "<th>valid to</th><th></th></tr>" + "".join(rows) + "</table>") if rows \
            else "<p><i>no facts</i></p>"
        rels = []
        for e in g.edges(key, as_of=as_of, live_only=False):
            live = _status(e, as_of)
            other = e["target_key"] if e["source_key"] == key else e["source_key"]
            name = esc(g.node(other)["name"]) if g.has(other) else esc(other)
            text = (f"{esc(e['relation'])} → {name}" if e["source_key"] == key
                    else f"{name} → {esc(e['relation'])} → this")
            rels.append(f"<li style='{'' if live else 'color:#999'}'>{text}"
                        f"{'' if live else ' (retired)'}</li>")
        events = [f"<li>{esc(ev.get('date') or '?')}: {esc(ev['description'])}</li>"
                  for ev in g.events(key, as_of=as_of)]
        return (head + "<b>Facts</b>" + facts
                + "<b>Relationships</b><ul>" + ("".join(rels) or "<li><i>none</i></li>")
                + "</ul><b>Events</b><ul>" + ("".join(events) or "<li><i>none</i></li>")
                + "</ul>")

    def picture_png(self, key: str, as_of: str | None) -> bytes:
        """A PNG of the entity's neighbourhood as it was at ``as_of``."""
        view = self.graph.neighbourhood(key, radius=self.radius, as_of=as_of, scope=self.scope)
        for _, data in view.nodes(data=True):   # a second label line: title / status / focus
            facts = json.loads(data.get("facts") or "{}")
            detail = next((str(facts[a]) for a in _DETAIL if a in facts), "")
            if detail:
                data["label"] = f"{data['label']}\n{detail[:28]}"
        fig, ax = plt.subplots(figsize=(6, 4.5))
        draw_entity_graph(view, ax=ax, highlight=key if key in view else None,
                          model_label=self.model_label, edge_labels=True,
                          title=f"{self.graph.node(key)['name']} — as of "
                                f"{self.time.value if as_of else 'now'}")
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=90)
        plt.close(fig)
        return buffer.getvalue()

    def export(self, kind: str = "graphml") -> Path:
        """Write the graph at the slider's time as GraphML or node-link JSON."""
        self.export_dir.mkdir(parents=True, exist_ok=True)
        stamp = (self.as_of or "now").replace(":", "").replace("-", "")
        view_args = {"as_of": self.as_of, "scope": self.scope}
        if kind == "graphml":
            path = self.graph.write_graphml(self.export_dir / f"graph-{stamp}.graphml",
                                            **view_args)
        else:
            path = self.graph.write_node_link(self.export_dir / f"graph-{stamp}.json",
                                              **view_args)
        self.status.value = f"wrote <code>{html.escape(str(path))}</code>"
        return path

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
