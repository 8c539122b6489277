"""What the offline Dash policy believes about the warehouse, read from the request only.

Beliefs come in *layers*, most authoritative first:

1. ``turn`` — evidence from this turn's tool results: an introspected table, a probe's rows,
   an error message ("no such function: DATE_TRUNC" means the engine is not Postgres);
2. one layer per learning in context (the ``<relevant_learnings>`` block, then
   ``search_learnings`` results, in their ranked order);
3. ``docs`` — the ``<warehouse_docs>`` block of the instructions (documentation, mistakes
   included);
4. the prior — what a capable model guesses on an unfamiliar warehouse (in ``concepts``).

A question resolves a key (a column, a value of an enum column, a fact) at the first layer
that says something about it. Nothing is cached between calls: the same request always gives
the same beliefs.
"""

from __future__ import annotations

import re
from typing import Any

from workbench.agents.dash.evidence import read_turn
from workbench.agents.dash.knowledge import TABLE_NAMES
from workbench.agents.dash.layers import Layer, Learning, Value
from workbench.models.offline import OfflineView

__all__ = ["Beliefs", "Layer", "Learning", "Value", "read_beliefs", "read_learnings"]

_MEMORY = re.compile(r"<memory>.*?</memory>", re.DOTALL)
_DOCS = re.compile(r"<warehouse_docs[^>]*>(.*?)</warehouse_docs>", re.DOTALL)
_LEARNING_HEAD = re.compile(r"^\[(?P<id>[^\]]+)\] (?P<title>.+)$")
_QUOTED = re.compile(r"'([^']{1,40})'")
_COLREF = re.compile(r"\b(" + "|".join(TABLE_NAMES) + r")\.(\w+)")
_NEGATED = re.compile(r"\b(?:not|no|never|instead of|rather than)\s+((?:'[^']*'|[\w.]+)"
                      r"(?:\s*(?:,|or|and|nor)\s*(?:'[^']*'|[\w.]+))*)", re.IGNORECASE)

# (fact key, value, pattern): read from documentation and learning text, one sentence at a
# time. Values are what the sentence asserts; the policy decides how far to trust them.
FACT_PATTERNS: list[tuple[str, Any, re.Pattern[str]]] = [(k, v, re.compile(p, re.IGNORECASE))
                                                         for k, v, p in [
    ("dialect", "sqlite", r"\b(?:warehouse|database|engine|dialect)\b[^.]{0,60}\bsqlite\b"
                          r"|\bsqlite\b[^.]{0,80}\b(?:strftime|julianday|date_trunc)"),
    ("storage", "level", r"storage_mb[^.]{0,80}\b(?:a level|not cumulative|snapshot)"),
    ("storage", "cumulative", r"storage_mb[^.]{0,60}\bcumulative|cumulative storage"),
    ("refund_paid_at", "null", r"refund[^.]{0,80}paid_at[^.]{0,40}\b(?:null|empty|never)\b"
                               r"|paid_at[^.]{0,40}\bnull\b[^.]{0,40}\brefund"),
    ("annual_timing", "anniversary", r"annual (?:plans?|subscriptions?)[^.]{0,120}\b(?:"
                                     r"anniversary|12 months after|a year after|renewal month)"),
    ("usage_days", "repeated", r"(?:usage_metrics|metric_date)[^.]{0,100}\b(?:duplicate|"
                               r"repeat|appear twice|distinct metric_date)"
                               r"|\b(?:repeats|duplicate)[^.]{0,40}customer-days"),
    ("usage_days", "unique", r"usage_metrics[^.]{0,60}\bone row per customer(?:-day| and "
                             r"(?:day|metric_date))"),
    ("trials", "paying", r"(?:customers\.status = 'trial'|trial (?:accounts|customers))[^.]{0,100}"
                        r"\b(?:pay|paying|in mrr|active paying)\b"),
    ("trials", "evaluating", r"trial[^.]{0,60}\bevaluat"),
    ("churn_rate", "period_base", r"churn[^.]{0,160}\b(?:running|active) at (?:\w+ ){0,2}start"),
    ("history", True, r"subscriptions[^.]{0,140}\b(?:history of plan periods|several "
                      r"(?:subscription )?rows|one row per plan period|closes the current row)"),
    ("enterprise", "ambiguous", r"company_size[^.]{0,40}enterprise[^.]{0,80}\bplan\b"),
    ("signup_gap", True, r"signup month[^.]{0,80}\bno (?:usage|activity)|no (?:usage|activity)"
                         r"[^.]{0,80}signup month"),
    ("midnight", True, r"timestamps?[^.]{0,40}\b(?:midnight|00:00:00)|\bwhole days\b"),
    ("end_month_activity", True, r"(?:end|churn|cancellation) month[^.]{0,80}\b(?:still|usage|"
                                 r"invoice)|activity continues through"),
    ("unrated", True, r"unrated|no satisfaction_score|satisfaction_score is null"),
    ("sampled", True, r"\bsampled\b"),
]]
_DATA_END = re.compile(r"\b(?:the data|warehouse|data window)\b[^.]{0,40}?\b(?:ends?|ended|stops?|"
                       r"runs? (?:through|until|to)|nothing after|no (?:data|rows) after)\b"
                       r"[^.\d]{0,20}(\d{4}-\d{2}-\d{2})", re.IGNORECASE)
