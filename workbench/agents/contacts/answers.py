"""Scoring free text: probe answers, learned profile fields and learned session goals.

All three come down to "does this text mention that phrase", done with the lenient phrase
matcher in :mod:`workbench.agents.contacts._text` (case, accents, punctuation, plural and
ordinal endings and a few stopwords are ignored; phone-like phrases compare digits).

Probe answers are scored with three checks from the gold answer:

- ``must_include``: every entry must be mentioned (a list entry: any one of its phrases);
- ``any_of``: when non-empty, at least one phrase must be mentioned;
- ``must_not_include``: no phrase may be *asserted*. Before this check the answer is cut into
  sentences and clauses, and questions ("Did you mean ...?") and clauses that negate, suggest,
  or (outside absence probes) talk about the past ("was", "previously", "no longer", "left")
  are dropped, so "Marco left Brightwater for Northwind" does not assert Brightwater as current.

Absence probes ask about something never mentioned. The answer is correct when it says that
nothing is known (:func:`nothing_known`) and asserts none of the forbidden details; it is
*hallucinated* when it does not say so, or asserts a forbidden detail anyway.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.agents.contacts._text import fold, phrase_in, relation_key, tokens, value_matches
from workbench.agents.contacts.data import Needle, Probe, World

_NOTHING_KNOWN = [re.compile(p) for p in (
    r"\b(?:do not|don't|dont|does not|doesn't) (?:seem to )?(?:have|know|see|find|recall|hold)\b",
    r"\bno (?:information|info|record|records|details|notes|data|mention|mentions|memory|"
    r"memories|entry|entries|facts|knowledge|email|phone|contact|trace)\b",
    r"\bnothing (?:is |has been )?(?:known|recorded|stored|saved|on file|about|on|in|yet|"
    r"that i know)\b",
    r"\b(?:haven't|have not|hasn't|has not|never) (?:been |ever )?(?:mentioned|told|recorded|"
    r"heard|come up|came up|talked|discussed|shared|noted|given|said)\b",
    r"\bno \w+(?: \w+){0,3} (?:has|have) (?:ever )?(?:been )?(?:mentioned|come up|recorded|"
    r"shared|named)\b",
    r"\bnot (?:aware|familiar|sure who|known|recorded|on file|stored|available|in my)\b",
    r"\b(?:unknown|no idea)\b",
    r"\b(?:can't|cannot|couldn't|could not|unable to) (?:find|locate|see|recall)\b",
)]
_NEGATION = re.compile(
    r"\b(?:no|not|never|none|nothing|nobody|unknown|without|cannot)\b|n't\b")
_SUGGESTION = re.compile(
    r"\b(?:did you mean|do you mean|you may mean|you might mean|perhaps you mean|maybe you mean|"
    r"thinking of|not to be confused|could be referring|might be referring)\b")
_HISTORICAL = re.compile(
    r"\b(?:previously|formerly|former|used to|no longer|before|earlier|prior|left|leaving|"
    r"moved from|was|were|had been|until|originally|ex|old|past|anymore|any more|after|"
    r"promoted from)\b")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSES = re.compile(r"[;,:()\[\]]|\s[-\u2013\u2014]\s|\bbut\b|\bwhereas\b|\bwhile\b")


def _plain(text: str) -> str:
    """Fold case/accents and straighten apostrophes, keeping punctuation for splitting."""
    return fold(text).replace("\u2019", "'").replace("\u2018", "'")


def nothing_known(answer: str) -> bool:
    """True when the answer says that nothing (or not this) is known.

    Detection is a fixed list of patterns: "I don't have/know ...", "no information/record
    ...", "nothing (is) known/recorded ...", "(has) never been mentioned / hasn't come up",
    "not aware/familiar", "unknown", "can't find", "no X has been mentioned".
    """
    text = _plain(answer)
    return any(p.search(text) for p in _NOTHING_KNOWN)


def asserted_clauses(answer: str, *, allow_past: bool = False) -> list[str]:
    """The clauses of ``answer`` that plainly assert something in the present.

    Questions and clauses with negation or "did you mean" are dropped; unless ``allow_past``,
    so are clauses about the past ("was", "previously", "left", "no longer" ...).
    """
    kept = []
    for sentence in _SENTENCES.split(_plain(answer)):
        sentence = sentence.strip()
        if not sentence or sentence.endswith("?") or _SUGGESTION.search(sentence):
            continue
        for clause in _CLAUSES.split(sentence):
            if not clause or not clause.strip():
                continue
            if _NEGATION.search(clause) or (not allow_past and _HISTORICAL.search(clause)):
                continue
            kept.append(clause)
    return kept


def needle_present(needle: Needle, text: str, text_tokens: Sequence[str] | None = None) -> bool:
    """True when ``text`` mentions the phrase, or any phrase of a list of alternatives."""
    toks = list(text_tokens) if text_tokens is not None else tokens(text)
    options = [needle] if isinstance(needle, str) else list(needle)
    return any(phrase_in(opt, text, toks) for opt in options)


# --------------------------------------------------------------------------- probes


@dataclass
class ProbeScore:
    """Outcome of one probe answer, with what was missing or wrongly asserted."""

    correct: bool
    hallucinated: bool
    nothing_known: bool = False
    missing: list[Needle] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    any_of_ok: bool = True


def score_probe(probe: Probe, answer_text: str) -> ProbeScore:
    """Score one answer against the probe's gold phrases (rules in the module docstring).

    ``hallucinated`` is only ever true for absence probes; an empty answer is wrong but not a
    hallucination.
    """
    answer = answer_text or ""
    toks = tokens(answer)
    absence = probe.category == "absence"
    said_nothing = nothing_known(answer)
    missing = [n for n in probe.must_include if not needle_present(n, answer, toks)]
    any_ok = not probe.any_of or any(needle_present(p, answer, toks) for p in probe.any_of)
    clauses = asserted_clauses(answer, allow_past=absence)
    forbidden = [n for n in probe.must_not_include if any(phrase_in(n, c) for c in clauses)]
    if absence:
        correct = said_nothing and not forbidden
        hallucinated = bool(answer.strip()) and not correct
    else:
        correct = not missing and any_ok and not forbidden
        hallucinated = False
    return ProbeScore(correct, hallucinated, said_nothing, missing, forbidden, any_ok)


def score_probes(probes: Iterable[Probe], answers: Mapping[str, str]) -> dict[str, float]:
    """QA accuracy overall and per category, plus the hallucination rate on absence probes.

    Probes without an answer in ``answers`` count as answered with an empty string.
    """
    by_cat: dict[str, list[bool]] = {}
    halluc: list[bool] = []
    for probe in probes:
        score = score_probe(probe, answers.get(probe.id, ""))
        by_cat.setdefault(probe.category, []).append(score.correct)
        if probe.category == "absence":
            halluc.append(score.hallucinated)
    every = [c for results in by_cat.values() for c in results]
    row: dict[str, float] = {"qa_n": float(len(every)),
                             "qa_accuracy": sum(every) / len(every) if every else math.nan}
    for cat, results in sorted(by_cat.items()):
        row[f"qa_accuracy_{cat}"] = sum(results) / len(results)
    row["hallucination_rate"] = sum(halluc) / len(halluc) if halluc else math.nan
    return row


# --------------------------------------------------------------------------- profile


PROFILE_FIELD_SYNONYMS = {
    "name": {"name", "full_name", "user_name", "preferred_name"},
    "role": {"role", "job", "occupation", "job_title", "title", "profession", "work"},
    "communication_style": {"communication_style", "communication_preference",
                            "communication", "style", "preferred_style", "response_style",
                            "reply_style", "format", "tone", "preferences"},
    "timezone": {"timezone", "time_zone", "tz"},
    "location": {"location", "city", "based_in", "home", "lives_in", "home_city"},
}
#: Keys whose values are free text about the user; searched for every field.
FREE_TEXT_FIELDS = frozenset({"notes", "note", "about", "summary", "memories", "memory",
                              "other", "custom", "misc", "additional_info", "facts"})


@dataclass
class ProfileScore:
    """Share of stated profile fields that the learned profile gets right."""

    accuracy: float
    n: int
    matched: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def _as_text(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return " ; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def profile_accuracy(learned: Mapping[str, Any] | None, world: World,
                     upto_turn: int | None = None) -> ProfileScore:
    """Score a learned profile (field -> value) against the profile fields stated so far.

    A field is right when a learned value stored under that field (or a documented synonym,
    or a free-text field such as ``notes``) mentions one of the field's ``accept`` phrases or
    matches its gold value leniently. Accuracy is NaN when no field has been stated yet.
    """
    learned = learned or {}
    by_key = {relation_key(k): _as_text(v) for k, v in learned.items()}
    free = [v for k, v in by_key.items() if k in FREE_TEXT_FIELDS]
    out = ProfileScore(math.nan, 0)
    for gold in world.user.profile:
        if upto_turn is not None and gold.turn > upto_turn:
            continue
        out.n += 1
        keys = PROFILE_FIELD_SYNONYMS.get(gold.field, {gold.field})
        texts = [v for k, v in by_key.items() if k in keys] + free
        hit = any(needle_present(list(gold.accept), t) or value_matches(t, gold.value)
                  for t in texts if t)
        (out.matched if hit else out.missing).append(gold.field)
    out.accuracy = len(out.matched) / out.n if out.n else math.nan
    return out


# --------------------------------------------------------------------------- session goals


@dataclass
class GoalScore:
    """Goal and plan-step recall for the session goals stated so far."""

    goal_accuracy: float
    plan_step_accuracy: float
    n_goals: int
    n_steps: int
    details: list[dict[str, Any]] = field(default_factory=list)


def goal_plan_accuracy(learned: Mapping[Any, Any] | None, world: World,
                       upto_turn: int | None = None) -> GoalScore:
    """Score learned session context (session number -> goal/plan text) against gold goals.

    A goal counts when the text stored for its session mentions every goal keyword group; a
    plan step counts when it mentions every keyword group of that step. Keys may be ints or
    digit strings; values may be strings or lists of strings.
    """
    texts = {int(k): _as_text(v) for k, v in (learned or {}).items()}
    out = GoalScore(math.nan, math.nan, 0, 0)
    goals_hit = steps_hit = 0
    for goal in world.user.goals:
        if upto_turn is not None and goal.turn > upto_turn:
            continue
        text = texts.get(goal.session, "")
        toks = tokens(text)
        hit = bool(text) and all(needle_present(n, text, toks) for n in goal.goal_keywords)
        steps = [bool(text) and all(needle_present(n, text, toks) for n in step.keywords)
                 for step in goal.plan]
        out.n_goals += 1
        out.n_steps += len(steps)
        goals_hit += hit
        steps_hit += sum(steps)
        out.details.append({"goal": goal.id, "session": goal.session, "goal_hit": hit,
                            "steps_hit": sum(steps), "steps": len(steps)})
    if out.n_goals:
        out.goal_accuracy = goals_hit / out.n_goals
    if out.n_steps:
        out.plan_step_accuracy = steps_hit / out.n_steps
    return out
