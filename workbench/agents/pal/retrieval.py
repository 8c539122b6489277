"""Pal's offline policy for questions: a broad search when it has no better idea, a targeted
path when a recalled "Retrieval:" learning names the sources that answered a similar
question, and a new learning after a broad search succeeds. Also: recurring meetings.
"""

from __future__ import annotations

import re
from dataclasses import replace

from workbench.agents.pal.answer import (
    answer_parts,
    cite,
    file_passages,
    note_passages,
    quote,
    recurring,
    split_question,
    terms,
)
from workbench.agents.pal.compose import finish
from workbench.agents.pal.dates import format_iso
from workbench.agents.pal.notes import query_terms
from workbench.agents.pal.style import Style, build_style
from workbench.agents.pal.turn import Turn, parse_json
from workbench.models import call
from workbench.models.offline import Reply

PREFERENCES = "preferences.md"
# A source in a Retrieval learning: "meeting a-011", "note a-032" (ids carry a digit, so
# ordinary words after "note" are not mistaken for one) or file "projects/x.md".
_SOURCE = re.compile(r"\b(meeting|note) ([\w.-]*\d[\w.-]*)|\bfile \"([^\"]+)\"")


def _reply_style(turn: Turn) -> Style:
    """The style for an answer. Weekdays in quoted notes are history, not plans: they are
    never turned into dates."""
    style = build_style("reply", turn.read, turn.preferences)
    style.dates = replace(style.dates, resolve_weekdays=False)
    return style


def _topic_label(question: str) -> str:
    topic, _ = split_question(question)
    topic = re.sub(r"^(?:where are we with|before|what about|about)\s+", "", topic.strip(),
                   flags=re.I)
    topic = re.sub(r"^(?:the|my|our)\s+", "", topic, flags=re.I)
    if topic:
        return topic
    proper = re.findall(r"(?<!^)\b[A-Z][a-z]+(?: [A-Z][a-z]+)*", question)
    return ", ".join(dict.fromkeys(proper)) or " ".join(list(terms(question))[:4])


def _learned_sources(turn: Turn) -> list[tuple[str, str]]:
    """(kind, ref) sources named by a recalled Retrieval learning about this question."""
    asked = {w for w in re.findall(r"[a-z0-9]+", turn.message.casefold()) if len(w) >= 4}
    for title, body in turn.learnings("Retrieval:"):
        label = title.removeprefix("Retrieval:")
        topic = {w for w in re.findall(r"[a-z0-9]+", label.casefold()) if len(w) >= 4}
        if not topic & asked:
            continue  # a learning about something else, however close its embedding
        found = []
        for match in _SOURCE.finditer(body):
            found.append(("file", match.group(3)) if match.group(3)
                         else (match.group(1), match.group(2)))
        if found:
            return found
    return []


def _passages(turn: Turn) -> list:
    out = [p for note in turn.notes for p in note_passages(note)]
    for path, text in turn.read.items():
        if path != PREFERENCES:
            out += file_passages(path, text)
    return out


# Words about where to look, not what to look for.
_META = frozenset({"notes", "note", "files", "file", "meetings", "meeting", "anything",
                   "something", "remind", "tell", "again", "before", "next", "last", "time"})


def _search_words(text: str) -> str:
    return " ".join(w for w in query_terms(text) if w not in _META)


def _broad_calls(turn: Turn) -> list:
    words = _search_words(turn.message)
    topic, _ = split_question(turn.message)
    return [call("search_notes", query=words, limit=10),
            call("find_meetings", query=_search_words(topic) or words),
            call("search_files", query=words)]


def _follow_ups(turn: Turn) -> list:
    """After a broad search: open the two best files it found, and search the notes for a
    project that one of them revealed but the question did not name. Runs once: the batch
    is a function of the search results, so repeating it asks for nothing new."""
    hits: list[str] = []
    for _, result in turn.calls("search_files"):
        value = parse_json(result)
        if isinstance(value, list):
            hits += [h["path"] for h in value if isinstance(h, dict)]
    best = [p for p in hits if p != PREFERENCES][:2]
    calls = [call("read_file", path=p) for p in best if not turn.attempted(p)]
    asked = turn.message.casefold()
    for path in best:
        if path.startswith("projects/"):
            name = re.sub(r"^project\s*-\s*", "", path.rsplit("/", 1)[-1].rsplit(".", 1)[0])
            if name.casefold() not in asked and not turn.called("search_notes", query=name):
                calls.append(call("search_notes", query=name, limit=10))
    return calls