_CUES = {"dialect": "sqlite", "storage": "storage", "refund_paid_at": "paid_at",
         "annual_timing": "annual", "usage_days": "", "trials": "trial", "churn_rate": "churn",
         "history": "subscriptions", "enterprise": "enterprise", "signup_gap": "signup month",
         "midnight": "", "unrated": "", "sampled": "sampled", "end_month_activity": "month"}
_ROW_LIMIT = re.compile(r"run_sql[^.]{0,80}?\b(\d+) rows\b", re.IGNORECASE)



def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.;])\s+|\n+", text) if s.strip()]


def _read_text(layer: Layer, text: str, *, table_hint: str | None = None,
               refs: bool = True) -> None:
    """Columns, values and facts asserted by free text (a learning or a docs sentence).

    With ``refs=False`` only facts are read (the docs' columns and values are structured).
    """
    for sentence in _sentences(text):
        if refs:
            _read_refs(layer, sentence)
        scoped = f"{table_hint}: {sentence}" if table_hint else sentence
        low = scoped.lower()
        for key, value, pattern in FACT_PATTERNS:
            # a cheap substring test first: most sentences mention none of the topics
            if key not in layer.facts and _CUES[key] in low and pattern.search(scoped):
                layer.facts[key] = value
        end = _DATA_END.search(sentence) if re.search(r"\d{4}-\d{2}-\d{2}", sentence) else None
        if end and "data_end" not in layer.facts:
            layer.facts["data_end"] = end.group(1)
        limit = _ROW_LIMIT.search(sentence) if "run_sql" in sentence else None
        if limit and "row_limit" not in layer.facts:
            layer.facts["row_limit"] = int(limit.group(1))


def _read_refs(layer: Layer, sentence: str) -> None:
    """``table.column`` mentions, listed columns and quoted values in one sentence."""
    negatives = {m.group(0) for m in _NEGATED.finditer(sentence)}
    positive = _NEGATED.sub(" ", sentence)
    for neg in negatives:
        for table, column in _COLREF.findall(neg):
            layer.missing.setdefault(table, set()).add(column)
    listed = re.search(r"columns of (\w+)\s*(?:are|:)\s*([\w, ]+)", positive, re.IGNORECASE)
    if listed and listed.group(1) in TABLE_NAMES:
        table = listed.group(1)
        layer.columns.setdefault(table, set()).update(
            c.strip() for c in listed.group(2).split(",") if c.strip())
        layer.complete.add(table)
    current: tuple[str, str] | None = None  # values belong to the last column named
    for clause in re.split(r";", positive):
        refs = _COLREF.findall(clause)
        for table, column in refs:
            layer.columns.setdefault(table, set()).add(column)
        current = refs[0] if refs else current
        values = _QUOTED.findall(clause)
        if current and values:
            layer.add_values(current[0], current[1], values, complete=False)


_ENUMERATION = re.compile(r"([A-Za-z_]+(?:, [A-Za-z_]+)+,? or [A-Za-z_]+|\((?:[A-Z]{2}, )+[A-Z]{2}\))")


def read_docs(text: str) -> Layer:
    """The docs layer: every documented table's columns, documented values, stated facts."""
    layer = Layer("docs")
    match = _DOCS.search(text)
    if not match:
        return layer
    table: str | None = None
    for line in match.group(1).splitlines():
        head = re.match(r"^### (\w+)", line)
        if head:
            table = head.group(1) if head.group(1) in TABLE_NAMES else None
            if table:
                layer.complete.add(table)
            continue
        column = re.match(r"^- (\w+) \((.*?)\): (.*)$", line)
        if table and column:
            layer.columns.setdefault(table, set()).add(column.group(1))
            listed = _ENUMERATION.search(column.group(3))
            if listed:
                values = re.findall(r"[A-Za-z_]+", listed.group(1))
                layer.add_values(table, column.group(1), [v for v in values if v != "or"],
                                 complete=False)
        _read_text(layer, line, table_hint=table, refs=False)
    return layer


