"""Answering questions from what the tools returned: split the question, find the sentence
that answers each part, cite it; and find recurring meetings in a list of meeting records.

Everything here reads tool results only. Matching is lexical with a small stemmer and a
short list of question cues (who → a person, when → a date, how many → a number, "last time"
→ the most recent record), the way a careful reader skims.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from workbench.agents.pal.dates import WEEKDAYS, format_iso

_STOP = frozenset("""a an and are about any anything as at be been but by can could did do
does for from had has have how i i'm if in into is it its it's me my of on or our so than
that the their them then there these they this to us was we were what what's when when's
where which who who's whom why will with you your again also just know remind tell last time
many much whats whos get got come came working am""".split())
# Question words and the words in a source sentence that answer them.
_SYNONYMS = {"contact": ("lead", "run", "manag", "contact", "side"),
             "run": ("lead", "run", "manag"), "due": ("deadlin", "due"),
             "deadlin": ("deadlin", "due"), "dataset": ("data", "dataset", "archiv"),
             "us": ("go", "use", "with"), "own": ("own", "owner"), "block": ("block",),
             "mov": ("mov", "replicat", "migrat"), "sign": ("sign", "approv"),
             "ask": ("ask", "want", "request")}
_PERSON = re.compile(r"\b[A-ZÅÄÖ][a-zà-ÿ]+ [A-ZÅÄÖ][a-zà-ÿ]+\b")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2} (?:January|February|March|April|May|June|"
                   r"July|August|September|October|November|December) \d{4}\b")
_ANAPHOR = re.compile(r"^(?:this|that|it|these|those|she|he|they)\b", re.I)


def stem(word: str) -> str:
    """A crude, consistent stem: strip one of -ing, -es, -ed, -s, -e."""
    word = word.casefold().replace("'s", "").replace("’s", "")
    for suffix in ("ing", "es", "ed", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _matches(wanted: set[str], have: set[str]) -> set[str]:
    """Wanted stems found in ``have``; a stem of four letters or more also matches as a
    prefix ("replicat" finds "replication")."""
    return {w for w in wanted if w in have or (len(w) >= 4 and any(h.startswith(w)
                                                                    for h in have))}


def terms(text: str) -> set[str]:
    """Stems of the content words of a text."""
    return {stem(w) for w in re.findall(r"[\w'-]+", text.casefold())
            if w not in _STOP and len(w) > 1}


@dataclass(frozen=True)
class Passage:
    """One sentence from a source, with the record it came from."""

    source: str
    label: str
    date: str | None
    text: str
    previous: str
    record_terms: frozenset[str]
    people: tuple[str, ...]


def note_passages(note: dict[str, Any]) -> list[Passage]:
    """Sentences of a note or meeting record."""
    kind = "meeting" if note.get("kind") == "meeting" else "note"
    source = f"{kind} {note['id']}"
    record = frozenset(terms(note["title"] + " " + note["body"] + " " +
                             " ".join(note.get("attendees", []))))
    parts = [s for s in re.split(r"(?<=[.!?])\s+", note["body"]) if s.strip()]
    return [Passage(source, note["title"], note["date"], s, parts[i - 1] if i else "", record,
                    tuple(note.get("attendees", []))) for i, s in enumerate(parts)]


def file_passages(path: str, text: str) -> list[Passage]:
    """Sentences of a file, each bullet or line on its own."""
    record = frozenset(terms(path + " " + text))
    out: list[Passage] = []
    previous = ""
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*]|\d+\.)\s+", "", line).strip()
        if not line or line.startswith("#"):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            out.append(Passage(f'file "{path}"', path, None, sentence, previous, record, ()))
            previous = sentence
    return out


def split_question(question: str) -> tuple[str, list[str]]:
    """(topic, sub-questions). "Where are we with X: when …, which …?" → (X, [when …, which …])."""
    text = re.sub(r"^\s*(?:remind me|tell me|quick question)[:,]?\s*", "", question.strip(),
                  flags=re.I)
    topic = ""
    head, colon, tail = text.partition(":")
    if colon and len(head) < 80 and tail.strip():
        topic, text = head, tail
    about = re.search(r"\b(?:what do (?:I|we) know about|anything (?:in my notes )?about|"
                      r"(?:do I|have I) (?:have|got) anything (?:in my notes )?about)\s+(.+?)"
                      r"(?:\?|$)", text, flags=re.I)
    parts: list[str] = []
    for chunk in re.split(r"\?\s*", text):
        if not chunk.strip():
            continue
        if about and about.group(0).rstrip("?").strip() in chunk:
            topic = topic or about.group(1)
            if chunk.strip() == about.group(0).rstrip("?").strip():
                continue
        parts += [p.strip(" ,.") for p in re.split(
            r",\s*(?:and\s+)?(?=(?:who|what|when|where|which|how|is|are|do|does|did)\b)|"
            r"\s+and\s+(?=(?:who|what|when|where|which|how)\b)", chunk, flags=re.I)
            if p.strip(" ,.")]
    if not parts and topic:
        parts = [p.strip() for p in re.split(r"\s+or\s+", topic) if p.strip()]
    return topic.strip(), parts


def _expand(words: set[str]) -> set[str]:
    out = set(words)
    for word in words:
        out.update(_SYNONYMS.get(word, ()))
    return out


def _score(part: str, passage: Passage, topic_terms: set[str]) -> float:
    wanted = _expand(terms(part))
    have = terms(passage.text)
    direct = _matches(wanted, have)
    indirect = _matches(wanted - direct, set(passage.record_terms))
    if not direct and not indirect:
        return 0.0
    overlap = len(direct) + 0.5 * len(indirect)
    score = 2.0 * overlap + min(1.0, 0.25 * len(topic_terms & passage.record_terms))
    low = part.casefold()
    if low.startswith("who") and (_PERSON.search(passage.text) or passage.people):
        score += 1.0 if _PERSON.search(passage.text) else 0.3
    if re.match(r"^(?:when|what date)\b", low) or re.search(r"\bdue\b|\bdeadline\b", low):
        score += 1.5 if _DATE.search(passage.text) else 0.0
    if low.startswith("how many") or re.search(r"\bhow much\b|\bfigure\b|\bcome to\b", low):
        score += 1.5 if re.search(r"\d", passage.text) else -1.0
        counted = re.search(r"\bhow many (\w+)", low)
        if counted and re.search(rf"\d[\d,]*\s+{re.escape(stem(counted.group(1)))}",
                                 passage.text.casefold()):
            score += 2.0
    if re.match(r"^(?:how|which)\b", low) and re.search(r"\bdecision\b|\bdecided\b|\bgoing with\b",
                                                       passage.text, flags=re.I):
        score += 0.5
    return score


def best_passages(part: str, passages: list[Passage], topic: str) -> list[Passage]:
    """The passage(s) that answer one sub-question; one per person it names."""
    topic_terms = terms(topic)
    pool = passages
    listed = re.search(r"\b([A-Z][a-z]+)((?:, [A-Z][a-z]+)*) and ([A-Z][a-z]+)\b", part)
    names = [n for n in re.findall(r"[A-Z][a-z]+", listed.group(0))] if listed else []
    if names and re.search(r"\blast time\b|\blatest\b|\bmost recent\b|\blast\b", part, re.I):
        with_all = [p for p in pool if p.date and all(n.casefold() in
                                                      (p.text + " " + " ".join(p.people)).casefold()
                                                      for n in names)]
        if with_all:
            latest = max(p.date or "" for p in with_all)
            pool = [p for p in pool if p.date == latest and p.label == next(
                q.label for q in with_all if q.date == latest)]
    groups = [[p for p in pool if n.casefold() in p.text.casefold()] for n in names] \
        if names and len(names) > 1 else [pool]
    out = []
    for group in groups:
        scored = [(_score(part, p, topic_terms), -i, p) for i, p in enumerate(group)]
        scored = [s for s in scored if s[0] > 0]
        if scored:
            out.append(max(scored)[2])
    return out


def answer_parts(question: str, passages: list[Passage]) -> list[tuple[str, list[Passage]]]:
    """Each sub-question with the passages that answer it (empty when none does)."""
    topic, parts = split_question(question)
    # Proper nouns anywhere in the question say what "it" and "there" refer to.
    proper = " ".join(re.findall(r"(?<!^)(?<![.?!] )\b[A-Z][a-z]+\b", question))
    context = f"{topic} {proper}"
    return [(part, best_passages(part, passages, context)) for part in parts]


def quote(passage: Passage) -> str:
    """The sentence, with the one before it when it starts with "This …" or "She …"."""
    if _ANAPHOR.match(passage.text) and passage.previous:
        return f"{passage.previous} {passage.text}"
    return passage.text


def cite(passage: Passage, date_format: str | None) -> str:
    """Where a passage came from, dated in the user's style."""
    if passage.source.startswith("file"):
        return passage.label
    when = format_iso(passage.date, date_format) if passage.date else ""
    kind = passage.source.split()[0]
    return f'{kind} "{passage.label}", {when}'.rstrip(", ")


