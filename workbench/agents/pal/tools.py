"""Pal's tools: notes (SQLite), a per-user file sandbox, meeting lookup and drafts.

Every tool takes the user from the injected :class:`~workbench.agent.RunContext`; no tool has
a user parameter the model could fill in, so a model cannot ask for another user's data.
Drafts are recorded, never sent.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.agent import RunContext, Tool
from workbench.agents.pal.notes import NotesDB
from workbench.agents.pal.sandbox import Sandbox, SandboxError
from workbench.errors import ToolError

CHANNELS = ("email", "chat", "short_post", "long_post", "document", "project_brief",
            "weekly_review", "meeting_notes")
"""Channels a draft can be written for."""

INBOX = "inbox"


class PalEnvironment:
    """The user data an agent works on: one notes database and one sandbox per user.

    Args:
        root: folder holding ``pal.sqlite`` and ``files/<user id>/``.
        clock: "now" for stored timestamps (an experiment passes its simulated clock).
    """

    def __init__(self, root: str | Path, clock: Callable[[], datetime] | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.notes = NotesDB(self.root / "pal.sqlite", clock=clock)
        self._sandboxes: dict[str, Sandbox] = {}

    def __repr__(self) -> str:
        return f"PalEnvironment({str(self.root)!r})"

    def sandbox(self, user_id: str | None) -> Sandbox:
        """The user's file folder (created empty on first use)."""
        if not user_id:
            raise ToolError("no user id: files are private to a user and none was given")
        if not re.fullmatch(r"[\w.-]{1,64}", user_id) or user_id.strip(".") == "":
            raise ToolError(f"user id {user_id!r} cannot name a folder")
        if user_id not in self._sandboxes:
            self._sandboxes[user_id] = Sandbox(self.root / "files" / user_id)
        return self._sandboxes[user_id]

    def seed_user(self, user_id: str, *, context: Path | None = None,
                  notes_file: Path | None = None) -> Sandbox:
        """Give a user their context folder and put a notes export in ``inbox/`` to import."""
        box = self.sandbox(user_id)
        if context is not None:
            shutil.copytree(context, box.root, dirs_exist_ok=True)
            for folder in ("meetings", "projects"):
                (box.root / folder).mkdir(exist_ok=True)
        if notes_file is not None:
            (box.root / INBOX).mkdir(exist_ok=True)
            shutil.copyfile(notes_file, box.root / INBOX / Path(notes_file).name)
        return box

    def close(self) -> None:
        """Close the notes database."""
        self.notes.close()


def _user(ctx: RunContext | None) -> str:
    if ctx is None or not ctx.user_id:
        raise ToolError("this tool needs a user: run the agent with user_id=...")
    return ctx.user_id


def _brief(note: dict[str, Any]) -> dict[str, Any]:
    return {k: note[k] for k in ("id", "date", "kind", "title", "attendees", "project", "tags",
                                 "body")}


