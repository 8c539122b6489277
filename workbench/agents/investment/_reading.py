"""What the offline committee reads: the request, its tool results and its recalled memory.

Pure functions of text, shared by the offline policy (``policy.py``). Every rule here is keyed on
words in the request, tool results or memory, never on meeting ids or dataset files.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from workbench.models import OfflineView
from workbench.models.types import ToolCall

_MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d+)?)\s*(million|thousand|m|k)?\b", re.IGNORECASE)
_BUY_WORDS = re.compile(r"\b(buy|add|put|open|invest|evaluate|size it|purchase|position of|"
                        r"as much as)\b", re.IGNORECASE)
_MAX_WORDS = re.compile(r"\b(as much as|maximum|the max)\b", re.IGNORECASE)
# Words that point at the fund's own history with a company: then the archive is checked.
_PAST_WORDS = re.compile(r"\b(memo|memos|precedent|revisit|revisited|we passed|again|another|"
                         r"last (time|year|quarter)|(our|the) ([\w$.,]+ )?(position|entry))\b",
                         re.IGNORECASE)
_SCENARIO = re.compile(r"scenarios/[\w.-]+\.json")
_HYPOTHETICAL = re.compile(r"\b(hypothetical|suppose|drill)\b", re.IGNORECASE)
_YEAR_OPENING = re.compile(r"\b(first meeting of the (year|quarter)|start of the year|"
                           r"year[- ]opening)\b", re.IGNORECASE)
_RULE_MARKER = re.compile(r"\b(from (today|now|this meeting) on|going forward|from here on|"
                          r"keep it|remember (this|that)|new rule|as a rule|from now)\b",
                          re.IGNORECASE)
_RULE_SENTENCE = re.compile(r"\b(when|whenever|if|before)\b.*\b(no more than|at most|never more "
                            r"than|not more than|cap)\b", re.IGNORECASE)
_FRACTIONS = (("two-thirds", Fraction(2, 3)), ("two thirds", Fraction(2, 3)),
              ("three-quarters", Fraction(3, 4)), ("three quarters", Fraction(3, 4)),
              ("one-half", Fraction(1, 2)), ("half", Fraction(1, 2)),
              ("one-third", Fraction(1, 3)), ("one third", Fraction(1, 3)))
_INSTRUMENTS = (("option", re.compile(r"\b((call|put)s?\s+)?options?\b", re.IGNORECASE)),
                ("future", re.compile(r"\bfutures?\b", re.IGNORECASE)),
                ("swap", re.compile(r"\bswaps?\b", re.IGNORECASE)),
                ("leverage", re.compile(r"\b(on margin|leverage[d]?)\b", re.IGNORECASE)),
                ("short", re.compile(r"\b(short (it|sell)|go short|shorting)\b", re.IGNORECASE)))
MEMO_NAME = re.compile(r"\b[a-z]{1,6}_\d{4}_q[1-4]_(?:buy|hold|pass|sell|trim)(?:_\d+)?\.md\b")


# --------------------------------------------------------------------------- the request


@dataclass(frozen=True)
class Request:
    """What the chair or user asked, as far as plain reading of the words goes."""

    text: str
    buy: bool
    amount: float | None
    instrument: str
    scenario: str | None
    hypothetical: bool
    refers_to_past: bool
    opens_year: bool
    stated_rule: str | None


def money(text: str) -> list[float]:
    """Dollar figures in ``text`` ("$1,500,000", "$2 million", "$750k")."""
    out = []
    for number, unit in _MONEY.findall(text):
        value = float(number.replace(",", ""))
        scale = {"million": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3}.get(unit.lower(), 1)
        out.append(value * scale)
    return out


def stated_rule(text: str) -> str | None:
    """A rule the speaker asks the committee to keep: the conditional sentence next to a
    marker such as "from today on" or "keep it"."""
    if not _RULE_MARKER.search(text):
        return None
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if _RULE_SENTENCE.search(sentence):
            return sentence.strip()
    return None


def read_request(text: str) -> Request:
    """Parse the request: purchase or review, the amount (largest dollar figure of at least
    $10,000; prices per share are smaller), instrument, hypothetical book, pointers to the
    past, and any rule the speaker states."""
    amounts = [a for a in money(text) if a >= 10_000]
    wants_max = bool(_MAX_WORDS.search(text))
    scenario = _SCENARIO.search(text)
    instrument = next((name for name, rx in _INSTRUMENTS if rx.search(text)), "equity")
    return Request(text=text, buy=bool(_BUY_WORDS.search(text)),
                   amount=None if wants_max or not amounts else max(amounts),
                   instrument=instrument, scenario=scenario.group(0) if scenario else None,
                   hypothetical=bool(scenario or _HYPOTHETICAL.search(text)),
                   refers_to_past=bool(_PAST_WORDS.search(text)),
                   opens_year=bool(_YEAR_OPENING.search(text)), stated_rule=stated_rule(text))


# --------------------------------------------------------------------------- learned rules


@dataclass(frozen=True)
class SizingRule:
    """"Purchases within ``window_days`` of earnings get at most ``fraction`` of the allowed
    size", as read from a learning's text."""

    fraction: Fraction
    window_days: int
    source: str