def read_learnings(view: OfflineView) -> list[Learning]:
    """Learnings in context, in rank order: the recall block first, then search results."""
    texts = [m.group(0) for m in re.finditer(r"<relevant_learnings>.*?</relevant_learnings>",
                                             view.system, re.DOTALL)]
    texts += [r for c, r in view.turn_steps() if c.name == "search_learnings"]
    out: dict[str, Learning] = {}
    for text in texts:
        block: list[str] = []
        for line in text.splitlines() + ["[end] end"]:
            head = _LEARNING_HEAD.match(line.strip())
            if head and block:
                item = _parse_learning(block)
                if item and item.id not in out:
                    out[item.id] = item
                block = []
            if head:
                block = [line.strip()]
            elif block:
                block.append(line.strip())
    return list(out.values())


def _parse_learning(lines: list[str]) -> Learning | None:
    head = _LEARNING_HEAD.match(lines[0])
    if not head or len(lines) < 2:
        return None
    context, tags, body = "", (), lines[1]
    for line in lines[2:]:
        if line.startswith("when:"):
            context = line.removeprefix("when:").strip()
        elif line.startswith("tags:"):
            tags = tuple(t.strip() for t in line.removeprefix("tags:").split(","))
    return Learning(head.group("id"), head.group("title"), body, context, tags)


class Beliefs:
    """Layered beliefs with resolution helpers (see the module docstring)."""

    def __init__(self, layers: list[Layer], learnings: list[Learning]) -> None:
        self.layers = layers
        self.learnings = learnings

    def without_turn(self) -> Beliefs:
        """What the policy believed before this turn's evidence (to find what it learned)."""
        return Beliefs([layer for layer in self.layers if layer.source != "turn"],
                       self.learnings)

    def _value(self, value: Any, layer: Layer | None) -> Value:
        if layer is None:
            return Value(value)
        return Value(value, layer.source, layer.learning_id)

    def missing(self, table: str) -> set[str]:
        return set().union(*(layer.missing.get(table, set()) for layer in self.layers))

    def column(self, table: str, candidates: tuple[str, ...]) -> Value:
        """The first candidate a layer knows exists; else the first not known missing."""
        missing = self.missing(table)
        for layer in self.layers:
            known = layer.columns.get(table, set())
            hits = [c for c in candidates if c in known and c not in missing]
            if hits:
                return self._value(hits[0], layer)
        guess = next((c for c in candidates if c not in missing), candidates[0])
        return Value(guess)

    def known_columns(self, table: str) -> bool:
        return any(table in layer.complete for layer in self.layers)

    def values(self, table: str, column: str, candidates: tuple[str, ...], *,
               many: bool = False) -> Value:
        """Values of ``table.column`` that mean the concept ``candidates`` describes.

        The first layer listing a matching value decides (all matches if ``many``). A layer
        that lists the column's complete vocabulary without a match says "not in this
        column" (value None). Without any layer, the prior is the first candidate.
        """
        wanted = {_norm(c) for c in candidates}
        for layer in self.layers:
            listed = layer.vocab.get((table, column))
            if not listed:
                continue
            hits = [v for v in listed if _norm(v) in wanted]
            if hits:
                return self._value(tuple(hits) if many else (hits[0],), layer)
            if (table, column) in layer.vocab_complete:
                return self._value(None, layer)
        return Value((candidates[0],))

    def vocabulary(self, table: str, column: str) -> list[str]:
        for layer in self.layers:
            if (table, column) in layer.vocab_complete:
                return list(layer.vocab[(table, column)])
        return []

    def fact(self, key: str) -> Value:
        for layer in self.layers:
            if key in layer.facts:
                return self._value(layer.facts[key], layer)
        return Value(None)

    def disputed(self, key: str) -> bool:
        """Learnings in context disagree about a fact (and nothing in this turn settled it)."""
        said = [layer.facts[key] for layer in self.layers if key in layer.facts]
        sources = [layer.source for layer in self.layers if key in layer.facts]
        if "turn" in sources:
            return False
        learned = {v for v, src in zip(said, sources, strict=True) if src == "learning"}
        return len(learned) > 1


def _norm(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def read_beliefs(view: OfflineView) -> Beliefs:
    """Everything the request says: this turn's evidence, learnings in context, the docs."""
    learnings = read_learnings(view)
    layers = [read_turn(view)]
    for item in learnings:
        layer = Layer("learning", item.id)
        _read_text(layer, item.text)
        layers.append(layer)
    layers.append(read_docs(_MEMORY.sub("", view.system)))
    return Beliefs(layers, learnings)
