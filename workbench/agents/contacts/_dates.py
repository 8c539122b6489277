"""Dates in conversational English, resolved against "today" (the session date in the prompt).

General rules, no script knowledge: ISO dates; "March 5th", "5 March", "January 20th, 2026",
"18 November last year"; weekdays ("on Thursday", "last Wednesday", "next Friday"); "today",
"yesterday", "tomorrow"; "last/next week|month"; "the end of June". A date without a year, or
a bare weekday, is placed by the tense of its clause: the latest such day up to today for the
past ("I had lunch with Priya on Friday"), the earliest from today for the future ("coffee on
Thursday", "we've pencilled in May 6th"), the nearest when the tense is unclear.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4})|\s+(?P<rel_year>last|next|this) year)?"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"

_PATTERNS = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b")),
    ("end_of_month", re.compile(r"\b(?:at |by )?the end of " + _MONTH + _YEAR, re.I)),
    ("month_day", re.compile(r"\b(?:on |by )?" + _MONTH + r"\s+" + _DAY + r"\b" + _YEAR, re.I)),
    ("day_month", re.compile(r"\b(?:on |by )?(?:the )?" + _DAY + r"(?: of)?\s+" + _MONTH + r"\b"
                             + _YEAR, re.I)),
    ("weekday", re.compile(r"\b(?P<which>on |last |next |this |by )?" + _WEEKDAY + r"\b", re.I)),
    ("relative_day", re.compile(r"\b(?P<rel>today|yesterday|tomorrow)\b", re.I)),
    ("relative_span", re.compile(r"\b(?P<rel>last|next|this) (?P<span>week|month)\b", re.I)),
]

_PAST = re.compile(
    r"\b(?:was|were|had|did|went|got|made|met|said|ran|led|closed|announced|launched|cleared|"
    r"started|joined|left|moved|raised|shipped|finished|signed|spoke|talked|came|ago|last|"
    r"already|just|been|\w+ed)\b", re.I)
_FUTURE = re.compile(
    r"\b(?:will|'ll|shall|going to|gonna|next|upcoming|planned|plan|pencilled|penciled|"
    r"scheduled|due|want|wants|need|to be|would like|'d like|hope|expect|coming)\b", re.I)


@dataclass(frozen=True)
class DateMention:
    """A date phrase found in text: where it is, what it says, and the resolved ISO value.

    ``iso`` is ``YYYY-MM-DD`` for a day, ``YYYY-MM`` for a month; ``deadline`` marks "by ..."
    phrases, which set a due date rather than date an event.
    """

    start: int
    end: int
    phrase: str
    iso: str
    deadline: bool = False


def tense(clause: str) -> str | None:
    """``"past"``, ``"future"`` or None, from the verbs of a clause (future cues win)."""
    if _FUTURE.search(clause):
        return "future"
    if _PAST.search(clause):
        return "past"
    return None


def _place(month: int, day: int, today: date, when: str | None) -> date | None:
    """The year for a day-of-year given the clause's tense."""
    options = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    if not options:
        return None
    if when == "past":
        past = [d for d in options if d <= today]
        return max(past) if past else min(options)
    if when == "future":
        future = [d for d in options if d >= today]
        return min(future) if future else max(options)
    return min(options, key=lambda d: abs((d - today).days))


def _weekday(target: int, which: str, today: date, when: str | None) -> date:
    ahead = (target - today.weekday()) % 7
    if which == "last" or (which in ("", "on") and when == "past"):
        back = (today.weekday() - target) % 7 or 7
        return today - timedelta(days=back)
    if which == "next":
        return today + timedelta(days=ahead or 7)
    return today + timedelta(days=ahead or (7 if when == "future" else 0))


def _year(match: re.Match[str], today: date) -> int | None:
    groups = match.groupdict()
    if groups.get("year"):
        return int(groups["year"])
    rel = (groups.get("rel_year") or "").lower()
    return {"last": today.year - 1, "next": today.year + 1, "this": today.year}.get(rel)