def build_tools(env: PalEnvironment) -> list[Tool]:
    """The tools of one Pal agent over ``env``."""

    def ingest_notes(path: str, ctx: RunContext) -> str:
        """Import notes and meeting records from a JSON-lines export in your files folder.

        Each line is an object with title, body, date (YYYY-MM-DD), kind ("note" or
        "meeting"), attendees, tags, project and an optional id. Re-importing replaces notes
        with the same id.

        Args:
            path: the export, relative to your files folder, e.g. "inbox/notes.jsonl".
        """
        user, box = _user(ctx), env.sandbox(ctx.user_id)
        text = box.read(path)
        count = 0
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ToolError(f"{path}:{number}: not JSON ({exc.msg})") from None
            # The owner is the caller, whatever the export says: an import cannot write
            # into someone else's notes.
            env.notes.add_note(user, title=row["title"], body=row["body"],
                               kind=row.get("kind", "note"), date=row.get("date"),
                               attendees=row.get("attendees", ()), tags=row.get("tags", ()),
                               project=row.get("project"), ref=row.get("id"))
            count += 1
        return f"Imported {count} notes from {path}; you now have {env.notes.count(user)}."

    def save_note(title: str, body: str, ctx: RunContext, kind: str = "note",
                  date: str | None = None, attendees: list[str] | None = None,
                  tags: list[str] | None = None, project: str | None = None) -> str:
        """Save a note or a meeting record to your notes.

        Args:
            title: a short title.
            body: the note itself.
            kind: "note" or "meeting".
            date: YYYY-MM-DD (default today).
            attendees: people at a meeting (not you).
            tags: labels such as "private" or a project name.
            project: the project's short name, if any.
        """
        ref = env.notes.add_note(_user(ctx), title=title, body=body, kind=kind, date=date,
                                 attendees=attendees or (), tags=tags or (), project=project)
        return f"Saved note {ref}: {title}."

    def search_notes(query: str, ctx: RunContext, kind: str | None = None,
                     since: str | None = None, limit: int = 8) -> list[dict[str, Any]] | str:
        """Search your notes and meeting records (any of the words; stemmed), best first.

        Args:
            query: words to look for; empty lists the most recent notes.
            kind: "note" or "meeting" to narrow the search.
            since: only notes on or after this date (YYYY-MM-DD).
            limit: at most this many results.
        """
        rows = env.notes.search(_user(ctx), query, kind=kind, since=since, limit=limit)
        return [_brief(r) for r in rows] or f"No notes match {query!r}."

    def get_note(note_id: str, ctx: RunContext) -> dict[str, Any]:
        """Read one note or meeting record by its id.

        Args:
            note_id: the id shown in search results, e.g. "a-011".
        """
        note = env.notes.get(_user(ctx), note_id)
        if note is None:
            raise ToolError(f"you have no note {note_id!r}")
        return _brief(note)

    def find_meetings(ctx: RunContext, query: str | None = None, attendee: str | None = None,
                      since: str | None = None, until: str | None = None,
                      limit: int = 100) -> list[dict[str, Any]] | str:
        """Look up your meeting records (oldest first): title, date, attendees, project.

        Args:
            query: words in the title or body; omit to list all meetings.
            attendee: only meetings with this person (any part of the name).
            since: on or after this date (YYYY-MM-DD).
            until: on or before this date (YYYY-MM-DD).
            limit: at most this many meetings.
        """
        rows = env.notes.meetings(_user(ctx), query=query, attendee=attendee, since=since,
                                  until=until, limit=limit)
        return [_brief(r) for r in rows] or "No meetings found."

    def list_files(ctx: RunContext, folder: str = "") -> list[str] | str:
        """List the files in your folder (or a subfolder), recursively.

        Args:
            folder: a subfolder such as "voice" or "templates"; empty for everything.
        """
        files = env.sandbox(_user(ctx)).list(folder)
        return files or "No files."

    def read_file(path: str, ctx: RunContext) -> str:
        """Read a file from your folder.

        Args:
            path: relative to your folder, e.g. "preferences.md" or "voice/email.md".
        """
        return env.sandbox(_user(ctx)).read(path)

    def search_files(query: str, ctx: RunContext) -> list[dict[str, Any]] | str:
        """Find files in your folder that mention the query words, with matching lines.

        Args:
            query: words to look for.
        """
        return env.sandbox(_user(ctx)).search(query) or f"No files mention {query!r}."

    def write_file(path: str, content: str, ctx: RunContext, overwrite: bool = False) -> str:
        """Save a text file in your folder (files are never deleted or emptied).

        Args:
            path: relative to your folder, e.g. "meetings/2025-05-01 - meeting - review.md".
            content: the full text.
            overwrite: replace an existing file of that name.
        """
        saved = env.sandbox(_user(ctx)).write(path, content, overwrite=overwrite)
        return f"Saved {saved}."

    def write_draft(channel: str, text: str, ctx: RunContext, filename: str | None = None) -> str:
        """Record a draft for the user to review. Nothing is ever sent.

        Args:
            channel: email, chat, short_post, long_post, document, project_brief,
                weekly_review or meeting_notes.
            text: the full draft.
            filename: the file name to save it under, when it is a document.
        """
        if channel not in CHANNELS:
            raise ToolError(f"channel must be one of {', '.join(CHANNELS)}")
        if filename:
            env.sandbox(_user(ctx)).resolve(filename)  # refuse a traversal before recording
        number = env.notes.add_draft(_user(ctx), channel, text, filename)
        return f"Draft {number} recorded for {channel} (not sent)."

    tools = [ingest_notes, save_note, search_notes, get_note, find_meetings, list_files,
             read_file, search_files, write_file, write_draft]
    return [Tool(t) for t in tools]


__all__ = ["CHANNELS", "PalEnvironment", "SandboxError", "build_tools"]

