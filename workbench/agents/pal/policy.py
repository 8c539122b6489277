"""Pal's policy for the offline model: a deterministic stand-in that drafts, names files,
captures notes and answers questions with real tool calls.

It follows only what is in front of it — the request's messages, the recalled memory in the
system prompt and this turn's tool results — and keeps no state between calls. It never
opens the dataset's grader files; it reads the user's files through the agent's tools like a
model would, so its cold drafts obey the files it opened and plain defaults, and a
conversation-only preference is obeyed only once it is recalled into the prompt.

Flow per request: the memory-extraction request goes to :mod:`.extract`; otherwise the turn
is classified (draft, file name, question, recurring meetings, statement, capture, import)
and the handler returns the next tool calls, or the final text once it has what it needs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

from workbench.agents.pal import compose, documents
from workbench.agents.pal.dates import WEEKDAYS, resolve_weekday
from workbench.agents.pal.extract import FORMAT_NAME, pal_extraction
from workbench.agents.pal.language import CHANNEL_LABELS, parse_statements
from workbench.agents.pal.request import Draft, capture_parts, draft_request, meeting_ref
from workbench.agents.pal.retrieval import recurring_reply, retrieval_reply
from workbench.agents.pal.style import (
    Style,
    build_style,
    preferences_file,
    template_file,
    voice_file,
)
from workbench.agents.pal.turn import Turn
from workbench.models import OfflineView, ToolCall, call
from workbench.models.offline import Reply

PAL_MARKER = "You are Pal"
"""The policy only acts for an agent whose instructions start with this."""


def pal_policy(view: OfflineView) -> Reply:
    """The offline model's behaviour for Pal (see the module docstring)."""
    if view.response_format == FORMAT_NAME:
        return pal_extraction(view)
    if view.response_format or PAL_MARKER not in view.system:
        return None
    turn = Turn(view)
    handler = {"draft": _draft, "filename": _filename, "retrieval": retrieval_reply,
               "recurring": recurring_reply, "statement": _statement, "capture": _capture,
               "import": _import}.get(turn.intent.kind, _chat)
    return handler(turn)


# --- drafts and file names ------------------------------------------------------------------

def projects(files: list[str]) -> list[str]:
    """Project short names from the files under ``projects/``."""
    out = []
    for path in files:
        if path.startswith("projects/"):
            stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            out.append(re.sub(r"^project\s*-\s*", "", stem).strip().casefold())
    return out


def _named_project(text: str, names: list[str]) -> str | None:
    return next((n for n in names if re.search(rf"\b{re.escape(n)}\b", text, flags=re.I)), None)


def _style(turn: Turn, channel: str | None) -> Style:
    return build_style(channel, turn.read, turn.preferences)


def _wanted_files(turn: Turn, channel: str) -> list[str]:
    files = turn.files or []
    wanted = [preferences_file(files), voice_file(files, channel), template_file(files, channel)]
    if channel == "project_brief":
        name = _named_project(turn.message, projects(files))
        wanted.append(next((f for f in files if f.startswith("projects/") and name and
                            name in f.casefold()), None))
    return [w for w in wanted if w]


def _meeting_day(turn: Turn, when: str, qualifier: str) -> date | None:
    """The date of the meeting a file is for; None when a lookup is needed first."""
    if when == "today":
        return turn.today
    if when == "tomorrow":
        return turn.today + timedelta(days=1)
    if when == "yesterday":
        return turn.today - timedelta(days=1)
    if when in WEEKDAYS:
        return resolve_weekday(when, turn.today, qualifier)
    seen = [date.fromisoformat(n["date"]).weekday() for n in turn.notes if n.get("date")]
    if not turn.calls("find_meetings"):
        return None
    # "next week's design review": the weekday that meeting usually falls on, next week.
    weekday = Counter(seen).most_common(1)[0][0] if seen else turn.today.weekday()
    return resolve_weekday(WEEKDAYS[weekday], turn.today, "next")


def _file_name(turn: Turn, kind: str, style: Style) -> str | ToolCall:
    """The file name for ``kind``, or the lookup that must come first."""
    template = style.filenames.get(kind) or compose.DEFAULT_FILENAMES[kind]
    names = projects(turn.files or [])
    ref = meeting_ref(turn.message)
    topic = ref.topic if ref else ""
    project = _named_project(turn.message, names)
    needs_lookup = (("<project>" in template and project is None) or
                    (ref is not None and ref.when == "week"))
    if needs_lookup and not turn.calls("find_meetings"):
        return call("find_meetings", query=topic or turn.message)
    if "<project>" in template and project is None:
        counts = Counter(n.get("project") for n in turn.notes if n.get("project"))
        project = counts.most_common(1)[0][0] if counts else None
    day = turn.today
    if ref is not None:
        day = _meeting_day(turn, ref.when, ref.qualifier) or turn.today
    elif kind == "weekly_review":
        friday = re.search(r"dated with the (\w+day) of (?:that|the) week",
                           " ".join(turn.read.values()), flags=re.I)
        if friday:
            target = WEEKDAYS.index(friday.group(1).casefold())
            day = turn.today + timedelta(days=target - turn.today.weekday())
    return compose.filename(template, day=day, topic=topic, project=project, name=project or "")


