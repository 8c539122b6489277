"""Pal's notes database: SQLite tables in the ``pal_`` namespace, every statement user-scoped.

One database holds the notes, meeting records and drafts of every user of an agent, so
scoping is what keeps users apart. It is enforced twice: each method takes the user id from
its caller (the tools take it from ``RunContext``, never from the model), and every statement
goes through :meth:`NotesDB._run`, which refuses SQL on a ``pal_`` table that is not bound to
a user (``user_id = ?`` in the WHERE clause, or a ``user_id`` column in an INSERT).

Search is SQLite FTS5 with the Porter stemmer, so "interviews" finds "Interview: ...".
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench.errors import ToolError

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS pal_notes (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        ref TEXT NOT NULL,
        date TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        attendees TEXT NOT NULL DEFAULT '[]',
        body TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        project TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (user_id, ref))""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS pal_notes_fts USING fts5(
        note_id UNINDEXED, user_id UNINDEXED, title, body, people, tags, project,
        tokenize = 'porter unicode61 remove_diacritics 2')""",
    """CREATE TABLE IF NOT EXISTS pal_drafts (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        text TEXT NOT NULL,
        filename TEXT,
        created_at TEXT NOT NULL,
        sent INTEGER NOT NULL DEFAULT 0)""",
)

_SCOPED_WHERE = re.compile(r"\buser_id\s*=\s*\?")
_STOPWORDS = frozenset("""a an and are about any anything as at be been but by can could did
do does for from had has have how i i'm if in into is it its me my of on or our so than that
the their them then there these they this to us was we were what when where which who whom
why will with you your again also just know remind""".split())
KINDS = ("note", "meeting")