# --- recurring meetings ---------------------------------------------------------------------

_CADENCE = ((9, "weekly"), (20, "biweekly"), (40, "monthly"))


def series_key(title: str) -> str:
    """A meeting title without dates, parentheses and case: "1:1 with Imani (moved)" → "1:1
    with imani"."""
    title = re.sub(r"\([^)]*\)", "", title)
    title = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", "", title)
    return " ".join(title.casefold().split())


def recurring(meetings: list[dict[str, Any]], *, min_count: int = 3) -> list[dict[str, Any]]:
    """Meeting series seen at least ``min_count`` times, with cadence, weekday and attendees."""
    series: dict[str, list[dict[str, Any]]] = {}
    for meeting in sorted(meetings, key=lambda m: m["date"]):
        series.setdefault(series_key(meeting["title"]), []).append(meeting)
    out = []
    for records in series.values():
        if len(records) < min_count:
            continue
        days = [date.fromisoformat(r["date"]) for r in records]
        gap = statistics.median((b - a).days for a, b in zip(days, days[1:], strict=False))
        cadence = next((name for limit, name in _CADENCE if gap <= limit), None)
        if cadence is None:
            continue
        people = Counter(a for r in records for a in r.get("attendees", []))
        attendees = [p for p, n in people.most_common() if n * 2 >= len(records)]
        weekday = Counter(d.weekday() for d in days).most_common(1)[0][0]
        out.append({"title": records[-1]["title"] if "(" not in records[-1]["title"]
                    else records[0]["title"], "cadence": cadence,
                    "weekday": WEEKDAYS[weekday].capitalize(), "attendees": attendees,
                    "count": len(records), "last": records[-1]["date"]})
    return sorted(out, key=lambda s: ({"weekly": 0, "biweekly": 1, "monthly": 2}[s["cadence"]],
                                      s["title"]))