def fraction_in(text: str) -> Fraction | None:
    """The first fraction named in ``text`` ("two-thirds", "2/3", "60%")."""
    lowered = text.lower()
    slash = re.search(r"\b(\d)\s*/\s*(\d)\b", lowered)
    if slash and 0 < int(slash.group(1)) < int(slash.group(2)):
        return Fraction(int(slash.group(1)), int(slash.group(2)))
    for words, value in _FRACTIONS:
        if words in lowered:
            return value
    pct = re.search(r"\b(\d{1,2})\s*%\s+of\b", lowered)
    return Fraction(int(pct.group(1)), 100) if pct else None


def window_in(text: str) -> int | None:
    """A day window such as "within 30 days" or "30 days"."""
    match = re.search(r"\b(\d{1,3})\s*(?:calendar\s+)?days?\b", text.lower())
    return int(match.group(1)) if match else None


def sizing_rule(text: str, source: str = "") -> SizingRule | None:
    """A pre-earnings sizing rule stated in ``text``, if it states one."""
    if not re.search(r"\bearnings?\b|\breports?\b", text, re.IGNORECASE):
        return None
    fraction, window = fraction_in(text), window_in(text)
    if fraction is None or window is None:
        return None
    return SizingRule(fraction, window, source)


def learning_entries(text: str) -> list[tuple[str, str]]:
    """Split a learnings block or search result into ``(id, entry text)`` pairs."""
    entries, current_id, lines = [], "", []
    for line in text.splitlines():
        head = re.match(r"\s*\[(lrn_\w+)\]", line)
        if head:
            if lines:
                entries.append((current_id, "\n".join(lines)))
            current_id, lines = head.group(1), [line]
        elif current_id:
            lines.append(line)
    if lines:
        entries.append((current_id, "\n".join(lines)))
    return entries


def block(system: str, name: str) -> str:
    """The body of a ``<name>...</name>`` memory block in the system prompt ("" if absent)."""
    match = re.search(rf"<{name}[^>]*>(.*?)</{name}>", system, re.DOTALL)
    return match.group(1) if match else ""


# --------------------------------------------------------------------------- recalled decisions


@dataclass(frozen=True)
class PastDecision:
    """One decision-log entry as rendered in recall or search results."""

    id: str
    action: str
    ticker: str
    price: float | None
    logged: date | None
    has_outcome: bool
    hypothetical: bool = False


def decision_entries(text: str) -> list[PastDecision]:
    """Decision-log entries ("[dec_x] BUY MSFT $1,500,000 at $400.00 on 2026-02-16 ...")."""
    out = []
    for chunk in re.split(r"(?m)^(?=\s*\[dec_)", text):
        head = re.match(r"\s*\[(dec_\w+)\]\s+(BUY|HOLD|PASS|SELL|TRIM)\s+([A-Z]{1,6})\b(.*)",
                        chunk)
        if not head:
            continue
        price = re.search(r"\bat \$(\d[\d,]*(?:\.\d+)?)", head.group(4))
        logged = re.search(r"logged: (\d{4}-\d{2}-\d{2})", chunk)
        out.append(PastDecision(head.group(1), head.group(2), head.group(3),
                                float(price.group(1).replace(",", "")) if price else None,
                                date.fromisoformat(logged.group(1)) if logged else None,
                                bool(re.search(r"^\s*outcome", chunk, re.MULTILINE)),
                                "hypothetical" in head.group(4)))
    return out


# --------------------------------------------------------------------------- tool results


@dataclass(frozen=True)
class Step:
    """One tool call of this turn and its result (parsed when the result is JSON)."""

    call: ToolCall
    text: str

    @property
    def name(self) -> str:
        return self.call.name

    @property
    def args(self) -> dict[str, Any]:
        return self.call.arguments or {}

    @property
    def error(self) -> bool:
        return self.text.startswith("Error")

    @property
    def data(self) -> Any:
        try:
            return json.loads(self.text)
        except (json.JSONDecodeError, TypeError):
            return None


def steps_of(view: OfflineView) -> list[Step]:
    """This turn's tool calls with their results."""
    return [Step(c, r) for c, r in view.turn_steps()]


def find(steps: list[Step], name: str, **args: Any) -> list[Step]:
    """Calls of tool ``name`` whose arguments include ``args``."""
    return [s for s in steps if s.name == name
            and all(s.args.get(k) == v for k, v in args.items())]


def mentions(text: str, words: list[str]) -> bool:
    """Whether ``text`` names any of ``words`` as a whole word (case-insensitive)."""
    return any(re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text, re.IGNORECASE)
               for w in words if w)


def today_of(system: str) -> date | None:
    """"Today: 2026-02-16" from the instructions."""
    match = re.search(r"Today:\s*(\d{4}-\d{2}-\d{2})", system)
    return date.fromisoformat(match.group(1)) if match else None
