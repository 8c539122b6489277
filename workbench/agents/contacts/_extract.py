"""What a user's message says about people, companies and projects, by general language rules.

:class:`Reader` turns one message (plus the earlier messages of its session, the session date
and the entity types memory already knows) into an :class:`Extraction`: the entities worth
recording, (subject, attribute, value) facts, typed relationships, dated events, renames and
retirements. Subjects are *surface names* as the user wrote them (pronouns and descriptions
such as "the studio" already resolved); matching them to stored entities is the policy's job,
done with real ``search_entities`` calls.

The rules are the patterns of ordinary English a CRM user writes — appositions ("Bob Kim,
their CFO"), copulas ("Kenji is Brightwater's CEO"), verbs of relation ("reports to", "runs",
"introduced me to", "led their seed round", "is an adviser to"), attribute phrases ("her email
is", "headquartered in", "is stuck waiting for"), corrections ("has left", "was promoted",
"now"), and dates (see :mod:`._dates`). The pattern tables live in :mod:`._patterns`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from workbench.agents.contacts._mentions import (
    _DESCRIPTION,
    _PRONOUN,
    DESCRIPTION_NOUNS,
    GENDER,
    PRONOUNS,
    Ref,
    _clean_run,
    key,
    names_in,
    resolve_description,
    resolve_pronoun,
    split_sentences,
    strip_possessive,
)

USER_WORDS = frozenset({"i", "me", "my", "mine", "myself", "we", "us", "our", "ours"})
_TRANSITIVE = r"\b(?:led|co-led|backed|funded|joined|invested in|left|acquired|bought)\s+$"


@dataclass
class EventNote:
    """A dated happening: the main entity, a description, an ISO date, other entities."""

    subject: str
    description: str
    date: str
    participants: list[str] = field(default_factory=list)


@dataclass
class Extraction:
    """Everything one message states, keyed by surface names."""

    types: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    facts: list[tuple[str, str, str]] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    events: list[EventNote] = field(default_factory=list)
    renames: list[tuple[str, str]] = field(default_factory=list)
    retire: list[tuple[str, str, str]] = field(default_factory=list)
    #: Every person named in the session so far (full names help "Marco" find "Marco Bellini").
    people: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.types or self.facts or self.relations or self.events or self.renames)

    def surfaces(self) -> list[str]:
        """Every entity surface the message refers to, in first-mention order."""
        seen: dict[str, None] = dict.fromkeys(self.types)
        for s, _, _ in self.facts:
            seen.setdefault(s)
        for s, _, t in [*self.relations, *self.retire]:
            seen.setdefault(s)
            seen.setdefault(t)
        for e in self.events:
            seen.setdefault(e.subject)
            for p in e.participants:
                seen.setdefault(p)
        for old, _ in self.renames:
            seen.setdefault(old)
        return list(seen)


def user_names_in(text: str) -> list[str]:
    """Names the user gives themselves ("I'm Leila Haddad", "my name is ...")."""
    found = re.findall(r"\b(?:I'm|I am|[Mm]y name is|[Cc]all me)\s+([A-Z][\w'-]+(?: [A-Z][\w'-]+)?)"
                       r"(?=[,.;!]|$| and\b)", text)
    return [f for f in found if f.split()[0].lower() not in {"so", "not", "just", "happy"}]


class Reader:
    """Reads one message in context. Deterministic: the same inputs give the same result.

    Args:
        message: the user's message.
        today: the session date (relative dates resolve against it).
        history: earlier user messages of the same session, oldest first.
        known: identity key -> entity type, for entities memory already holds.
        user_names: names that refer to the user (never recorded as entities).
    """

    def __init__(self, message: str, today: date, history: Iterable[str] = (),
                 known: Mapping[str, str] | None = None, user_names: Iterable[str] = ()) -> None:
        self.message = message
        self.today = today
        self.known = dict(known or {})
        self.user_keys = {key(n) for n in user_names} | {key(n.split()[0]) for n in user_names
                                                         if n.split()}
        self.out = Extraction()
        self.strong: dict[str, str] = {}       # types fixed by a pattern role
        self.gender: dict[str, str] = {}       # identity key -> "f"/"m", from pronouns used
        self.topic: str | None = None
        self.sentences = split_sentences(message)
        self.context: list[Ref] = []
        self.user_keys |= {key(n) for n in user_names_in(message)}
        for old in history:
            self.user_keys |= {key(n) for n in user_names_in(old)}
        for old in history:
            prior = Reader(old, today, (), self.known, user_names)
            prior.user_keys |= self.user_keys
            refs = [r for r in prior.refs() if r.surface and key(r.surface) not in self.user_keys]
            # History sentences get negative indices so "earlier" stays well-defined.
            base = len(prior.sentences)
            self.context = [Ref(r.surface, r.kind, r.sentence - base - 1, r.start, r.end, r.via)
                            for r in self.context]
            self.context.extend(Ref(r.surface, r.kind, r.sentence - base, r.start, r.end, r.via)
                                for r in refs)
            self.strong.update({k: v for k, v in prior.strong.items() if k not in self.known})
            self.gender.update(prior.gender)
        self._history_gender = dict(self.gender)
        self._refs_by_sentence: list[list[Ref]] = []

    # -- mentions ---------------------------------------------------------------------------

    def kind_of(self, surface: str) -> str | None:
        k = key(surface)
        return self.known.get(k) or self.strong.get(k) or self.out.types.get(surface)

    def refs(self) -> list[Ref]:
        """Run the extraction and return the message's mentions (for later turns' context)."""
        self.run()
        return [r for sent in self._refs_by_sentence for r in sent]

    def _sentence_refs(self, i: int) -> list[Ref]:
        found = []
        for ref in names_in(self.sentences[i], i, self.known):
            if key(ref.surface) in self.user_keys:
                continue
            kind = self.known.get(key(ref.surface)) or self.strong.get(key(ref.surface)) or ref.kind
            found.append(Ref(ref.surface, kind, i, ref.start, ref.end))
        return found

    def before(self, i: int, pos: int) -> list[Ref]:
        """Mentions a pronoun at (sentence i, offset pos) can point back to."""
        here = [r for r in self._refs_by_sentence[i] if r.start < pos] \
            if i < len(self._refs_by_sentence) else []
        earlier = [r for sent in self._refs_by_sentence[:i] for r in sent]
        refs = [*self.context, *earlier, *here]
        return [Ref(r.surface, self.kind_of(r.surface) or r.kind, r.sentence, r.start, r.end,
                    r.via) for r in refs]

    def later(self, i: int, pos: int) -> list[str]:
        if i >= len(self._refs_by_sentence):
            return []
        return [r.surface for r in self._refs_by_sentence[i] if r.start > pos and r.via == "name"]

    def resolve(self, expr: str | None, i: int, pos: int, exclude: Iterable[str] = ()
                ) -> str | None:
        """The surface name an expression refers to (None for the user or nothing)."""
        if not expr:
            return None
        text = strip_possessive(expr.strip())
        low = text.lower()
        if low in USER_WORDS:
            return None
        if low in PRONOUNS:
            exclude = list(exclude)
            if low in ("their", "its") and re.search(_TRANSITIVE, self.sentences[i][:pos]):
                names = [r for r in self._refs_by_sentence[i] if r.via == "name"]
                exclude += [names[0].surface] if names else []     # "X led their round"
            ref = resolve_pronoun(low, self.before(i, pos), [*exclude, *self.later(i, pos)],
                                  self.gender)
            if ref and low in GENDER and ref.kind == "person":
                self.gender.setdefault(key(ref.surface), GENDER[low])
            return ref.surface if ref else None
        called = re.search(r"called ([A-Z][\w-]*(?: [A-Z][\w-]*)*)$", text)
        if called:
            return called.group(1)
        desc = _DESCRIPTION.fullmatch(text)
        if desc:
            noun = desc.group(1).lower()
            ref = resolve_description(noun, self.before(i, pos))
            return ref.surface if ref else text
        name, _ = _clean_run(text, False)
        if not name or key(name) in self.user_keys:
            return None
        return name

    # -- recording --------------------------------------------------------------------------

    def typed(self, surface: str | None, kind: str | None, *, strong: bool = True) -> None:
        if not surface or not kind:
            return
        k = key(surface)
        if strong and k not in self.known and k not in self.strong:
            self.strong[k] = kind
        current = self.kind_of(surface)
        self.out.types.setdefault(surface, current or kind)
        if self.out.types[surface] is None:
            self.out.types[surface] = kind

    def fact(self, subject: str | None, attribute: str, value: str | None) -> None:
        value = clean_value(value)
        if subject and value and (subject, attribute, value) not in self.out.facts:
            for n, (s, a, v) in enumerate(self.out.facts):
                if s == subject and a == attribute == "title" and value.lower() not in \
                        v.lower():
                    self.out.facts[n] = (s, a, f"{v} and {value}")   # "CEO" + "co-founder"
                    return
                if s == subject and a == attribute and value.lower() in v.lower():
                    return
            self.out.facts.append((subject, attribute, value))

    def relation(self, source: str | None, relation: str, target: str | None,
                 source_type: str | None = None, target_type: str | None = None) -> None:
        if not source or not target or key(source) == key(target):
            return
        self.typed(source, source_type)
        self.typed(target, target_type)
        if (source, relation, target) not in self.out.relations:
            self.out.relations.append((source, relation, target))

    def event(self, subject: str | None, description: str, when: str,
              participants: Iterable[str | None] = ()) -> None:
        if not subject:
            return
        others = [p for p in dict.fromkeys(participants) if p and key(p) != key(subject)]
        if any(e.subject == subject and e.date == when for e in self.out.events):
            return
        description = " ".join(description.split()).strip(" ,;:-")
        description = description[:1].upper() + description[1:]
        self.out.events.append(EventNote(subject, description, when, others))

    def rename(self, old: str, new: str) -> None:
        if (old, new) not in self.out.renames:
            self.out.renames.append((old, new))

    def retire(self, source: str, relation: str, target: str) -> None:
        if (source, relation, target) not in self.out.retire:
            self.out.retire.append((source, relation, target))

    def alias(self, surface: str, alias: str) -> None:
        if key(alias) != key(surface):
            self.out.aliases.setdefault(surface, [])
            if alias not in self.out.aliases[surface]:
                self.out.aliases[surface].append(alias)

    # -- the pass ---------------------------------------------------------------------------

    def run(self) -> Extraction:
        if self._refs_by_sentence:
            return self.out
        from workbench.agents.contacts._events import dated_events
        from workbench.agents.contacts._patterns import PATTERNS, TOPIC

        for _ in range(2):   # pass 1 learns pattern-role types; pass 2 uses them
            self.out = Extraction()
            self.gender = dict(self._history_gender)
            self._refs_by_sentence = []
            self.topic = None
            for i, sentence in enumerate(self.sentences):
                self._refs_by_sentence.append(self._sentence_refs(i))
                self._pronoun_refs(i)
                topic = TOPIC.search(sentence)
                if topic:
                    self.topic = self.resolve(topic.group("t"), i, topic.start("t"))
                for variant in (sentence, reduce_sentence(sentence)):
                    for pattern, handler in PATTERNS:
                        for m in pattern.finditer(variant):
                            handler(self, m, i)
                dated_events(self, i)
            for ref in (r for sent in self._refs_by_sentence for r in sent):
                kind = self.kind_of(ref.surface) or ref.kind
                if kind:
                    self.typed(ref.surface, kind, strong=False)
            every = [*self.context, *(r for sent in self._refs_by_sentence for r in sent)]
            self.out.people = list(dict.fromkeys(
                r.surface for r in every if (self.kind_of(r.surface) or r.kind) == "person"))
        return self.out

    def _pronoun_refs(self, i: int) -> None:
        """Resolve the sentence's pronouns in order and keep them as mentions, so that a chain
        ("She reports to David. His address ...") carries on to the next sentence."""
        for m in _PRONOUN.finditer(self.sentences[i]):
            surface = self.resolve(m.group(0), i, m.start())
            if surface:
                refs = self._refs_by_sentence[i]
                refs.append(Ref(surface, self.kind_of(surface), i, m.start(), m.end(), "pronoun"))
                refs.sort(key=lambda r: r.start)

    def add_ref(self, ref: Ref) -> None:
        """A mention a pattern creates (e.g. a project named from "a fresh brand")."""
        self._refs_by_sentence[ref.sentence].append(ref)
        self._refs_by_sentence[ref.sentence].sort(key=lambda r: r.start)

_APPOSITION = re.compile(r",\s+(?:who|which)\s[^,.;]*,|,\s+(?:a|an|the|their|its|[A-Z][\w-]*(?:'s"
                         r"|’s|'))\s[^,.;]*?,(?=\s+(?:is|has|was|got|made|said|will)\b)")


def reduce_sentence(sentence: str) -> str:
    """The sentence with appositions and relative clauses blanked (same length), so that
    "Grace Liu, who founded the studio, is leading the rebrand" reads as "Grace Liu ... is
    leading the rebrand" while every offset stays valid."""
    return _APPOSITION.sub(lambda m: " " * len(m.group(0)), sentence)


_VALUE_TAIL = re.compile(r"\s+(?:as well|too|now|personally|in case .*|these days|for now|"
                         r"at the moment|right now|there|here)$", re.I)


def clean_value(value: str | None) -> str | None:
    """Trim a captured value: surrounding punctuation, hedges and trailing filler."""
    if value is None:
        return None
    text = " ".join(value.split()).strip(" ,.;:!?\"'")
    text = re.sub(r"^(?:and|but|so|mostly|mainly|largely|basically|really|apparently|currently|"
                  r"still)\s+", "", text, flags=re.I)
    previous = None
    while previous != text:
        previous = text
        text = _VALUE_TAIL.sub("", text).strip(" ,.;:")
    return text or None


__all__ = ["DESCRIPTION_NOUNS", "EventNote", "Extraction", "Reader", "clean_value",
           "reduce_sentence"]
