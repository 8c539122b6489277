"""Text scanning used by the Pal checkers: dates, clock times, emoji, bullets, hashtags.

Everything here is a pure function over a string. The scanners favour precision on prose a
model writes (a fraction such as "3/4 of the rangers" is not a date, "1:1" is not a time) and
say in their docstrings what they deliberately do not catch.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def blank_urls(text: str) -> str:
    """Replace every URL with spaces of the same length, so offsets stay valid.

    A date or hashtag inside a link is part of an address, not of the prose the rule governs.
    """
    return _URL.sub(lambda m: " " * len(m.group()), text)


def normalize_for_match(text: str) -> str:
    """Fold text for exact-but-forgiving search: NFKD without accents, casefold, one space.

    Used for leak markers and gold facts, where "Sjoberg" must still find "Sjöberg".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = re.sub(r"[\u2010-\u2015\u2212]", "-", stripped)
    stripped = stripped.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", stripped.casefold()).strip()


# --- dates --------------------------------------------------------------------------------

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_FULL_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_ORD = r"(?:st|nd|rd|th)"

# Each entry: kind, pattern. Lookbehinds keep us out of longer tokens (paths, versions, codes).
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso", re.compile(r"(?<![\w/.-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d-])")),
    ("ymd_slash", re.compile(r"(?<![\w/.-])\d{4}/\d{1,2}/\d{1,2}(?![\w/])")),
    # 3/4/2025, 03/04/25, 3.4.2025, 3-4-2025. Dotted and dashed forms need a 4-digit year so a
    # version number such as 1.2.10 is not mistaken for a date.
    ("numeric", re.compile(r"(?<![\w/.-])\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})(?![\w/])"
                           r"|(?<![\w/.-])\d{1,2}[.-]\d{1,2}[.-]\d{4}(?![\w.-])")),
    ("month_day", re.compile(
        rf"(?<![\w])(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?P<ord>{_ORD})?(?![\w:])"
        rf"(?:,?\s+(?P<y>\d{{4}})(?!\d))?", re.IGNORECASE)),
    ("day_month", re.compile(
        rf"(?<![\w.:/-])(?P<d>\d{{1,2}})(?P<ord>{_ORD})?\s+(?P<of>of\s+)?(?P<mon>{_MONTH})\.?(?!\w)"
        rf"(?:,?\s+(?P<y>\d{{4}})(?!\d))?", re.IGNORECASE)),
    # "on the 19th." A bare ordinal after a date preposition; "by the 3rd week" is left alone.
    ("ordinal_day", re.compile(
        rf"(?<!\w)(?:on|by|for|until|till|before|after|since|from|due)\s+the\s+\d{{1,2}}{_ORD}(?!\w)"
        rf"(?!\s+[a-z])", re.IGNORECASE)),
)


@dataclass(frozen=True)
class DateMention:
    """One date-like string found in a text, and whether it is a valid ISO or long date."""

    text: str
    start: int
    kind: str
    iso_ok: bool
    long_ok: bool