def _resolve(kind: str, m: re.Match[str], today: date, when: str | None) -> str | None:
    g = m.groupdict()
    if kind == "iso":
        try:
            return date(int(g["y"]), int(g["m"]), int(g["d"])).isoformat()
        except ValueError:
            return None
    if kind in ("month_day", "day_month", "end_of_month"):
        month = MONTHS[g["month"].lower()]
        year = _year(m, today)
        day = int(g["day"]) if kind != "end_of_month" else None
        if day is None:
            anchor = _place(month, 1, today, when or "future")
            year = year or (anchor.year if anchor else today.year)
            day = calendar.monthrange(year, month)[1]
        if year is not None:
            try:
                return date(year, month, day).isoformat()
            except ValueError:
                return None
        placed = _place(month, day, today, when)
        return placed.isoformat() if placed else None
    if kind == "weekday":
        which = (g.get("which") or "").strip().lower()
        return _weekday(WEEKDAYS[g["weekday"].lower()], which, today, when).isoformat()
    if kind == "relative_day":
        shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[g["rel"].lower()]
        return (today + timedelta(days=shift)).isoformat()
    if kind == "relative_span":
        rel, span = g["rel"].lower(), g["span"].lower()
        if span == "week":
            monday = today - timedelta(days=today.weekday())
            shift = {"last": -7, "next": 7, "this": 0}[rel]
            return (monday + timedelta(days=shift)).isoformat()
        month = today.month + {"last": -1, "next": 1, "this": 0}[rel]
        year = today.year + (month - 1) // 12
        return f"{year:04d}-{(month - 1) % 12 + 1:02d}"
    return None


def find_dates(text: str, today: date, when: str | None = None) -> list[DateMention]:
    """Every date phrase in ``text``, resolved; overlapping matches keep the longest.

    ``when`` overrides the tense read from ``text`` itself.
    """
    when = when if when is not None else tense(text)
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(m.start() < f.end and f.start < m.end() for f in found):
                continue
            iso = _resolve(kind, m, today, when)
            if iso:
                phrase = m.group(0).strip()
                deadline = phrase.lower().startswith("by ") or "end of" in phrase.lower()
                found.append(DateMention(m.start(), m.end(), phrase, iso, deadline))
    return sorted(found, key=lambda d: d.start)


def parse_today(text: str) -> date | None:
    """The session date an agent's instructions state ("Today is 2026-03-02 ...")."""
    m = re.search(r"\bToday is (?:\w+, )?(\d{4}-\d{2}-\d{2})", text)
    return date.fromisoformat(m.group(1)) if m else None


def month_window(text: str, today: date) -> tuple[str, str] | None:
    """A (from, to) ISO window for a vague time reference in a question.

    "early in March" -> the 1st to the 10th; "the week of March 23rd" -> that week;
    "in March" -> the whole month; a single day -> that day +- 3 days.
    """
    low = text.lower()
    m = re.search(r"\b(early|mid|late)?(?:[- ]in)? ?(?:the )?(?:month of )?" + _MONTH + r"(?![a-z])",
                  low)
    dates = find_dates(text, today, "past")
    if "week of" in low and dates:
        start = date.fromisoformat(dates[0].iso[:10])
        start -= timedelta(days=start.weekday())
        return start.isoformat(), (start + timedelta(days=6)).isoformat()
    if dates and len(dates[0].iso) == 10:
        day = date.fromisoformat(dates[0].iso)
        return (day - timedelta(days=3)).isoformat(), (day + timedelta(days=3)).isoformat()
    if m:
        month = MONTHS[m.group("month")]
        anchor = _place(month, 1, today, "past") or date(today.year, month, 1)
        last = calendar.monthrange(anchor.year, month)[1]
        part = m.group(1)
        lo, hi = {"early": (1, 10), "mid": (10, 20), "late": (20, last)}.get(part, (1, last))
        return date(anchor.year, month, lo).isoformat(), date(anchor.year, month, hi).isoformat()
    return None
