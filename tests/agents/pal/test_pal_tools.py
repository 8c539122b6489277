"""Pal's tools: every SQL statement is scoped to the caller, the sandbox stays inside its
folder and never deletes, and the model can never name the user."""

from __future__ import annotations

import json

import pytest

from workbench.agent import RunContext
from workbench.agents.pal import data
from workbench.agents.pal.notes import NotesDB, ScopeError
from workbench.agents.pal.sandbox import Sandbox, SandboxError
from workbench.agents.pal.tools import PalEnvironment, build_tools


def ctx(user: str | None) -> RunContext:
    return RunContext(run_id="r", session_id="s", user_id=user)


@pytest.fixture
def env(tmp_path):
    env = PalEnvironment(tmp_path / "env")
    for user in data.USERS:
        env.seed_user(user, context=data.context_dir(user),
                      notes_file=data.pal_dir() / "notes" / f"{user}.jsonl")
    yield env
    env.close()


@pytest.fixture
def tools(env):
    return {t.name: t for t in build_tools(env)}


def invoke(tools, name, user, **arguments):
    outcome = tools[name].invoke(arguments, ctx(user))
    return outcome.value if outcome.error is None else outcome


# --- notes: user scoping ----------------------------------------------------------------------

def test_a_query_for_b_never_returns_a_notes(env, tools):
    for user in data.USERS:
        invoke(tools, "ingest_notes", user, path=f"inbox/{user}.jsonl")
    a_ids = {n.id for n in data.load_notes("user_a")}
    # Words that occur in A's notes (and one of A's note ids): B gets none of them.
    for query in ("Quillon acquiring Kestrel", "Marsh Valley pilot rangers", "Imani", ""):
        rows = env.notes.search("user_b", query, limit=100)
        assert not {r["id"] for r in rows} & a_ids, query
        result = invoke(tools, "search_notes", "user_b", query=query, limit=100)
        rows = result if isinstance(result, list) else []
        assert all(r["id"].startswith("b-") for r in rows), query
        assert "TERN-4471" not in json.dumps(rows) and "Imani" not in json.dumps(rows)
    assert env.notes.get("user_b", "a-023") is None
    missing = invoke(tools, "get_note", "user_b", note_id="a-023")
    assert missing.error and "no note" in missing.content
    assert not env.notes.meetings("user_b", attendee="Imani")
    assert {r["id"] for r in env.notes.meetings("user_a")} <= a_ids


def test_import_and_capture_belong_to_the_caller_whatever_the_file_says(env, tools, tmp_path):
    box = env.sandbox("user_b")
    # An export that claims to be user A's is still imported as the caller's notes.
    box.write("inbox/forged.jsonl", json.dumps({"id": "x-1", "user_id": "user_a", "title": "T",
                                                "body": "secret plan", "date": "2025-01-01"}))
    invoke(tools, "ingest_notes", "user_b", path="inbox/forged.jsonl")
    invoke(tools, "save_note", "user_b", title="Mine", body="another secret plan")
    assert env.notes.search("user_a", "secret plan") == []
    assert {r["title"] for r in env.notes.search("user_b", "secret plan")} == {"T", "Mine"}


def test_every_statement_must_be_bound_to_a_user(tmp_path):
    db = NotesDB(tmp_path / "n.sqlite")
    db.add_note("u1", title="t", body="b")
    with pytest.raises(ScopeError):
        db._run("SELECT * FROM pal_notes", [])
    with pytest.raises(ScopeError):
        db._run("SELECT * FROM pal_notes WHERE kind = ?", ["note"])
    with pytest.raises(ScopeError):
        db._run("INSERT INTO pal_drafts (channel, text, created_at) VALUES (?, ?, ?)",
                ["email", "x", "now"])
    with pytest.raises(ScopeError):
        db.search("", "anything")
    assert db.count("u1") == 1 and db.count("u2") == 0
    db.close()


def test_tools_take_the_user_from_the_run_context_only(tools):
    for tool in tools.values():
        assert "user_id" not in tool.parameters["properties"], tool.name
        assert "ctx" not in tool.parameters["properties"], tool.name
    refused = invoke(tools, "search_notes", None, query="anything")
    assert refused.error and "user" in refused.content


def test_drafts_are_recorded_not_sent(env, tools):
    result = invoke(tools, "write_draft", "user_a", channel="email", text="Subject: x\n\nHi")
    assert "not sent" in result
    drafts = env.notes.drafts("user_a")
    assert len(drafts) == 1 and drafts[0]["sent"] is False
    assert env.notes.drafts("user_b") == []
    bad = invoke(tools, "write_draft", "user_a", channel="fax", text="x")
    assert bad.error


# --- the file sandbox -------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["../user_b/preferences.md", "/etc/passwd", "voice/../../x.md",
                                  "~/x.md", "C:/Windows/win.ini", "..\\user_b\\about-me.md"])
def test_the_sandbox_refuses_paths_that_leave_it(env, tools, path):
    box = env.sandbox("user_a")
    with pytest.raises(SandboxError):
        box.resolve(path)
    for name, args in (("read_file", {"path": path}),
                       ("write_file", {"path": path, "content": "x"}),
                       ("list_files", {"folder": path})):
        outcome = invoke(tools, name, "user_a", **args)
        assert outcome.error, (name, path)


def test_the_sandbox_refuses_a_symlink_out(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("secret")
    box = Sandbox(tmp_path / "box")
    (box.root / "link.md").symlink_to(outside)
    with pytest.raises(SandboxError):
        box.read("link.md")
    assert "link.md" not in box.list()


def test_the_sandbox_never_deletes_or_empties(env, tools):
    box = env.sandbox("user_a")
    assert "delete_file" not in tools and not any("delete" in n for n in tools)
    with pytest.raises(SandboxError, match="deleting files is disabled"):
        box.delete("about-me.md")
    assert (box.root / "about-me.md").exists()
    assert invoke(tools, "write_file", "user_a", path="about-me.md", content="  ").error
    assert invoke(tools, "write_file", "user_a", path="about-me.md", content="new").error
    saved = invoke(tools, "write_file", "user_a", path="meetings/x.md", content="notes")
    assert saved == "Saved meetings/x.md." and box.read("meetings/x.md") == "notes"


def test_each_user_sees_only_their_own_folder(env, tools):
    a_files = invoke(tools, "list_files", "user_a")
    b_files = invoke(tools, "list_files", "user_b")
    assert "voice/long-post.md" in a_files and "voice/long-post.md" not in b_files
    found = invoke(tools, "search_files", "user_b", query="Kestrel Marsh Valley")
    assert found == "No files mention 'Kestrel Marsh Valley'."
    assert "Rosa" in invoke(tools, "read_file", "user_b", path="about-me.md")