def _read_first(turn: Turn, channel: str) -> Reply | None:
    """List the files, then read the preferences, voice guide and template for a channel."""
    if turn.files is None:
        return call("list_files")
    unread = [p for p in _wanted_files(turn, channel) if not turn.attempted(p)]
    return [call("read_file", path=p) for p in unread] or None


def _filename(turn: Turn) -> Reply:
    kind = turn.intent.channel or "meeting_notes"
    first = _read_first(turn, kind)
    if first is not None:
        return first
    style = _style(turn, kind)
    name = _file_name(turn, kind, style)
    if not isinstance(name, str):
        return name
    folder = {"project_brief": "projects/"}.get(kind, "meetings/")
    # Not run through the date rewriting: the name's date shape is the template's, not prose.
    return f"Call it `{name}` (in `{folder}`)."


def _draft(turn: Turn) -> Reply:
    channel = turn.intent.channel or "email"
    first = _read_first(turn, channel)
    if first is not None:
        return first
    style = _style(turn, channel)
    request = draft_request(turn.message, channel, turn.history)
    needs_notes = channel in ("document", "weekly_review", "project_brief")
    if needs_notes and not turn.calls("search_notes"):
        # A weekly review reads the latest notes (empty query); the others search a topic.
        project = _named_project(turn.message, projects(turn.files or []))
        query = {"document": request.topic, "project_brief": project or request.topic}.get(
            channel, "")
        return call("search_notes", query=query, limit=12)
    filename = None
    if turn.intent.wants_filename or channel == "project_brief":
        name = _file_name(turn, channel if channel in compose.DEFAULT_FILENAMES
                          else "meeting_notes", style)
        if not isinstance(name, str):
            return name
        filename = name
    text = _compose(turn, channel, request, style)
    if not turn.calls("write_draft"):
        return call("write_draft", channel=channel, text=text,
                    **({"filename": filename} if filename else {}))
    label = CHANNEL_LABELS.get(channel, channel).rstrip("s").lower()
    lead = "" if style.concise else f"Here is the {label} draft (recorded, not sent):\n\n"
    tail = f"\n\nFile name: `{filename}`" if filename else ""
    return f"{lead}{text}{tail}"


def _compose(turn: Turn, channel: str, request: Draft, style: Style) -> str:
    fmt = style.dates.date_format
    if channel in ("document", "weekly_review", "project_brief"):
        # Documents quote notes: "a Saturday" there is history, not a day to resolve.
        style = replace(style, dates=replace(style.dates, resolve_weekdays=False))
    template = next((turn.read[p] for p in turn.read if p == template_file(list(turn.read),
                                                                             channel)), None)
    owner = turn.profile.get("preferred name") or turn.profile.get("name")
    if channel == "email":
        text = compose.email(request, style, user_name=owner)
    elif channel == "chat":
        text = compose.chat(request, style)
    elif channel == "short_post":
        text = compose.short_post(request, style)
    elif channel == "long_post":
        text = compose.long_post(request, style)
    elif channel == "weekly_review":
        text = documents.weekly_review(template, turn.notes, today=turn.today, date_format=fmt,
                                       tldr=style.rules.tldr)
    elif channel == "project_brief":
        name = _named_project(turn.message, projects(turn.files or [])) or request.topic
        project_file = next((t for p, t in turn.read.items() if p.startswith("projects/")), None)
        text = documents.project_brief(template, name, project_file, turn.notes,
                                       date_format=fmt, today=turn.today)
    else:
        reader = request.recipients[0].split()[0] if request.recipients else None
        text = documents.write_up(request.topic or request.purpose, turn.notes,
                                  tldr=style.rules.tldr, date_format=fmt, today=turn.today,
                                  owner=reader)
    return compose.finish(text, style, turn.today)


# --- statements, captures, imports ---------------------------------------------------------

def _statement(turn: Turn) -> Reply:
    prefs = parse_statements(turn.message)
    corrections = [p for p in prefs if p.overrides_file or p.replaces]
    for pref in corrections:
        title = f"Correction: {CHANNEL_LABELS.get(pref.channel, pref.channel).lower()} " \
                f"{pref.aspect.replace('_', ' ')}"
        if not turn.called("save_learning", title=title):
            return call("save_learning", title=title, learning=pref.render(),
                        context="stated by the user; wins over the files",
                        tags=["correction", pref.channel])
    noted = " ".join(p.render() for p in prefs)
    return f"Noted. {noted}".strip()


def _capture(turn: Turn) -> Reply:
    if not turn.calls("save_note"):
        title, body, tags = capture_parts(turn.message)
        return call("save_note", title=title, body=body, tags=tags)
    return "Saved to your notes."


def _import(turn: Turn) -> Reply:
    if not turn.calls("ingest_notes"):
        return call("ingest_notes", path=turn.intent.path)
    return turn.calls("ingest_notes")[-1][1]


def _chat(turn: Turn) -> Reply:
    return ("I can draft emails, chat messages and posts, name files, save notes and answer "
            "questions from your notes, meetings and files.")
