"""Reading what memory showed the model: entity cards, the profile block, past sessions.

The offline policy may only use what reached the prompt or a tool result, so everything it
knows is parsed back from text here: the ``<entity_memory>`` block and ``search_entities`` /
``get_entity`` results (the entity store's card format), the ``<user_profile>`` block, and
``recall_sessions`` results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workbench.models.offline import OfflineView
from workbench.text import normalize_name

_HEADER = re.compile(r"^(?P<name>\S.*?) \((?P<type>[\w-]+)(?: aka (?P<aka>.*?))?\)(?:: (?P<desc>.*))?$")
_FACT = re.compile(r"^\s+- (?P<attr>[^:<>]+?): (?P<value>.*) \(since (?P<since>[^)]*)\)$")
_OUT = re.compile(r"^\s+- (?P<rel>\w+) -> (?P<name>.+?)(?: \(since [^)]*\))?$")
_IN = re.compile(r"^\s+- <- (?P<rel>\w+) of (?P<name>.+?)(?: \(since [^)]*\))?$")
_EVENT = re.compile(r"^\s+- event(?: (?P<date>\S+))?: (?P<desc>.*)$")
_PREVIOUS = re.compile(r"^\s+- previously (?P<attr>[^:]+): (?P<value>.*) \((?P<start>\S*) to "
                       r"(?P<end>\S*)\)$")
SEARCH_TOOLS = ("search_entities", "get_entity")


@dataclass
class Card:
    """One entity as memory described it."""

    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    description: str = ""
    facts: list[tuple[str, str, str]] = field(default_factory=list)        # attr, value, since
    previous: list[tuple[str, str, str, str]] = field(default_factory=list)  # + from, to
    out: list[tuple[str, str]] = field(default_factory=list)                # relation, target
    inc: list[tuple[str, str]] = field(default_factory=list)                # relation, source
    events: list[tuple[str | None, str]] = field(default_factory=list)     # date, description

    def names(self) -> list[str]:
        return [self.name, *self.aliases]

    def keys(self) -> set[str]:
        return {normalize_name(n) for n in self.names()}

    def text(self) -> str:
        """Everything on the card as one string (for descriptor matching)."""
        parts = [self.name, self.type, *self.aliases, self.description]
        parts += [f"{a} {v}" for a, v, _ in self.facts]
        parts += [f"{r} {t}" for r, t in self.out] + [f"{r} {s}" for r, s in self.inc]
        parts += [d for _, d in self.events]
        return " ".join(parts)

    def values(self, attributes: tuple[str, ...]) -> list[str]:
        return [v for a, v, _ in self.facts if normalize_name(a).replace(" ", "_") in attributes]

    def merge(self, other: Card) -> None:
        for attr in ("facts", "previous", "out", "inc", "events", "aliases"):
            mine = getattr(self, attr)
            mine.extend(x for x in getattr(other, attr) if x not in mine)
        self.description = self.description or other.description


def _add_line(card: Card, line: str) -> None:
    """File one indented card line under the right heading (first matching form wins)."""
    if m := _IN.match(line):
        card.inc.append((m["rel"], m["name"]))
    elif m := _OUT.match(line):
        card.out.append((m["rel"], m["name"]))
    elif m := _PREVIOUS.match(line):
        card.previous.append((m["attr"], m["value"], m["start"], m["end"]))
    elif m := _EVENT.match(line):
        card.events.append((m["date"], m["desc"]))
    elif m := _FACT.match(line):
        card.facts.append((m["attr"], m["value"], m["since"]))


def parse_cards(text: str) -> list[Card]:
    """Every entity card in a block of text (unrecognised lines are ignored)."""
    cards: list[Card] = []
    current: Card | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" "):
            m = _HEADER.match(line.strip())
            current = None
            if m:
                aka = [a.strip() for a in (m.group("aka") or "").split(",") if a.strip()]
                current = Card(m.group("name"), m.group("type"), aka, m.group("desc") or "")
                cards.append(current)
            continue
        if current is not None:
            _add_line(current, line)
    return cards


def block(text: str, tag: str) -> str:
    m = re.search(rf"<{tag}[^>]*>\n?(.*?)</{tag}>", text, flags=re.S)
    return m.group(1) if m else ""


def visible_cards(view: OfflineView) -> dict[str, Card]:
    """Cards from the recalled memory block and this turn's search / get_entity results,
    merged by name (later, fuller results add to earlier ones)."""
    texts = [block(view.system, "entity_memory")]
    texts += [result for c, result in view.turn_steps() if c.name in SEARCH_TOOLS
              and not result.startswith("Error")]
    out: dict[str, Card] = {}
    for text in texts:
        for card in parse_cards(text):
            k = normalize_name(card.name)
            if k in out:
                out[k].merge(card)
            else:
                out[k] = card
    return out


def profile(view: OfflineView) -> dict[str, str]:
    """The recalled user profile as label -> value ("timezone" -> "Europe/Lisbon")."""
    out = {}
    for line in block(view.system, "user_profile").splitlines():
        label, sep, value = line.partition(": ")
        if sep:
            out[normalize_name(label).replace(" ", "_")] = value.strip()
    return out


@dataclass
class SessionNote:
    """A past session's goal and plan, as ``recall_sessions`` reported it."""

    date: str
    goal: str
    plan: list[str]


def sessions(text: str) -> list[SessionNote]:
    """Parse ``recall_sessions`` output."""
    notes = []
    for chunk in re.split(r"\n(?=Session of )", text):
        m = re.match(r"Session of (\S+)", chunk)
        if not m:
            continue
        goal = re.search(r"^\s*Goal: (.*)$", chunk, flags=re.M)
        plan = re.findall(r"^\s*\d+\. (.*)$", chunk, flags=re.M)
        notes.append(SessionNote(m.group(1), goal.group(1) if goal else "", plan))
    return notes
