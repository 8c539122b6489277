"""Dated events in a message: one per dated clause, attached to the entity it is about.

The subject is the companion of an event noun ("coffee with Sarah Chen"), the owner of one
("Northwind Analytics' offsite", "their seed round"), or else the clause's first entity; the
description is the event phrase or the clause itself, with pronouns replaced by names. Dates
that set a deadline ("by Friday"), name a whole week, or say "today" about plans are not events.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from workbench.agents.contacts._dates import find_dates, tense
from workbench.agents.contacts._patterns import EVENT_NOUNS

if TYPE_CHECKING:
    from workbench.agents.contacts._extract import Reader


def dated_events(self: Reader, i: int) -> None:
    """One event per dated clause: subject = owner or companion of an event noun, else the
    clause's first entity; description = the event phrase or the clause itself."""
    sentence = self.sentences[i]
    if re.search(r"\b(?:want|need|trying|'d like|would like|mission|goal)\b", sentence) \
            and not EVENT_NOUNS.search(sentence):
        return
    offset = 0
    for clause in re.split(r"(?<=[:;,])\s+", sentence):
        start = sentence.find(clause, offset)
        offset = start + len(clause)
        dates = [d for d in find_dates(clause, self.today, tense(sentence))
                 if not d.deadline and not re.search(r"\b(?:week)\b", d.phrase, re.I)
                 and not (d.phrase.lower() == "today" and tense(clause) != "past")]
        if not dates:
            continue
        when = dates[0]
        if any(e.date == when.iso for e in self.out.events):
            continue
        refs = [r for r in self._refs_by_sentence[i] if start <= r.start < offset]
        surfaces = [self.resolve(r.surface, i, r.start) for r in refs]
        for m in re.finditer(r"\b(?:[Ss]he|[Hh]e|[Tt]hey|[Ii]t)\b", clause):
            surfaces.insert(0, self.resolve(m.group(0), i, start + m.start()))
        noun = EVENT_NOUNS.search(clause)
        owner = re.search(r"([A-Z][\w&-]*(?: [A-Z][\w&-]*)*|[Tt]heir|[Ii]ts|[Hh]er|[Hh]is)"
                          r"(?:'s|’s|')? (?:(?:first|next|last|annual|seed|\w+) )?"
                          r"(?:offsite|meetup|round|launch|board meeting|all-hands)\b",
                          sentence)
        subject, description = None, clause.replace(when.phrase, "")
        if noun and noun.group("with"):
            subject = self.resolve(noun.group("with"), i, start + noun.start("with"))
            description = f"{noun.group('noun')} with {subject}"
        elif owner:
            subject = self.resolve(owner.group(1), i, owner.start(1))
            description = sentence.replace(when.phrase, "")
            start = 0
        elif noun:
            description = noun.group("noun")
        surfaces = [s for s in surfaces if s and self.kind_of(s)]
        if subject is None and surfaces:
            subject = surfaces[0]
        if subject is None:
            whole = [self.resolve(r.surface, i, r.start) for r in self._refs_by_sentence[i]]
            whole = [s for s in whole if s and self.kind_of(s)]
            subject = whole[0] if whole else None
        if subject is None:
            continue
        if noun and not noun.group("with") and not owner:
            description = f"{subject} {description}"
        description = _pronouns_to_names(self, description, i, start)
        self.event(subject, description, when.iso, surfaces)

def _pronouns_to_names(self: Reader, text: str, i: int, offset: int) -> str:
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        who = self.resolve(word, i, offset + m.start())
        if not who:
            return word
        return f"{who}'s" if word.lower() in ("her", "his", "its", "their") else who

    text = re.sub(r"\b(?:[Ss]he|[Hh]e|[Tt]hey|[Ii]t|[Tt]heir|[Ii]ts)\b", swap, text)
    return re.sub(r"\b(?:on|at|in)\s*$", "", text.strip(" .,;:")).strip()
