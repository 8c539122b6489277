"""A single self-contained HTML report: tables and plots embedded, model and versions named."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
color:#222;line-height:1.45;padding:0 1em}
h1{margin-bottom:.2em} h2{border-bottom:2px solid #eee;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right} th{background:#f6f6f6}
td:first-child,th:first-child{text-align:left}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em 1em;font-size:.9em}
.meta{color:#666;font-size:.85em} img{max-width:100%;border:1px solid #eee;margin:.4em 0}
"""


def figure_to_data_uri(fig) -> str:
    """A matplotlib figure as an embedded PNG data URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@dataclass
class Section:
    """One agent's part of the report."""

    title: str
    intro: str = ""
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_figure(self, caption: str, fig) -> None:
        import matplotlib.pyplot as plt

        self.figures.append((caption, figure_to_data_uri(fig)))
        plt.close(fig)

    def render(self) -> str:
        parts = [f"<h2>{html.escape(self.title)}</h2>"]
        if self.intro:
            parts.append(f"<p>{html.escape(self.intro)}</p>")
        for note in self.notes:
            parts.append(f"<p class='note'>{html.escape(note)}</p>")
        for caption, table in self.tables:
            parts.append(f"<h3>{html.escape(caption)}</h3>")
            parts.append(table.to_html(index=False, float_format=lambda v: f"{v:.3g}",
                                       border=0, na_rep="–"))
        for caption, uri in self.figures:
            parts.append(f"<figure><img src='{uri}' alt='{html.escape(caption)}'>"
                         f"<figcaption class='meta'>{html.escape(caption)}</figcaption></figure>")
        return "\n".join(parts)


def write_report(path: str | Path, *, title: str, model_label: str, sections: list[Section],
                 summary: pd.DataFrame | None = None, meta: dict[str, str] | None = None) -> Path:
    """Write the report as one HTML file (no external assets) and return its path."""
    path = Path(path)
    offline = "offline" in model_label
    meta = {"generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "model": model_label, **(meta or {})}
    head = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in meta.items())
    banner = ("<p class='note'>All numbers in this report come from the <b>offline stand-in "
              "model</b>: a deterministic policy that sees only the prompt and tool results. "
              "They measure whether the memory system saves, retrieves and injects the right "
              "items — not how a real language model would perform.</p>") if offline else ""
    body = [f"<h1>{html.escape(title)}</h1>", banner, f"<table>{head}</table>"]
    if summary is not None and not summary.empty:
        body += ["<h2>Summary</h2>", summary.to_html(index=False, float_format=lambda v: f"{v:.3g}",
                                                     border=0, na_rep="–")]
    body += [s.render() for s in sections]
    document = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
                f"</title><style>{CSS}</style></head><body>{''.join(body)}</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, encoding="utf-8")
    return path