def _valid(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _classify(kind: str, match: re.Match[str]) -> tuple[bool, bool]:
    """Return (is a valid zero-padded ISO date, is a valid '14 March 2025' date)."""
    if kind == "iso":
        y, m, d = match.group("y"), match.group("m"), match.group("d")
        padded = len(m) == 2 and len(d) == 2
        return padded and _valid(int(y), int(m), int(d)), False
    if kind == "day_month":
        month_word = match.group("mon")
        if (match.group("ord") or match.group("of") or not match.group("y")
                or month_word not in _FULL_MONTHS or "." in match.group(0)):
            return False, False
        month = _FULL_MONTHS.index(month_word) + 1
        return False, _valid(int(match.group("y")), month, int(match.group("d")))
    return False, False


def find_dates(text: str) -> list[DateMention]:
    """Every date-like string in ``text`` outside URLs, longest match first, no overlaps.

    Not caught on purpose: bare "3/4" (a fraction as often as a date), weekday names and
    relative dates ("next Tuesday"), month-and-year without a day ("March 2025").
    """
    scan = blank_urls(text)
    found: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _DATE_PATTERNS:
        for match in pattern.finditer(scan):
            if kind in ("month_day", "day_month") and not 1 <= int(match.group("d")) <= 31:
                continue
            found.append((match.start(), match.end(), kind, match))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    mentions: list[DateMention] = []
    last_end = -1
    for start, end, kind, match in found:
        if start < last_end:
            continue
        iso_ok, long_ok = _classify(kind, match)
        mentions.append(DateMention(match.group(0), start, kind, iso_ok, long_ok))
        last_end = end
    return mentions


# --- clock times --------------------------------------------------------------------------

_TIME_12H = re.compile(r"(?<![\w:.])\d{1,2}(?::[0-5]\d)?\s*(?:a\.m\.|p\.m\.|am|pm)(?!\w)",
                       re.IGNORECASE)
# 24-hour HH:MM; "1:1" (a meeting) and "10:30:15" (seconds) are not matched.
_TIME_24H = re.compile(r"(?<![\w:.])(?:[01]?\d|2[0-3]):[0-5]\d(?![\d:])")
_RANGE_SEP = re.compile(r"\s*(?:-|–|—|to|until)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class TimeMention:
    """One clock time and whether it is 24-hour with a zone label after it (or its range)."""

    text: str
    start: int
    twelve_hour: bool
    labelled: bool


def find_times(text: str, zone_labels: tuple[str, ...]) -> list[TimeMention]:
    """Clock times outside URLs. A time in a range such as "09:00-10:30 CT" shares the label."""
    scan = blank_urls(text)
    labels = "|".join(re.escape(label) for label in zone_labels) or r"(?!)"
    label_after = re.compile(rf"\s*\(?(?:{labels})\b")
    mentions = [TimeMention(m.group(0), m.start(), True, False) for m in _TIME_12H.finditer(scan)]
    taken = [(m.start, m.start + len(m.text)) for m in mentions]
    twenty_four = [m for m in _TIME_24H.finditer(scan)
                   if not any(a <= m.start() < b for a, b in taken)]
    labelled = [bool(label_after.match(scan, m.end())) for m in twenty_four]
    # Walk right to left so a label at the end of a range reaches back to its start.
    for i in range(len(twenty_four) - 2, -1, -1):
        sep = _RANGE_SEP.match(scan, twenty_four[i].end())
        if not labelled[i] and sep and sep.end() == twenty_four[i + 1].start():
            labelled[i] = labelled[i + 1]
    mentions += [TimeMention(m.group(0), m.start(), False, ok)
                 for m, ok in zip(twenty_four, labelled, strict=True)]
    return sorted(mentions, key=lambda m: m.start)


# --- emoji --------------------------------------------------------------------------------

_EMOJI_RANGES: tuple[tuple[int, int], ...] = (
    (0x1F000, 0x1FAFF),  # mahjong .. pictographs, emoticons, transport, flags, supplemental
    (0x2600, 0x26FF),    # miscellaneous symbols (sun, warning sign, check boxes)
    (0x2700, 0x27BF),    # dingbats (check marks, heavy heart, sparkles)
    (0x231A, 0x231B), (0x2328, 0x2328), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA),
    (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
    (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0xFE0E, 0xFE0F),    # variation selectors: text/emoji presentation
    (0x20E3, 0x20E3),    # combining enclosing keycap
    (0xE0020, 0xE007F),  # tag characters (subdivision flags)
)


def is_emoji_char(char: str) -> bool:
    """True for a code point in one of the emoji or pictograph ranges above."""
    code = ord(char)
    return any(low <= code <= high for low, high in _EMOJI_RANGES)


def find_emoji(text: str) -> list[str]:
    """Every emoji-range code point in ``text``, in order (a flag is two code points)."""
    return [c for c in text if is_emoji_char(c)]


# --- bullets and hashtags -----------------------------------------------------------------

# "- ", "* ", "+ ", "• " and friends, or "1. " / "2) ". En and em dashes are left out so a
# sign-off line such as "— J." is not counted as a bullet.
_BULLET = re.compile(r"^[ \t]*(?:[-*+•‣◦▪▫●○■□]|\d{1,2}[.)])[ \t]+\S", re.MULTILINE)
_HASHTAG = re.compile(r"(?<![\w#&/])#(?=[^\W\d_])\w+")


def count_bullets(text: str) -> int:
    """Lines that start with a bullet marker or a list number, nested ones included."""
    return len(_BULLET.findall(text))


def find_hashtags(text: str) -> list[str]:
    """Hashtags outside URLs. "#12", "C#" and a markdown "# Heading" are not hashtags."""
    return _HASHTAG.findall(blank_urls(text))
