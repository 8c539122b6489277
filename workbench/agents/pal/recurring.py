"""Scoring the agent's answer to "which of my meetings are recurring?".

Gold (``RecurringGold``) names each recurring meeting by a title regex, a cadence and its
attendees, and lists the one-off meetings that look similar (same people, similar words) and
must not be called recurring. An answer is scored either as structured ``PredictedMeeting``
records or, through ``recurring_from_text``, as the list a model writes in prose.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from workbench.agents.pal._text import normalize_for_match
from workbench.agents.pal.data import Note, RecurringGold


@dataclass(frozen=True)
class PredictedMeeting:
    """One meeting the agent says is recurring."""

    title: str
    attendees: tuple[str, ...] = ()
    cadence: str | None = None


@dataclass(frozen=True)
class RecurringScore:
    """Precision and recall of recurring meetings, then of attendees on matched meetings."""

    matched: tuple[str, ...]
    missed: tuple[str, ...]
    false_positives: tuple[str, ...]
    one_off_hits: tuple[str, ...]
    attendee_tp: int
    attendee_predicted: int
    attendee_gold: int
    cadence_correct: int
    cadence_given: int

    @property
    def precision(self) -> float:
        """Matched predictions over all predictions (1.0 when nothing was predicted)."""
        total = len(self.matched) + len(self.false_positives)
        return len(self.matched) / total if total else 1.0

    @property
    def recall(self) -> float:
        """Matched gold meetings over all gold meetings."""
        total = len(self.matched) + len(self.missed)
        return len(self.matched) / total if total else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def attendee_precision(self) -> float | None:
        """Named attendees that are real attendees, over matched meetings."""
        return self.attendee_tp / self.attendee_predicted if self.attendee_predicted else None

    @property
    def attendee_recall(self) -> float | None:
        """Gold attendees named, over matched meetings."""
        return self.attendee_tp / self.attendee_gold if self.attendee_gold else None

    @property
    def cadence_accuracy(self) -> float | None:
        """Correct cadences over matched meetings that stated one."""
        return self.cadence_correct / self.cadence_given if self.cadence_given else None


# Order matters: "biweekly" and "every other week" must win over "week".
_CADENCES: tuple[tuple[str, str], ...] = (
    ("biweekly", r"bi-?weekly|fortnight\w*|every (?:two|2|other) weeks?|twice a month"),
    ("monthly", r"monthly|every month|once a month|each month|of (?:the|each|every) month"),
    ("weekly", r"weekly|every week|each week|once a week|every (?:mon|tues|wednes|thurs|fri)day"),
)


def normalize_cadence(text: str | None) -> str | None:
    """Map free text to "weekly", "biweekly" or "monthly"; None when no cadence is named."""
    if not text:
        return None
    folded = normalize_for_match(text)
    for name, pattern in _CADENCES:
        if re.search(rf"(?<!\w)(?:{pattern})(?!\w)", folded):
            return name
    return None


def _tokens(name: str) -> set[str]:
    return set(re.findall(r"\w+", normalize_for_match(name)))


def _same_person(said: str, gold: str) -> bool:
    # "Imani", "Castell" and "Imani Castell" all name Imani Castell.
    said_tokens = _tokens(said)
    return bool(said_tokens) and said_tokens <= _tokens(gold)


def _as_prediction(item: PredictedMeeting | Mapping[str, Any]) -> PredictedMeeting:
    if isinstance(item, PredictedMeeting):
        return item
    return PredictedMeeting(title=str(item["title"]), attendees=tuple(item.get("attendees", ())),
                            cadence=item.get("cadence"))


def score_recurring(predicted: Iterable[PredictedMeeting | Mapping[str, Any]],
                    gold: RecurringGold) -> RecurringScore:
    """Match predictions to gold meetings by title regex, then compare attendees and cadence.

    Each gold meeting can be matched once; a second prediction for it is a false positive, as
    is any prediction matching no gold meeting. Predictions that match a gold one-off are also
    listed in ``one_off_hits``. The user's own name (``ignore_attendees``) is never counted.
    """
    patterns = [(m, re.compile(m.title_pattern)) for m in gold.meetings]
    one_offs = [(o.name, re.compile(o.title_pattern)) for o in gold.one_offs]
    matched: list[str] = []
    false_positives: list[str] = []
    one_off_hits: list[str] = []
    att_tp = att_pred = att_gold = cad_ok = cad_given = 0
    for item in map(_as_prediction, predicted):
        meeting = next((m for m, rx in patterns if m.id not in matched and rx.search(item.title)),
                       None)
        if meeting is None:
            false_positives.append(item.title)
            one_off_hits += [name for name, rx in one_offs if rx.search(item.title)]
            continue
        matched.append(meeting.id)
        named = [a for a in item.attendees
                 if not any(_same_person(a, me) for me in gold.ignore_attendees)]
        att_pred += len(named)
        att_gold += len(meeting.attendees)
        att_tp += sum(1 for g in meeting.attendees if any(_same_person(a, g) for a in named))
        if item.cadence:
            cad_given += 1
            cad_ok += int(normalize_cadence(item.cadence) == meeting.cadence)
    missed = tuple(m.id for m in gold.meetings if m.id not in matched)
    return RecurringScore(
        matched=tuple(matched), missed=missed, false_positives=tuple(false_positives),
        one_off_hits=tuple(one_off_hits), attendee_tp=att_tp, attendee_predicted=att_pred,
        attendee_gold=att_gold, cadence_correct=cad_ok, cadence_given=cad_given,
    )


def roster_from_notes(notes: Iterable[Note]) -> tuple[str, ...]:
    """Every distinct attendee in a user's meeting records, sorted."""
    return tuple(sorted({a for note in notes for a in note.attendees}))


_ITEM_START = re.compile(r"^(?:[-*+•]|\d{1,2}[.)]|#{1,6})\s+")


def _names_in(text: str, roster: Sequence[str]) -> tuple[str, ...]:
    folded = normalize_for_match(text)
    found = []
    for person in roster:
        parts = [person, *person.split()]
        if any(re.search(rf"(?<!\w){re.escape(normalize_for_match(p))}(?!\w)", folded)
               for p in parts):
            found.append(person)
    return tuple(found)


def recurring_from_text(text: str, roster: Sequence[str]) -> list[PredictedMeeting]:
    """Read a model's prose list of recurring meetings into predictions.

    An item starts at an unindented bullet, number or heading; indented lines below it belong
    to it. Without any list markup each non-empty line is an item, except lines ending in ":"
    (a lead-in such as "Your recurring meetings are:"). Attendees are the ``roster`` names an
    item mentions (full, first or last name); the cadence is read from the item's words.
    """
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if _ITEM_START.match(line)]
    if starts:
        bounds = list(zip(starts, [*starts[1:], len(lines)], strict=True))
        items = [" ".join(lines[a:b]) for a, b in bounds]
    else:
        items = [line for line in lines if not line.strip().endswith(":")]
    predictions = []
    for item in items:
        body = _ITEM_START.sub("", item.strip())
        predictions.append(PredictedMeeting(title=body, attendees=_names_in(body, roster),
                                            cadence=normalize_cadence(body)))
    return predictions
