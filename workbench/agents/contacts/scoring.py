"""Score a learned entity graph against the gold world, and probe answers against gold answers.

Graph metrics compare two :class:`GraphSnapshot` objects (learned vs. gold), so they can be
tested on small hand-built graphs and never depend on how an entity memory stores things.
Every metric returns its numbers together with the matched, missing and extra items.

Conventions:

- Precision is ``tp / n_learned`` and recall ``tp / n_gold``; each is NaN when its
  denominator is 0. F1 is ``2 tp / (n_learned + n_gold)`` (the harmonic mean whenever both are
  defined; 0 when only one side is empty; NaN when both are).
- Names are resolved alias-aware: a learned name resolves to a gold entity when its
  :func:`~workbench.agents.contacts._text.name_key` equals the key of the gold name or of any
  gold alias (directly, or through the learned entity that carries that name as an alias).
- The user is not an entity of the gold graph: learned entities, facts and edges about the
  user (``ignore`` names, plus "user"/"me") are left out on both sides.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workbench.agents.contacts._resolve import IGNORED, Resolver
from workbench.agents.contacts._text import (
    canonical_attribute,
    canonical_relation,
    parse_date,
    tokens,
    value_matches,
)
from workbench.agents.contacts.answers import (
    GoalScore,
    ProbeScore,
    ProfileScore,
    goal_plan_accuracy,
    nothing_known,
    profile_accuracy,
    score_probe,
    score_probes,
)
from workbench.agents.contacts.data import World
from workbench.agents.contacts.snapshot import (
    EntityRec,
    EventRec,
    FactRec,
    GraphSnapshot,
    RelRec,
    gold_snapshot,
)

__all__ = [
    "EVENT_OVERLAP_THRESHOLD", "EntityRec", "EntityScore", "EventRec", "EventScore", "FactRec",
    "GoalScore", "GraphSnapshot", "PRF", "ProbeScore", "ProfileScore", "RelRec",
    "SupersessionScore", "entity_scores", "event_scores", "fact_scores", "goal_plan_accuracy",
    "gold_snapshot", "nothing_known", "profile_accuracy", "relationship_scores", "score_all",
    "score_probe", "score_probes", "supersession_accuracy",
]

#: Two event descriptions about a shared subject match when the overlap coefficient of their
#: tokens (|A & B| / min(|A|, |B|)) reaches this, or when their dates are equal.
EVENT_OVERLAP_THRESHOLD = 0.5


@dataclass
class PRF:
    """Precision/recall/F1 plus the items behind them."""

    precision: float
    recall: float
    f1: float
    tp: int
    n_learned: int
    n_gold: int
    matched: list[tuple[Any, Any]] = field(default_factory=list)   # (learned, gold)
    missing: list[Any] = field(default_factory=list)               # gold items not found
    extra: list[Any] = field(default_factory=list)                 # learned items not in gold


@dataclass
class EntityScore(PRF):
    """Entity P/R/F1; ``duplicates`` are learned entities matching an already-matched gold one."""

    duplicate_rate: float = math.nan
    duplicates: list[tuple[Any, Any]] = field(default_factory=list)


@dataclass
class EventScore(PRF):
    """Event P/R/F1; ``date_accuracy`` is the share of matched events with the gold date."""

    date_accuracy: float = math.nan
    date_errors: list[tuple[Any, Any]] = field(default_factory=list)


@dataclass
class SupersessionScore:
    """Share of corrections whose old value is retired (or absent) and whose new value is live."""

    accuracy: float
    n: int
    correct: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)   # (correction, reason)


def _ratios(tp: int, n_learned: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_learned if n_learned else math.nan
    r = tp / n_gold if n_gold else math.nan
    f = 2 * tp / (n_learned + n_gold) if n_learned + n_gold else math.nan
    return p, r, f


# --------------------------------------------------------------------------- entities


def entity_scores(learned: GraphSnapshot, gold: GraphSnapshot, *,
                  ignore: Iterable[str] = ()) -> EntityScore:
    """Alias-aware entity P/R/F1 and duplicate-entity rate.

    Each gold entity absorbs at most one learned entity as a true positive; further learned
    entities matching it are duplicates (they count against precision). ``duplicate_rate`` is
    the share of matched gold entities that were matched more than once. Types are compared
    loosely: only two recognised, different types (e.g. person vs. company) prevent a match.
    """
    res = Resolver(learned, gold, ignore)
    seen: dict[int, EntityRec] = {}
    dup_gold: set[int] = set()
    out = EntityScore(0.0, 0.0, 0.0, 0, 0, len(gold.entities))
    for rec, gi in zip(learned.entities, res.learned_match, strict=True):
        if gi == IGNORED:
            continue
        out.n_learned += 1
        if gi is None:
            out.extra.append(rec)
        elif gi in seen:
            dup_gold.add(gi)
            out.duplicates.append((rec, gold.entities[gi]))
        else:
            seen[gi] = rec
            out.matched.append((rec, gold.entities[gi]))
    out.missing = [g for i, g in enumerate(gold.entities) if i not in seen]
    out.tp = len(seen)
    out.precision, out.recall, out.f1 = _ratios(out.tp, out.n_learned, out.n_gold)
    out.duplicate_rate = len(dup_gold) / len(seen) if seen else math.nan
    return out


# --------------------------------------------------------------------------- facts


def _fact_matches(res: Resolver, lf: FactRec, gf: FactRec) -> bool:
    if res.resolve(lf.subject) != res.gold_index(gf.subject):
        return False
    lattr = canonical_attribute(lf.attribute)
    if lattr is not None and lattr != canonical_attribute(gf.attribute):
        return False
    return value_matches(lf.value, gf.value, gf.alternatives)


def _learned_live_facts(res: Resolver, learned: GraphSnapshot) -> list[FactRec]:
    """Live learned facts, without facts about the user and without exact repeats."""
    seen: set[tuple[Any, ...]] = set()
    out = []
    for f in learned.facts:
        subj = res.resolve(f.subject)
        key = (subj, canonical_attribute(f.attribute), " ".join(tokens(f.value)))
        if not f.live or subj == IGNORED or key in seen:
            continue
        seen.add(key)
        out.append(f)
    return out


def fact_scores(learned: GraphSnapshot, gold: GraphSnapshot, *,
                ignore: Iterable[str] = ()) -> PRF:
    """P/R/F1 over LIVE (subject, attribute, value) facts with lenient value matching.

    Subjects are resolved alias-aware; attributes are compared by synonym group, and a blank
    or unrecognised learned attribute is a wildcard (free-text facts still count); values use
    :func:`~workbench.agents.contacts._text.value_matches`. Matching is one-to-one and greedy,
    facts with a recognised attribute first so a wildcard cannot take a gold fact from them.
    """
    res = Resolver(learned, gold, ignore)
    gold_live = [f for f in gold.facts if f.live]
    facts = _learned_live_facts(res, learned)
    facts.sort(key=lambda f: canonical_attribute(f.attribute) is None)
    taken: set[int] = set()
    out = PRF(0.0, 0.0, 0.0, 0, len(facts), len(gold_live))
    for lf in facts:
        hit = next((gi for gi, gf in enumerate(gold_live)
                    if gi not in taken and _fact_matches(res, lf, gf)), None)
        if hit is None:
            out.extra.append(lf)
        else:
            taken.add(hit)
            out.matched.append((lf, gold_live[hit]))
    out.missing = [g for i, g in enumerate(gold_live) if i not in taken]
    out.tp = len(taken)
    out.precision, out.recall, out.f1 = _ratios(out.tp, out.n_learned, out.n_gold)
    return out


# --------------------------------------------------------------------------- relationships


def _edge_key(res: Resolver, rel: RelRec, *, gold_side: bool = False
              ) -> tuple[Any, str, Any] | None:
    # Gold names resolve directly: routing them through learned aliases would let a wrongly
    # merged learned entity rewrite the gold graph.
    look = res.gold_index if gold_side else res.resolve
    src, tgt = look(rel.source), look(rel.target)
    if src == IGNORED or tgt == IGNORED:
        return None
    ttype = res.gold_types[tgt] if isinstance(tgt, int) else None
    canon, swap = canonical_relation(rel.relation, ttype)
    if swap:
        src, tgt = tgt, src
    return (src, canon, tgt)


def _live_edges(res: Resolver, snap: GraphSnapshot, *, gold_side: bool = False
                ) -> dict[tuple[Any, str, Any], RelRec]:
    edges: dict[tuple[Any, str, Any], RelRec] = {}
    for rel in snap.relationships:
        key = _edge_key(res, rel, gold_side=gold_side) if rel.live else None
        if key is not None:
            edges.setdefault(key, rel)
    return edges


def relationship_scores(learned: GraphSnapshot, gold: GraphSnapshot, *,
                        ignore: Iterable[str] = ()) -> PRF:
    """Direction-aware P/R/F1 over live edges.

    Relation names are mapped to the gold vocabulary through a small synonym table, and the
    documented inverse forms (``led_by``, ``employs``, ``manages``, ``advised_by``,
    ``backed_by``, ``introduced`` ...) are read with source and target swapped. An edge pointing
    the wrong way does not match.
    """
    res = Resolver(learned, gold, ignore)
    gold_edges = _live_edges(res, gold, gold_side=True)
    learned_edges = _live_edges(res, learned)
    out = PRF(0.0, 0.0, 0.0, 0, len(learned_edges), len(gold_edges))
    for key, rel in learned_edges.items():
        if key in gold_edges:
            out.matched.append((rel, gold_edges[key]))
        else:
            out.extra.append(rel)
    out.missing = [g for k, g in gold_edges.items() if k not in learned_edges]
    out.tp = len(out.matched)
    out.precision, out.recall, out.f1 = _ratios(out.tp, out.n_learned, out.n_gold)
    return out


# --------------------------------------------------------------------------- events


def event_scores(learned: GraphSnapshot, gold: GraphSnapshot, *,
                 ignore: Iterable[str] = ()) -> EventScore:
    """Event P/R/F1 with date accuracy.

    A learned event can match a gold event when they share at least one resolved subject and
    either their dates are equal or their descriptions overlap by ``EVENT_OVERLAP_THRESHOLD``.
    Pairs are assigned one-to-one, best first. ``date_accuracy`` is then the share of matched
    events whose learned date (parsed to ISO) equals the gold date.
    """
    res = Resolver(learned, gold, ignore)
    gold_subj = [{res.gold_index(s) for s in e.subjects} for e in gold.events]
    candidates: list[tuple[bool, float, int, int]] = []
    for li, le in enumerate(learned.events):
        lsubj = {s for s in (res.resolve(n) for n in le.subjects) if isinstance(s, int) and s >= 0}
        ldate, ltoks = parse_date(le.date), set(tokens(le.description))
        for gi, ge in enumerate(gold.events):
            if not lsubj & gold_subj[gi]:
                continue
            gtoks = set(tokens(ge.description))
            overlap = len(ltoks & gtoks) / min(len(ltoks), len(gtoks)) if ltoks and gtoks else 0.0
            same_day = ldate is not None and ldate == parse_date(ge.date)
            if same_day or overlap >= EVENT_OVERLAP_THRESHOLD:
                candidates.append((same_day, overlap, li, gi))
    candidates.sort(key=lambda c: (not c[0], -c[1], c[2], c[3]))
    used_l: set[int] = set()
    used_g: set[int] = set()
    out = EventScore(0.0, 0.0, 0.0, 0, len(learned.events), len(gold.events))
    right_date = 0
    for same_day, _, li, gi in candidates:
        if li in used_l or gi in used_g:
            continue
        used_l.add(li)
        used_g.add(gi)
        pair = (learned.events[li], gold.events[gi])
        out.matched.append(pair)
        if same_day:
            right_date += 1
        else:
            out.date_errors.append(pair)
    out.extra = [e for i, e in enumerate(learned.events) if i not in used_l]
    out.missing = [e for i, e in enumerate(gold.events) if i not in used_g]
    out.tp = len(out.matched)
    out.precision, out.recall, out.f1 = _ratios(out.tp, out.n_learned, out.n_gold)
    out.date_accuracy = right_date / out.tp if out.tp else math.nan
    return out


# --------------------------------------------------------------------------- supersession


def supersession_accuracy(learned: GraphSnapshot, gold: GraphSnapshot, *,
                          ignore: Iterable[str] = ()) -> SupersessionScore:
    """How many stated corrections the learned graph got right.

    Corrections are read off the gold snapshot: a non-live gold fact is paired with the live
    gold fact of the same subject and attribute group; a non-live gold edge with the live edge
    of the same source and relation. A correction is right when no live learned item matches
    the old value (retired or never stored are both fine) and a live learned item matches the
    new value. Accuracy is NaN before any correction has been stated.
    """
    res = Resolver(learned, gold, ignore)
    facts = _learned_live_facts(res, learned)
    out = SupersessionScore(math.nan, 0)

    def judge(label: str, old_live: bool, new_live: bool) -> None:
        out.n += 1
        if new_live and not old_live:
            out.correct.append(label)
            return
        reasons = [r for r, bad in (("old value still live", old_live),
                                    ("new value not live", not new_live)) if bad]
        out.failed.append((label, "; ".join(reasons)))

    for old in (f for f in gold.facts if not f.live):
        group = canonical_attribute(old.attribute)
        new = next((f for f in gold.facts if f.live and f.subject == old.subject
                    and canonical_attribute(f.attribute) == group), None)
        if new is None:
            continue
        judge(f"{old.subject} {old.attribute}: {old.value} -> {new.value}",
              any(_fact_matches(res, lf, old) for lf in facts),
              any(_fact_matches(res, lf, new) for lf in facts))
    learned_edges = _live_edges(res, learned)
    for old in (r for r in gold.relationships if not r.live):
        new = next((r for r in gold.relationships if r.live and r.source == old.source
                    and r.relation == old.relation), None)
        if new is None:
            continue
        judge(f"{old.source} {old.relation}: {old.target} -> {new.target}",
              _edge_key(res, old, gold_side=True) in learned_edges,
              _edge_key(res, new, gold_side=True) in learned_edges)
    out.accuracy = len(out.correct) / out.n if out.n else math.nan
    return out


# --------------------------------------------------------------------------- all at once


def score_all(snapshot: GraphSnapshot, world: World,
              upto_turn: int | None = None) -> dict[str, float | int | None]:
    """Every store-level metric for ``snapshot`` after ``upto_turn`` turns, as one flat row.

    Profile and goal metrics are NaN unless the snapshot carries a ``profile`` /
    ``session_goals`` (an empty dict means "provided, nothing learned" and scores 0).
    """
    gold = gold_snapshot(world, upto_turn)
    ignore = (world.user.name, *world.user.aliases)
    ent = entity_scores(snapshot, gold, ignore=ignore)
    fac = fact_scores(snapshot, gold, ignore=ignore)
    rel = relationship_scores(snapshot, gold, ignore=ignore)
    evt = event_scores(snapshot, gold, ignore=ignore)
    sup = supersession_accuracy(snapshot, gold, ignore=ignore)
    row: dict[str, float | int | None] = {"upto_turn": upto_turn}
    for prefix, s in (("entity", ent), ("fact", fac), ("relation", rel), ("event", evt)):
        row.update({f"{prefix}_precision": s.precision, f"{prefix}_recall": s.recall,
                    f"{prefix}_f1": s.f1, f"{prefix}_tp": s.tp,
                    f"{prefix}_n_learned": s.n_learned, f"{prefix}_n_gold": s.n_gold})
    row["duplicate_entity_rate"] = ent.duplicate_rate
    row["event_date_accuracy"] = evt.date_accuracy
    row["supersession_accuracy"] = sup.accuracy
    row["supersession_n"] = sup.n
    prof = profile_accuracy(snapshot.profile, world, upto_turn) if snapshot.profile is not None \
        else None
    row["profile_accuracy"] = prof.accuracy if prof else math.nan
    goals = goal_plan_accuracy(snapshot.session_goals, world, upto_turn) \
        if snapshot.session_goals is not None else None
    row["goal_accuracy"] = goals.goal_accuracy if goals else math.nan
    row["plan_step_accuracy"] = goals.plan_step_accuracy if goals else math.nan
    return row