class ScopeError(ToolError):
    """A statement on a ``pal_`` table was not bound to a user."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def query_terms(query: str) -> list[str]:
    """The searchable words of a free-text query (stopwords and one-letter words dropped)."""
    words = re.findall(r"\w+", query.casefold())
    return list(dict.fromkeys(w for w in words if len(w) > 1 and w not in _STOPWORDS))


class NotesDB:
    """User-scoped notes, meetings and drafts in one SQLite file.

    Args:
        path: the database file (created if missing); ``":memory:"`` for a throwaway one.
        clock: returns "now" for ``created_at`` (an experiment passes its simulated clock).
    """

    def __init__(self, path: str | Path, clock: Callable[[], datetime] | None = None) -> None:
        self.path = str(path)
        self.clock = clock or _now
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        with self._lock, self._conn:
            for statement in _SCHEMA:
                self._conn.execute(statement)
        self.statements = 0

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    # -- the one gate every statement passes ------------------------------------------------

    def _run(self, sql: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        """Execute one statement; refuse it unless it is bound to a user."""
        flat = " ".join(sql.split())
        if "pal_" in flat:
            insert = flat.upper().startswith("INSERT")
            scoped = ("user_id" in flat.split("VALUES")[0]) if insert else \
                bool(_SCOPED_WHERE.search(flat))
            if not scoped:
                raise ScopeError(f"refused an unscoped statement on a pal_ table: {flat[:120]}")
        with self._lock, self._conn:
            self.statements += 1
            return self._conn.execute(sql, tuple(params)).fetchall()

    @staticmethod
    def _user(user_id: str | None) -> str:
        if not user_id:
            raise ScopeError("no user id: notes are private to a user and none was given")
        return user_id

    # -- writes -----------------------------------------------------------------------------

    def add_note(self, user_id: str, *, title: str, body: str, kind: str = "note",
                 date: str | None = None, attendees: Iterable[str] = (),
                 tags: Iterable[str] = (), project: str | None = None,
                 ref: str | None = None) -> str:
        """Insert (or replace, same ``ref``) one note for ``user_id``; returns its ref."""
        user = self._user(user_id)
        if kind not in KINDS:
            raise ToolError(f"kind must be one of {KINDS}, not {kind!r}")
        if not title.strip() or not body.strip():
            raise ToolError("a note needs a title and a body")
        now = self.clock()
        date = date or now.date().isoformat()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
            raise ToolError(f"date must be YYYY-MM-DD, not {date!r}")
        if ref is None:
            count = self._run("SELECT COUNT(*) AS n FROM pal_notes WHERE user_id = ?", [user])
            ref = f"note-{count[0]['n'] + 1}"
        people, labels = list(attendees), list(tags)
        existing = self._run("SELECT id FROM pal_notes WHERE user_id = ? AND ref = ?",
                             [user, ref])
        if existing:
            self._run("DELETE FROM pal_notes_fts WHERE user_id = ? AND note_id = ?",
                      [user, existing[0]["id"]])
            self._run("DELETE FROM pal_notes WHERE user_id = ? AND id = ?",
                      [user, existing[0]["id"]])
        self._run("INSERT INTO pal_notes (user_id, ref, date, kind, title, attendees, body, "
                  "tags, project, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  [user, ref, date, kind, title.strip(), json.dumps(people, ensure_ascii=False),
                   body.strip(), json.dumps(labels, ensure_ascii=False), project,
                   now.isoformat()])
        row = self._run("SELECT id FROM pal_notes WHERE user_id = ? AND ref = ?", [user, ref])
        self._run("INSERT INTO pal_notes_fts (note_id, user_id, title, body, people, tags, "
                  "project) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  [row[0]["id"], user, title, body, " ".join(people), " ".join(labels),
                   project or ""])
        return ref

    def add_draft(self, user_id: str, channel: str, text: str,
                  filename: str | None = None) -> int:
        """Record a draft (never sent); returns its id within the user's drafts."""
        user = self._user(user_id)
        if not text.strip():
            raise ToolError("a draft needs text")
        self._run("INSERT INTO pal_drafts (user_id, channel, text, filename, created_at) "
                  "VALUES (?, ?, ?, ?, ?)", [user, channel, text, filename,
                                             self.clock().isoformat()])
        return int(self._run("SELECT COUNT(*) AS n FROM pal_drafts WHERE user_id = ?",
                             [user])[0]["n"])

    # -- reads ------------------------------------------------------------------------------

    @staticmethod
    def _as_dict(row: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": row["ref"], "date": row["date"], "kind": row["kind"],
                "title": row["title"], "attendees": json.loads(row["attendees"]),
                "project": row["project"], "tags": json.loads(row["tags"]),
                "body": row["body"]}

    def search(self, user_id: str, query: str, *, kind: str | None = None,
               since: str | None = None, limit: int = 8) -> list[dict[str, Any]]:
        """The user's notes best matching ``query`` (any word, stemmed), best first.

        An empty query lists the most recent notes instead.
        """
        user = self._user(user_id)
        terms = query_terms(query)
        where, params = ["n.user_id = ?"], [user]
        if kind:
            where.append("n.kind = ?")
            params.append(kind)
        if since:
            where.append("n.date >= ?")
            params.append(since)
        if not terms:
            rows = self._run(f"SELECT n.* FROM pal_notes n WHERE {' AND '.join(where)} "
                             "ORDER BY n.date DESC, n.id DESC LIMIT ?", [*params, limit])
            return [self._as_dict(r) for r in rows]
        match = " OR ".join('"' + t.replace('"', "") + '"' for t in terms)
        rows = self._run(
            "SELECT n.* FROM pal_notes_fts f JOIN pal_notes n ON n.id = f.note_id "
            f"WHERE pal_notes_fts MATCH ? AND f.user_id = ? AND {' AND '.join(where)} "
            "ORDER BY bm25(pal_notes_fts), n.date DESC LIMIT ?",
            [match, user, *params, limit])
        return [self._as_dict(r) for r in rows]

    def get(self, user_id: str, ref: str) -> dict[str, Any] | None:
        """One of the user's notes by its id, or None (another user's id is never found)."""
        rows = self._run("SELECT * FROM pal_notes WHERE user_id = ? AND ref = ?",
                         [self._user(user_id), ref])
        return self._as_dict(rows[0]) if rows else None

    def meetings(self, user_id: str, *, query: str | None = None, attendee: str | None = None,
                 since: str | None = None, until: str | None = None,
                 limit: int = 100) -> list[dict[str, Any]]:
        """The user's meeting records, oldest first, optionally filtered."""
        user = self._user(user_id)
        if query and query_terms(query):
            found = self.search(user, query, kind="meeting", since=since, limit=limit)
            rows = sorted(found, key=lambda r: r["date"])
        else:
            where, params = ["user_id = ?", "kind = 'meeting'"], [user]
            if since:
                where.append("date >= ?")
                params.append(since)
            rows = [self._as_dict(r) for r in self._run(
                f"SELECT * FROM pal_notes WHERE {' AND '.join(where)} ORDER BY date, id LIMIT ?",
                [*params, limit])]
        if until:
            rows = [r for r in rows if r["date"] <= until]
        if attendee:
            needle = attendee.casefold()
            rows = [r for r in rows if any(needle in a.casefold() for a in r["attendees"])]
        return rows

    def drafts(self, user_id: str) -> list[dict[str, Any]]:
        """The user's drafts, oldest first."""
        rows = self._run("SELECT * FROM pal_drafts WHERE user_id = ? ORDER BY id",
                         [self._user(user_id)])
        return [{"channel": r["channel"], "text": r["text"], "filename": r["filename"],
                 "sent": bool(r["sent"]), "created_at": r["created_at"]} for r in rows]

    def count(self, user_id: str) -> int:
        """How many notes and meetings the user has."""
        return int(self._run("SELECT COUNT(*) AS n FROM pal_notes WHERE user_id = ?",
                             [self._user(user_id)])[0]["n"])