def retrieval_reply(turn: Turn) -> Reply:
    """Answer a question from the user's notes, meetings and files."""
    if not turn.attempted(PREFERENCES):
        return call("read_file", path=PREFERENCES)
    learned = _learned_sources(turn)
    targeted = [call("get_note", note_id=ref) if kind != "file" else call("read_file", path=ref)
                for kind, ref in learned
                if not (turn.called("get_note", note_id=ref) or turn.attempted(ref))]
    if targeted:
        return targeted
    parts = answer_parts(turn.message, _passages(turn))
    complete = bool(parts) and all(found for _, found in parts)
    broad = bool(turn.calls("search_notes") or turn.calls("search_files"))
    if not complete and not broad:
        return _broad_calls(turn)
    if broad and (follow := _follow_ups(turn)):
        return follow
    style = _reply_style(turn)
    fmt = style.dates.date_format
    used = [p for _, found in parts for p in found]
    if broad and used and complete and not turn.calls("save_learning"):
        return _save_learning(turn, parts)
    lines = []
    for part, found in parts:
        if not found:
            lines.append(f"- {part[0].upper() + part[1:]}: nothing in your notes, meetings or "
                         "files.")
            continue
        for passage in found:
            text = quote(passage)
            lines.append(f"- {text}" if style.concise else f"- {text} ({cite(passage, fmt)})")
    if not used:
        topic, _ = split_question(turn.message)
        lines = [f"I found nothing about {topic or 'that'} in your notes, meetings or files."]
    lead = [] if style.concise or not used else ["From your notes and files:"]
    return finish("\n".join([*lead, *dict.fromkeys(lines)]), style, turn.today)


def _save_learning(turn: Turn, parts: list) -> Reply:
    """Remember which sources answered, so the next similar question goes straight there."""
    sources: dict[str, str] = {}
    projects: list[str] = []
    for _, found in parts:
        for p in found:
            if p.source.startswith("file"):
                sources.setdefault(p.source, p.source)
                name = p.label.rsplit("/", 1)[-1].rsplit(".", 1)[0]
                if p.label.startswith("projects/"):
                    projects.append(re.sub(r"^project\s*-\s*", "", name).casefold())
            else:
                sources.setdefault(p.source, f'{p.source} "{p.label}"')
    for note in turn.notes:
        if any(s.endswith(" " + str(note["id"])) for s in sources) and note.get("project"):
            projects.append(str(note["project"]).casefold())
    label = _topic_label(turn.message)
    extra = [p for p in dict.fromkeys(projects) if p not in label.casefold()]
    title = f"Retrieval: {label}" + (f" ({', '.join(extra)})" if extra else "")
    asked = "; ".join(part for part, _ in parts)
    learning = (f"Questions about {label} ({asked}) were answered from: "
                f"{'; '.join(sources.values())}. Next time read these first (get_note, "
                "read_file) instead of a broad search.")
    return call("save_learning", title=title, learning=learning, context=turn.message,
                tags=["retrieval", *dict.fromkeys(projects)])


def recurring_reply(turn: Turn) -> Reply:
    """List the recurring meetings found in the user's meeting records."""
    if not turn.attempted(PREFERENCES) or not turn.calls("find_meetings"):
        todo = [] if turn.attempted(PREFERENCES) else [call("read_file", path=PREFERENCES)]
        return todo + ([] if turn.calls("find_meetings") else [call("find_meetings", limit=500)])
    style = _reply_style(turn)
    meetings = [n for n in turn.notes if n.get("kind") == "meeting"]
    found = recurring(meetings)
    if not found:
        return finish("I see no recurring meetings in your notes.", style, turn.today)
    fmt = style.dates.date_format
    lines = [f"Recurring meetings in your notes ({len(meetings)} meeting records):"]
    for series in found:
        people = " and ".join(series["attendees"]) or "no one else"
        lines.append(f"- {series['title']}: {series['cadence']}, usually {series['weekday']}, "
                     f"with {people} ({series['count']} meetings, last "
                     f"{format_iso(series['last'], fmt)})")
    return finish("\n".join(lines), style, turn.today)
