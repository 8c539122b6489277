"""Dates and clock times in the user's style, for Pal's offline policy.

The policy writes what the user asked for in their own words ("Thursday", "10am", "May 19",
"the 12th") and then rewrites dates and times the way the user's preferences file says —
only if it read that file. Without a style it leaves them as a first draft would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MON = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
       r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_WD = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"


@dataclass(frozen=True)
class DateStyle:
    """How the user wants dates and times written.

    ``date_format`` is "iso" (2025-05-19), "dmy_long" (19 May 2025) or None (leave as
    written). ``resolve_weekdays`` turns "Thursday" into the actual date. ``clock`` is "24h"
    or None; ``zone`` is the label that follows a time ("CT").
    """

    date_format: str | None = None
    resolve_weekdays: bool = False
    clock: str | None = None
    zone: str | None = None


def month_number(word: str) -> int:
    """'Mar' / 'march' → 3."""
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(word.casefold()[:3]))


def format_date(day: date, fmt: str | None) -> str:
    """A date in the requested format ("May 19, 2025" when none is known)."""
    if fmt == "iso":
        return day.isoformat()
    if fmt == "dmy_long":
        return f"{day.day} {MONTHS[day.month - 1].capitalize()} {day.year}"
    return f"{MONTHS[day.month - 1].capitalize()} {day.day}, {day.year}"


def format_iso(text: str, fmt: str | None) -> str:
    """Reformat a YYYY-MM-DD string (left alone when it is not one)."""
    try:
        return format_date(date.fromisoformat(text), fmt)
    except ValueError:
        return text


def resolve_weekday(name: str, today: date, qualifier: str = "") -> date:
    """The date a weekday refers to: the next one after today; "next X" is next week's."""
    target = WEEKDAYS.index(name.casefold())
    qualifier = qualifier.strip().casefold()
    if qualifier == "next":
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=target)
    if qualifier == "this" and target >= today.weekday():
        return today + timedelta(days=target - today.weekday())
    ahead = (target - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _year_for(month: int, day: int, today: date) -> int:
    # A date without a year is in the year of "today" (the sessions never cross a new year).
    return today.year


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalize(text: str, style: DateStyle, today: date) -> str:
    """Rewrite the dates and times in ``text`` in ``style`` (no-op for an empty style)."""
    fmt = style.date_format
    if fmt:
        text = _dates(text, fmt, today)
        if style.resolve_weekdays:
            text = _weekdays(text, fmt, today)
    if style.clock == "24h":
        text = _times(text, style.zone)
    return text


def _dates(text: str, fmt: str, today: date) -> str:
    def iso(match: re.Match[str]) -> str:
        day = _valid(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        return format_date(day, fmt) if day else match.group(0)

    text = re.sub(r"(?<![\w/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d-])", iso, text)

    def month_day(match: re.Match[str]) -> str:
        month, day_n = month_number(match.group(1)), int(match.group(2))
        year = int(match.group(3)) if match.group(3) else _year_for(month, day_n, today)
        day = _valid(year, month, day_n)
        return format_date(day, fmt) if day else match.group(0)

    text = re.sub(rf"\b{_MON}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)(?:,?\s+(\d{{4}}))?",
                  month_day, text, flags=re.I)

    def day_month(match: re.Match[str]) -> str:
        day_n, month = int(match.group(1)), month_number(match.group(2))
        year = int(match.group(3)) if match.group(3) else _year_for(month, day_n, today)
        day = _valid(year, month, day_n)
        return format_date(day, fmt) if day else match.group(0)

    if fmt == "iso" or fmt == "dmy_long":
        text = re.sub(rf"(?<![\w.:/-])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}\b"
                      rf"(?:,?\s+(\d{{4}}))?", day_month, text, flags=re.I)

    def ordinal(match: re.Match[str]) -> str:
        day_n = int(match.group(2))
        month, year = today.month, today.year
        if day_n < today.day:
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
        day = _valid(year, month, day_n)
        return f"{match.group(1)} {format_date(day, fmt)}" if day else match.group(0)

    return re.sub(r"\b(on|by|for|until|till|before|after|since|from|due)\s+the\s+(\d{1,2})"
                  r"(?:st|nd|rd|th)\b", ordinal, text, flags=re.I)


def _weekdays(text: str, fmt: str, today: date) -> str:
    def possessive(match: re.Match[str]) -> str:
        qualifier, name, phrase = match.group(1) or "", match.group(2), match.group(3)
        day = resolve_weekday(name, today, qualifier)
        return f"the {phrase} on {name.capitalize()} {format_date(day, fmt)}"

    # "this Thursday's ranger training at 10am" → "the ranger training on Thursday <date> at …"
    word = r"(?!(?:at|is|are|on|in|with|and|for|by|still|was|to|from)\b)[a-z][\w-]*"
    text = re.sub(rf"\b(?:(this|next)[ \t]+)?{_WD}'s[ \t]+((?:{word}[ \t]+){{0,2}}{word})",
                  possessive, text, flags=re.I)

    def plain(match: re.Match[str]) -> str:
        qualifier, name = match.group(1) or "", match.group(2)
        day = resolve_weekday(name, today, qualifier)
        lead = f"{qualifier} " if qualifier else ""
        return f"{lead}{name} {format_date(day, fmt)}"

    # "usually Tuesday" and "every Friday" describe a habit, not a day to resolve.
    return re.sub(rf"(?<!usually )(?<!every )(?<!from )\b(?:(this|next)\s+)?{_WD}\b"
                  rf"(?!'s| \d| (?:19|20)\d\d)", plain, text, flags=re.I)


def _times(text: str, zone: str | None) -> str:
    label = f" {zone}" if zone else ""

    def twelve(match: re.Match[str]) -> str:
        hour, minute = int(match.group(1)) % 12, match.group(2) or "00"
        if match.group(3).casefold().startswith("p"):
            hour += 12
        return f"{hour:02d}:{minute}{label}"

    text = re.sub(r"(?<![\w:.])(\d{1,2})(?::([0-5]\d))?\s*(a\.?m\.?|p\.?m\.?)(?!\w)", twelve,
                  text, flags=re.I)
    if zone:
        text = re.sub(rf"(?<![\w:.])((?:[01]?\d|2[0-3]):[0-5]\d)(?![\d:])(?!\s*(?:-|–|to)\s*"
                      rf"\d)(?!\s*\(?{re.escape(zone)}\b)", rf"\1{label}", text)
    return text
